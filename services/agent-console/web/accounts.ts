import { ApiError, type Schemas } from './api.js';
import type { Context } from './context.js';
import { field, h, replace, select } from './dom.js';
import { t } from './i18n.js';

type Account = Schemas['AccountView'];

const ROLES = ['agent', 'supervisor', 'admin'] as const;

/** Sign-in accounts: who may use the console, in which role and teams. Admins only. */
export function accountsPanel(context: Context, isActive: () => boolean): HTMLElement {
  const feedback = h('p', { class: 'feedback', role: 'status' });
  const body = h('tbody');
  const panel = h(
    'section',
    { 'aria-labelledby': 'accounts-title' },
    h('h2', { id: 'accounts-title' }, t('admin.kind.accounts')),
    h(
      'table',
      { class: 'accounts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['name', 'email', 'teams', 'role', 'active'].map((column) =>
            h('th', { scope: 'col' }, t(`accounts.${column}`)),
          ),
        ),
      ),
      body,
    ),
    createForm(),
    feedback,
  );

  const report = async (work: () => Promise<unknown>, done: string) => {
    feedback.className = 'feedback';
    try {
      await work();
      feedback.textContent = done;
      await load();
      return true;
    } catch (error) {
      feedback.className = 'feedback error';
      feedback.textContent = error instanceof ApiError ? error.message : String(error);
      return false;
    }
  };

  function row(account: Account): HTMLElement {
    const role = select(
      ROLES.map((value) => [value, t(`role.${value}`)]),
      account.role,
      { 'aria-label': t('accounts.roleOf', { name: account.name }) },
    );
    role.addEventListener('change', () => {
      void report(
        () =>
          context.api.call('PUT', `/accounts/${encodeURIComponent(account.agentId)}/role`, {
            role: role.value,
          }),
        t('accounts.roleChanged', { name: account.name, role: t(`role.${role.value}`) }),
      );
    });
    return h(
      'tr',
      {},
      h('td', {}, account.name || account.agentId),
      h('td', {}, account.email),
      h('td', {}, account.teamIds.map((team) => context.teamName(team)).join(', ')),
      h('td', {}, role),
      h(
        'td',
        {},
        account.active
          ? h(
              'button',
              {
                type: 'button',
                onclick: () =>
                  void report(
                    () =>
                      context.api.call(
                        'POST',
                        `/accounts/${encodeURIComponent(account.agentId)}/deactivate`,
                      ),
                    t('accounts.deactivated', { name: account.name }),
                  ),
              },
              t('accounts.deactivate'),
            )
          : t('accounts.inactive'),
      ),
    );
  }

  function createForm(): HTMLElement {
    const id = h('input', { required: true, pattern: '[a-z0-9][a-z0-9._-]{0,63}' });
    const name = h('input', { required: true });
    const email = h('input', { type: 'email', required: true });
    const password = h('input', { type: 'password', required: true, minlength: 10 });
    const role = select(
      ROLES.map((value) => [value, t(`role.${value}`)]),
      'agent',
    );
    const teams = context.teams.map((team) =>
      h('label', {}, h('input', { type: 'checkbox', value: team.id }), ` ${team.name}`),
    );
    const form = h(
      'form',
      { 'aria-labelledby': 'new-account-title', class: 'new-account' },
      h('h3', { id: 'new-account-title' }, t('accounts.new')),
      field(t('accounts.id'), id, 'account-id'),
      field(t('accounts.name'), name, 'account-name'),
      field(t('accounts.email'), email, 'account-email'),
      field(t('accounts.password'), password, 'account-password'),
      field(t('accounts.role'), role, 'account-role'),
      h('fieldset', {}, h('legend', {}, t('accounts.teams')), teams),
      h('button', { type: 'submit' }, t('accounts.create')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const teamIds = teams
        .map((label) => label.querySelector('input') as HTMLInputElement)
        .filter((box) => box.checked)
        .map((box) => box.value);
      void report(
        () =>
          context.api.call('POST', '/accounts', {
            agentId: id.value,
            name: name.value,
            email: email.value,
            password: password.value,
            role: role.value,
            teamIds,
          }),
        t('accounts.created', { name: name.value }),
      ).then((ok) => {
        if (ok) form.reset();
      });
    });
    return form;
  }

  async function load(): Promise<void> {
    const accounts = await context.api.get<Account[]>('/accounts');
    if (isActive()) replace(body, accounts.map(row));
  }

  void load().catch((error: unknown) => (feedback.textContent = String(error)));
  return panel;
}
