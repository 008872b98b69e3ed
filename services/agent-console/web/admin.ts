import { accountsPanel } from './accounts.js';
import { agentForm } from './agent-form.js';
import { ApiError } from './api.js';
import { calendarForm } from './calendar-form.js';
import type { Context, Screen } from './context.js';
import { field, h, replace } from './dom.js';
import { adminTexts } from './admin-texts.js';
import { addTexts, t } from './i18n.js';
import { rulesPanel } from './rules.js';
import { rulesTexts } from './rules-texts.js';
import type { Checked } from './admin-logic.js';
import { slaForm } from './sla-form.js';
import { teamForm } from './team-form.js';

addTexts(adminTexts);
addTexts(rulesTexts);

/** Directory kinds in URLs, with the field their payload has in a DirectoryRecord's JSON. */
const KINDS: Record<string, string> = {
  team: 'team',
  skill: 'skill',
  agent: 'agent',
  calendar: 'calendar',
  sla_policy: 'slaPolicy',
  rule_set: 'ruleSet',
  canned_reply: 'cannedReply',
};

/** A blank entry of each kind to start a new one from. */
const TEMPLATES: Record<string, object> = {
  team: { name: '', skillIds: [], calendarId: '' },
  skill: { name: '', description: '' },
  agent: { name: '', email: '', teamIds: [], skills: [], languages: ['en'], active: true },
  calendar: { name: '', timeZone: 'Europe/Berlin', weeklyHours: [], holidays: [] },
  sla_policy: { name: '', firstResponseMinutes: 240, resolutionMinutes: 2400 },
  rule_set: { version: 1, rules: [] },
  canned_reply: {
    title: '',
    body: 'Hi {{customer.firstName}},\n\n{{agent.firstName}}',
    language: 'en',
  },
};

type DirectoryRecord = Record<string, unknown> & { id: string; version?: number };

/** A kind's entry as a form rather than JSON; the JSON editor stays behind "Advanced: JSON". */
export interface EntryForm {
  element: HTMLElement;
  /** Shows an entry as the API gives it (protobuf JSON, defaults left out). */
  fill(payload: Record<string, unknown>): void;
  /** The entry to save, or the first problem with what was typed. */
  read(): Checked<object>;
}

/** The kinds support leads edit often, with forms. */
const FORMS: Record<string, (context: Context) => Promise<EntryForm>> = {
  calendar: () => Promise.resolve(calendarForm()),
  sla_policy: slaForm,
  team: teamForm,
  agent: agentForm,
};

/**
 * The directory admin: every kind's entries as the protobuf JSON the API takes; teams, agents,
 * calendars and SLA policies in forms too.
 */
export const adminScreen: Screen = (container, context, [kind = 'team', chosenId]) => {
  let active = true;
  const nav = h(
    'nav',
    { 'aria-label': t('admin.kinds'), class: 'toolbar' },
    [...Object.keys(KINDS), 'rules', 'accounts'].map((name) =>
      h(
        'a',
        { href: `#/admin/${name}`, 'aria-current': name === kind ? 'page' : undefined },
        t(`admin.kind.${name}`),
      ),
    ),
  );
  if (kind === 'accounts' || kind === 'rules') {
    const panel = kind === 'accounts' ? accountsPanel : rulesPanel;
    replace(
      container,
      h('h1', {}, t('admin.title')),
      nav,
      panel(context, () => active),
    );
    return () => {
      active = false;
    };
  }
  if (!(kind in KINDS)) kind = 'team';
  const feedback = h('p', { class: 'feedback', role: 'status' });
  const alert = h('p', { class: 'feedback error', role: 'alert' });
  const list = h('ul', { 'aria-label': t('admin.entries') });
  const id = h('input', { required: true, pattern: '[A-Za-z0-9_.-]+' });
  const editor = h('textarea', { rows: 24, spellcheck: 'false' }) as HTMLTextAreaElement;
  const hasForm = kind in FORMS;
  const structured = h('div', { hidden: true });
  const json = h('div', { hidden: hasForm }, field(t('admin.entry'), editor, 'admin-entry'));
  const advanced =
    hasForm &&
    h(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'aria-controls': 'admin-entry' },
      t('admin.advanced'),
    );
  const form = h(
    'form',
    { 'aria-labelledby': 'admin-entry-title' },
    h('h2', { id: 'admin-entry-title' }, t(`admin.kind.${kind}`)),
    h('p', { class: 'hint' }, t('admin.hint')),
    field(t('admin.id'), id, 'admin-id'),
    structured,
    json,
    h('p', {}, h('button', { type: 'submit' }, t('admin.save')), advanced && ' ', advanced),
    alert,
    feedback,
  );
  replace(
    container,
    h('h1', {}, t('admin.title')),
    nav,
    h(
      'div',
      { class: 'admin-list' },
      h(
        'section',
        { 'aria-label': t('admin.entries') },
        list,
        h('a', { href: `#/admin/${kind}` }, `+ ${t('admin.new')}`),
      ),
      form,
    ),
  );

  let records: DirectoryRecord[] = [];
  let entryForm: EntryForm | undefined;
  /** Whether the JSON editor, not the form, is the one in use. */
  const usingJson = () => !entryForm || !json.hidden;
  const show = (record: DirectoryRecord | undefined) => {
    id.value = record?.id ?? '';
    id.readOnly = !!record;
    const payload = record ? (record[KINDS[kind]] as object) : TEMPLATES[kind];
    editor.value = JSON.stringify(payload, null, 2);
    entryForm?.fill(payload as Record<string, unknown>);
  };
  const refuse = (text: string) => {
    feedback.textContent = '';
    alert.textContent = text;
  };

  // What was typed carries over between the two editors; a side that does not make an entry
  // (a form's problem, broken JSON) keeps the admin where she is, with the reason.
  if (advanced)
    advanced.addEventListener('click', () => {
      if (!entryForm) return;
      alert.textContent = '';
      if (usingJson()) {
        let payload: unknown;
        try {
          payload = JSON.parse(editor.value);
        } catch (error) {
          refuse(t('admin.badJson', { reason: (error as Error).message }));
          return;
        }
        entryForm.fill(
          payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {},
        );
      } else {
        const read = entryForm.read();
        if (!read.ok) {
          refuse(t(read.problem.key, read.problem.values));
          return;
        }
        editor.value = JSON.stringify(read.value, null, 2);
      }
      json.hidden = !json.hidden;
      structured.hidden = !json.hidden;
      advanced.setAttribute('aria-pressed', String(!json.hidden));
    });

  async function load(): Promise<void> {
    const [loaded, madeForm] = await Promise.all([
      context.api.get<DirectoryRecord[]>(`/directory/${kind}`),
      !entryForm && FORMS[kind]?.(context),
    ]);
    records = loaded;
    if (!active) return;
    if (madeForm) {
      entryForm = madeForm;
      structured.replaceChildren(entryForm.element);
      structured.hidden = false;
    }
    list.replaceChildren(
      ...records.map((record) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `#/admin/${kind}/${encodeURIComponent(record.id)}`,
              'aria-current': record.id === chosenId ? 'true' : undefined,
            },
            record.id,
          ),
        ),
      ),
    );
    show(records.find((record) => record.id === chosenId));
    container.dataset.ready = 'true';
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    feedback.textContent = '';
    alert.textContent = '';
    let body: unknown;
    if (usingJson()) {
      try {
        body = JSON.parse(editor.value);
      } catch (error) {
        refuse(t('admin.badJson', { reason: (error as Error).message }));
        return;
      }
    } else {
      const read = (entryForm as EntryForm).read();
      if (!read.ok) {
        refuse(t(read.problem.key, read.problem.values));
        return;
      }
      body = read.value;
    }
    // Every kind but the rule set names its id inside, too; the URL's id is the one that counts.
    if (kind !== 'rule_set' && body && typeof body === 'object') body = { ...body, id: id.value };
    try {
      const saved = await context.api.call<DirectoryRecord>(
        'PUT',
        `/directory/${kind}/${encodeURIComponent(id.value)}`,
        body,
      );
      feedback.textContent = t('admin.saved', { id: saved.id, version: saved.version ?? '' });
      chosenId = saved.id;
      await load();
    } catch (error) {
      refuse(error instanceof ApiError ? error.message : String(error));
    }
  });

  void load().catch((error: unknown) => (feedback.textContent = String(error)));
  return () => {
    active = false;
  };
};
