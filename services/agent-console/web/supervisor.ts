// Supervisors' controls: on a ticket (assign to a named agent, priority, tags, merge the customer
// with a duplicate) and the agents' presence and load. Loaded for supervisors and admins only.

import { ApiError, type Schemas } from './api.js';
import type { Context, Screen } from './context.js';
import { field, h, replace, select } from './dom.js';
import { addTexts, t } from './i18n.js';
import { mergePreview, parseTags, type MergeSide } from './logic.js';
import { supervisorTexts } from './supervisor-texts.js';

addTexts(supervisorTexts);

type Workload = Schemas['AgentWorkload'];
type CustomerMatch = Schemas['CustomerMatch'];

/** What the panel reads of the ticket view. */
export interface SupervisedTicket {
  ticket: {
    id: string;
    teamId: string;
    channel: string;
    priority: string;
    assigneeId: string | null;
    tags: string[];
  };
  customer: { id: string; displayName: string; tags: string[] } | null;
  history: unknown[];
}

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

/**
 * The supervisor's part of the ticket view. `update` shows the ticket as it is now without
 * touching what the supervisor is typing; `changed` reloads the ticket after an action.
 */
export function supervisorPanel(
  context: Context,
  changed: () => void,
): { element: HTMLElement; update(view: SupervisedTicket): void } {
  let view: SupervisedTicket | undefined;
  const feedback = h('p', { class: 'feedback', role: 'status' });
  const report = (text: string, failed = false) => {
    feedback.className = failed ? 'feedback error' : 'feedback';
    feedback.textContent = text;
    if (!failed) context.announce(text);
  };
  const act = async <T>(work: () => Promise<T>, done: (result: T) => string) => {
    try {
      report(done(await work()));
      changed();
    } catch (error) {
      report(messageOf(error), true);
    }
  };
  const path = () => `/tickets/${encodeURIComponent(view!.ticket.id)}`;

  const assignee = select([]);
  const override = h('input', { type: 'checkbox' });
  const assignForm = h(
    'form',
    { class: 'inline', 'aria-label': t('supervise.assign') },
    field(t('supervise.assignee'), assignee, 'supervise-assignee'),
    h('label', { class: 'check' }, override, ' ', t('supervise.override')),
    h('button', { type: 'submit' }, t('supervise.assign')),
  );
  assignForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const agent = context.agentName(assignee.value);
    void act(
      () =>
        context.api.call<{ status: string }>('POST', `${path()}/assign`, {
          agentId: assignee.value,
          overrideCapacity: override.checked,
        }),
      (answer) =>
        answer.status === 'requested'
          ? t('supervise.requested')
          : t('supervise.assigned', { agent }),
    );
    override.checked = false;
  });

  const priority = select(PRIORITIES.map((value) => [value, t(`priority.${value}`)]));
  const priorityForm = h(
    'form',
    { class: 'inline', 'aria-label': t('supervise.setPriority') },
    field(t('supervise.priority'), priority, 'supervise-priority'),
    h('button', { type: 'submit' }, t('supervise.setPriority')),
  );
  priorityForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = t(`priority.${priority.value}`);
    void act(
      () => context.api.call('POST', `${path()}/priority`, { priority: priority.value }),
      () => t('supervise.priorityChanged', { priority: chosen }),
    );
  });

  const tags = h('input', {});
  const tagsForm = h(
    'form',
    { class: 'inline', 'aria-label': t('supervise.saveTags') },
    field(t('supervise.tags'), tags, 'supervise-tags'),
    h('button', { type: 'submit' }, t('supervise.saveTags')),
  );
  tagsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(
      () => context.api.call('PUT', `${path()}/tags`, { tags: parseTags(tags.value) }),
      () => t('supervise.tagsSaved'),
    );
  });

  const merge = mergeForm(context, () => view, report, changed);
  const element = h(
    'section',
    { class: 'supervise', 'aria-labelledby': 'supervise-title' },
    h('h2', { id: 'supervise-title' }, t('supervise.title')),
    assignForm,
    priorityForm,
    tagsForm,
    merge,
    feedback,
  );

  return {
    element,
    update(next) {
      view = next;
      const { ticket } = next;
      if (document.activeElement !== priority) priority.value = ticket.priority;
      if (document.activeElement !== tags) tags.value = ticket.tags.join(', ');
      merge.hidden = !next.customer;
      void context.api
        .get<Workload[]>(`/agents/workload?teamId=${encodeURIComponent(ticket.teamId)}`)
        .then(
          (agents) => {
            if (document.activeElement === assignee) return;
            const chosen = assignee.value || ticket.assigneeId || '';
            replace(
              assignee,
              agents.map((agent) => {
                const load = agent.channels.find((entry) => entry.channel === ticket.channel);
                return h(
                  'option',
                  { value: agent.id, selected: agent.id === chosen },
                  t('supervise.load', {
                    name: agent.name,
                    presence: t(`presence.${agent.presence}`),
                    open: load?.open ?? 0,
                    capacity: load?.capacity ?? 0,
                  }),
                );
              }),
            );
          },
          () => undefined,
        );
    },
  };
}

/** Find the duplicate, preview what the merge leaves, confirm. */
function mergeForm(
  context: Context,
  current: () => SupervisedTicket | undefined,
  report: (text: string, failed?: boolean) => void,
  changed: () => void,
): HTMLElement {
  const query = h('input', { type: 'search', minlength: 2, required: true });
  const results = h('ul', { class: 'merge-results' });
  const preview = h('div', { class: 'merge-preview' });
  const form = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': t('merge.title') },
    field(t('merge.search'), query, 'merge-search'),
    h('button', { type: 'submit' }, t('merge.find')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const survivor = current()?.customer;
    if (!survivor) return;
    replace(preview);
    context.api
      .get<CustomerMatch[]>(`/customers?query=${encodeURIComponent(query.value.trim())}`)
      .then(
        (matches) => {
          const others = matches.filter((match) => match.id !== survivor.id);
          replace(
            results,
            others.length === 0
              ? h('li', {}, t('merge.none'))
              : others.map((match) =>
                  h(
                    'li',
                    {},
                    `${match.displayName || match.id} · ${match.identities.join(', ')} · ${t('merge.tickets', { count: match.tickets })} `,
                    h(
                      'button',
                      { type: 'button', onclick: () => void showPreview(match) },
                      t('merge.pick'),
                    ),
                  ),
                ),
          );
        },
        (error: unknown) => report(messageOf(error), true),
      );
  });

  async function showPreview(duplicate: CustomerMatch): Promise<void> {
    const view = current();
    if (!view?.customer) return;
    const survivorId = view.customer.id;
    const [survivor] = (
      await context.api.get<CustomerMatch[]>(`/customers?query=${encodeURIComponent(survivorId)}`)
    ).filter((match) => match.id === survivorId);
    const [full, duplicateFull] = await Promise.all([
      context.api.get<Schemas['CustomerView']>(`/customers/${encodeURIComponent(survivorId)}`),
      context.api.get<Schemas['CustomerView']>(`/customers/${encodeURIComponent(duplicate.id)}`),
    ]);
    const side = (match: CustomerMatch | undefined, tags: string[]): MergeSide => ({
      identities: match?.identities ?? [],
      tags,
      tickets: match?.tickets ?? 0,
    });
    const keep = side(survivor, full.tags);
    const goes = side(duplicate, duplicateFull.tags);
    const after = mergePreview(keep, goes);
    const survivorName = view.customer.displayName || survivorId;
    const duplicateName = duplicate.displayName || duplicate.id;
    const confirm = h(
      'button',
      { type: 'button', class: 'danger' },
      t('merge.confirm', { name: duplicateName, survivor: survivorName }),
    );
    confirm.addEventListener('click', () => {
      context.api
        .call('POST', `/customers/${encodeURIComponent(survivorId)}/merge`, {
          duplicateId: duplicate.id,
        })
        .then(
          () => {
            replace(preview);
            replace(results);
            query.value = '';
            report(t('merge.done'));
            changed();
          },
          (error: unknown) => report(messageOf(error), true),
        );
    });
    const cancel = h('button', { type: 'button' }, t('merge.cancel'));
    cancel.addEventListener('click', () => replace(preview));
    const describe = (title: string, sideOf: MergeSide) =>
      h(
        'div',
        { class: 'merge-side' },
        h('h4', {}, title),
        h('p', {}, `${t('merge.identities')}: ${sideOf.identities.join(', ') || '—'}`),
        h('p', {}, `${t('merge.customerTags')}: ${sideOf.tags.join(', ') || '—'}`),
        h('p', {}, `${t('merge.ticketsAfter')}: ${sideOf.tickets}`),
      );
    replace(
      preview,
      h(
        'section',
        { 'aria-label': t('merge.preview') },
        h('h3', {}, t('merge.preview')),
        h(
          'div',
          { class: 'merge-sides' },
          describe(t('merge.keeps', { name: survivorName }), keep),
          describe(t('merge.goes', { name: duplicateName }), goes),
          describe(t('merge.after'), after),
        ),
        confirm,
        ' ',
        cancel,
      ),
    );
    confirm.focus();
  }

  return h('div', { class: 'merge' }, h('h3', {}, t('merge.title')), form, results, preview);
}

/** Every agent's presence and open tickets per channel against their capacity. */
export const agentsScreen: Screen = (container, context) => {
  const table = h('tbody');
  replace(
    container,
    h('h1', {}, t('agents.title')),
    h(
      'table',
      { class: 'workload' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['agents.agent', 'agents.teams', 'agents.presence', 'agents.load'].map((key) =>
            h('th', { scope: 'col' }, t(key)),
          ),
        ),
      ),
      table,
    ),
  );
  let active = true;
  const load = () =>
    context.api.get<Workload[]>('/agents/workload').then((agents) => {
      if (!active) return;
      replace(
        table,
        agents.map((agent) =>
          h(
            'tr',
            { 'data-agent': agent.id },
            h('th', { scope: 'row' }, agent.name),
            h('td', {}, agent.teamIds.map((id) => context.teamName(id)).join(', ')),
            h('td', { class: `presence-${agent.presence}` }, t(`presence.${agent.presence}`)),
            h(
              'td',
              {},
              agent.channels.map((entry) =>
                h(
                  'span',
                  { class: entry.open >= entry.capacity ? 'load full' : 'load' },
                  `${t(`channel.${entry.channel}`)} ${entry.open}/${entry.capacity}`,
                  entry.open >= entry.capacity && ` (${t('agents.full')})`,
                ),
              ),
            ),
          ),
        ),
      );
      container.dataset.ready = 'true';
    });
  void load();
  // Assignments and hand-backs change the load; presence arrives with the next reload.
  const stopLive = context.onLive((message) => {
    if (message.type === 'ticket-event') void load();
  });
  return () => {
    active = false;
    stopLive();
  };
};

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : t('error.network');
}
