import { accountsPanel } from './accounts.js';
import { ApiError } from './api.js';
import type { Screen } from './context.js';
import { field, h, replace } from './dom.js';
import { adminTexts } from './admin-texts.js';
import { addTexts, t } from './i18n.js';

addTexts(adminTexts);

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

/** The directory admin: every kind's entries, edited as the protobuf JSON the API takes. */
export const adminScreen: Screen = (container, context, [kind = 'team', chosenId]) => {
  let active = true;
  const nav = h(
    'nav',
    { 'aria-label': t('admin.kinds'), class: 'toolbar' },
    [...Object.keys(KINDS), 'accounts'].map((name) =>
      h(
        'a',
        { href: `#/admin/${name}`, 'aria-current': name === kind ? 'page' : undefined },
        t(`admin.kind.${name}`),
      ),
    ),
  );
  if (kind === 'accounts') {
    replace(
      container,
      h('h1', {}, t('admin.title')),
      nav,
      accountsPanel(context, () => active),
    );
    return () => {
      active = false;
    };
  }
  if (!(kind in KINDS)) kind = 'team';
  const feedback = h('p', { class: 'feedback', role: 'status' });
  const list = h('ul', { 'aria-label': t('admin.entries') });
  const id = h('input', { required: true, pattern: '[A-Za-z0-9_.-]+' });
  const editor = h('textarea', { rows: 24, spellcheck: 'false' }) as HTMLTextAreaElement;
  const form = h(
    'form',
    { 'aria-labelledby': 'admin-entry-title' },
    h('h2', { id: 'admin-entry-title' }, t(`admin.kind.${kind}`)),
    h('p', { class: 'hint' }, t('admin.hint')),
    field(t('admin.id'), id, 'admin-id'),
    field(t('admin.entry'), editor, 'admin-entry'),
    h('button', { type: 'submit' }, t('admin.save')),
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
  const show = (record: DirectoryRecord | undefined) => {
    id.value = record?.id ?? '';
    id.readOnly = !!record;
    const payload = record ? (record[KINDS[kind]] as object) : TEMPLATES[kind];
    editor.value = JSON.stringify(payload, null, 2);
  };

  async function load(): Promise<void> {
    records = await context.api.get<DirectoryRecord[]>(`/directory/${kind}`);
    if (!active) return;
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
    feedback.className = 'feedback';
    let body: unknown;
    try {
      body = JSON.parse(editor.value);
      // Every kind but the rule set names its id inside, too; the URL's id is the one that counts.
      if (kind !== 'rule_set' && body && typeof body === 'object') body = { ...body, id: id.value };
    } catch (error) {
      feedback.className = 'feedback error';
      feedback.textContent = t('admin.badJson', { reason: (error as Error).message });
      return;
    }
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
      feedback.className = 'feedback error';
      feedback.textContent = error instanceof ApiError ? error.message : String(error);
    }
  });

  void load().catch((error: unknown) => (feedback.textContent = String(error)));
  return () => {
    active = false;
  };
};
