import { ApiError, type Schemas } from './api.js';
import type { Context } from './context.js';
import { field, h, select } from './dom.js';
import { language, t } from './i18n.js';
import {
  byChange,
  checkRule,
  RULE_FIELDS,
  RULE_OPERATORS,
  ruleIds,
  signedChange,
  withRuleFirst,
  type RuleSetJson,
} from './rules-logic.js';

type Draft = Schemas['RuleSetDraftView'];
type Preview = Schemas['RulePreviewView'];
type HistoryEntry = Schemas['DirectoryHistoryAnswer'];
type LiveRecord = { version?: number; ruleSet?: RuleSetJson };

const when = (at: string) =>
  new Date(at).toLocaleString(language(), { dateStyle: 'medium', timeStyle: 'short' });

const RULE_SET_URL = '/directory/rule_set';
const DRAFT_URL = '/rules/draft';

/**
 * The classification rules as a draft beside the live ones (docs/adr/0024): edit and save the
 * draft, replay the stored messages of the last days through it and the live rules, read what
 * would change, and publish it. Admins only.
 */
export function rulesPanel(context: Context, isActive: () => boolean): HTMLElement {
  const state = h('p', { id: 'rules-state' });
  const feedback = h('p', { class: 'feedback', role: 'status' });
  const alert = h('p', { class: 'feedback error', role: 'alert' });
  const editor = h('textarea', { rows: 18, spellcheck: 'false' }) as HTMLTextAreaElement;
  const days = h('input', { type: 'number', min: 1, max: 90, value: 14, required: true });
  const report = h('section', { 'aria-labelledby': 'rules-report-title', 'aria-live': 'polite' });
  const history = h('ol', { class: 'rules-history' });
  const publishHint = h('p', { class: 'hint', id: 'rules-publish-hint' });
  const button = (label: string, onclick: () => Promise<void>, props = {}) =>
    h('button', { type: 'button', ...props, onclick: () => void act(onclick) }, label);
  const saveButton = button(t('rules.saveDraft'), saveDraft);
  const discardButton = button(t('rules.discard'), discard);
  const previewButton = button(t('rules.preview'), preview);
  const publishButton = button(t('rules.publish'), publish, {
    'aria-describedby': 'rules-publish-hint',
  });

  let draft: Draft | undefined;

  const panel = h(
    'section',
    { 'aria-labelledby': 'rules-title', class: 'rules' },
    h('h2', { id: 'rules-title' }, t('admin.kind.rules')),
    state,
    addRuleForm(),
    field(t('rules.editor'), editor, 'rules-editor'),
    h('p', {}, saveButton, ' ', discardButton),
    h(
      'div',
      { class: 'toolbar' },
      field(t('rules.days'), days, 'rules-days'),
      previewButton,
      publishButton,
    ),
    publishHint,
    alert,
    feedback,
    report,
    h('h3', {}, t('rules.history')),
    history,
  );

  /** Runs one of the page's actions with its buttons held, showing a refusal as it came. */
  async function act(work: () => Promise<void>) {
    alert.textContent = '';
    feedback.textContent = '';
    const buttons = [saveButton, discardButton, previewButton, publishButton];
    for (const each of buttons) each.disabled = true;
    try {
      await work();
    } catch (error) {
      alert.textContent = error instanceof ApiError ? error.message : String(error);
    } finally {
      showDraftState();
    }
  }

  function editedRuleSet(): RuleSetJson {
    try {
      const parsed = JSON.parse(editor.value) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as RuleSetJson;
    } catch (error) {
      throw new Error(t('admin.badJson', { reason: (error as Error).message }));
    }
    throw new Error(t('admin.badJson', { reason: '{ … }' }));
  }

  async function saveDraft() {
    const saved = await context.api.call<Draft>('PUT', DRAFT_URL, editedRuleSet());
    await load();
    feedback.textContent = t('rules.draftSaved', { revision: saved.revision });
  }

  async function discard() {
    await context.api.call('DELETE', DRAFT_URL);
    await load();
    feedback.textContent = t('rules.discarded');
  }

  async function preview() {
    feedback.textContent = t('rules.previewing');
    const made = await context.api.call<Preview>('POST', `${DRAFT_URL}/preview`, {
      days: Number(days.value),
    });
    if (draft) draft = { ...draft, preview: made };
    feedback.textContent = '';
    showReport(made);
  }

  async function publish() {
    const published = await context.api.call<Schemas['PublishedRuleSetView']>(
      'POST',
      `${DRAFT_URL}/publish`,
    );
    await load();
    feedback.textContent = t('rules.published', { version: published.version });
  }

  function addRuleForm(): HTMLElement {
    const id = h('input', { required: true, pattern: '[A-Za-z0-9_.-]+' });
    const name = h('input', {});
    const fieldChoice = select(RULE_FIELDS.map((value) => [value, t(`rules.field.${value}`)]));
    const operator = select(RULE_OPERATORS.map((value) => [value, t(`rules.operator.${value}`)]));
    const values = h('input', { required: true });
    const team = select([
      ['', '—'],
      ...context.teams.map((each): [string, string] => [each.id, each.name]),
    ]);
    const form = h(
      'form',
      { class: 'rules-add', 'aria-labelledby': 'rules-add-title' },
      h('h3', { id: 'rules-add-title' }, t('rules.add')),
      h(
        'div',
        { class: 'toolbar' },
        field(t('rules.id'), id, 'rules-add-id'),
        field(t('rules.name'), name, 'rules-add-name'),
        field(t('rules.field'), fieldChoice, 'rules-add-field'),
        field(t('rules.operator'), operator, 'rules-add-operator'),
        field(t('rules.values'), values, 'rules-add-values'),
        field(t('rules.team'), team, 'rules-add-team'),
      ),
      h('button', { type: 'submit' }, t('rules.addButton')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      alert.textContent = '';
      feedback.textContent = '';
      let ruleSet: RuleSetJson;
      try {
        ruleSet = editedRuleSet();
      } catch (error) {
        alert.textContent = (error as Error).message;
        return;
      }
      const checked = checkRule(
        {
          id: id.value,
          name: name.value,
          field: fieldChoice.value,
          operator: operator.value,
          values: values.value,
          teamId: team.value,
        },
        ruleIds(ruleSet),
      );
      if (!checked.ok) {
        alert.textContent = t(checked.problem.key, checked.problem.values);
        return;
      }
      editor.value = JSON.stringify(withRuleFirst(ruleSet, checked.value), null, 2);
      feedback.textContent = t('rules.added', { id: checked.value.id });
      form.reset();
    });
    return form;
  }

  /** Publishing takes a preview of the draft as saved; the hint says why the button is held. */
  function showDraftState() {
    const previewed = !!draft?.preview && draft.preview.draftRevision === draft.revision;
    saveButton.disabled = false;
    discardButton.disabled = !draft;
    previewButton.disabled = !draft;
    publishButton.disabled = !previewed;
    publishHint.textContent = previewed ? '' : t('rules.publishNeedsPreview');
  }

  function showReport(made: Preview) {
    const teamRows = byChange(made.teams).map((team) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, context.teamName(team.teamId)),
        h('td', {}, String(team.live)),
        h('td', {}, String(team.draft)),
        h('td', {}, signedChange(team.live, team.draft)),
      ),
    );
    const placement = (where: { teamId: string; ruleId: string }) =>
      t('rules.placement', {
        team: context.teamName(where.teamId),
        rule: where.ruleId || t('rules.fallback'),
      });
    report.replaceChildren(
      h('h3', { id: 'rules-report-title' }, t('rules.report')),
      h(
        'p',
        {},
        t('rules.summary', {
          messages: made.messages,
          days: made.days,
          revision: made.draftRevision,
          version: made.liveVersion,
          moved: made.moved,
        }),
        made.limited ? ` ${t('rules.limited', { messages: made.messages })}` : '',
      ),
      h(
        'table',
        { class: 'rules-teams' },
        h('caption', {}, t('rules.teams')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['teamColumn', 'now', 'withDraft', 'change'].map((column) =>
              h('th', { scope: 'col' }, t(`rules.${column}`)),
            ),
          ),
        ),
        h('tbody', {}, teamRows),
      ),
      h('h4', {}, t('rules.neverMatched')),
      made.neverMatched.length
        ? h(
            'ul',
            { 'aria-label': t('rules.neverMatched') },
            made.neverMatched.map((ruleId) => h('li', {}, ruleId)),
          )
        : h('p', {}, t('rules.allMatch')),
      made.examples.length
        ? h(
            'table',
            { class: 'rules-examples' },
            h('caption', {}, t('rules.examples')),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['ticket', 'message', 'now', 'withDraft'].map((column) =>
                  h('th', { scope: 'col' }, t(`rules.${column}`)),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              made.examples.map((example) =>
                h(
                  'tr',
                  {},
                  h(
                    'td',
                    {},
                    h(
                      'a',
                      { href: `#/ticket/${encodeURIComponent(example.ticketId)}` },
                      `#${example.ticketNumber}`,
                    ),
                  ),
                  h('td', {}, h('strong', {}, example.subject), ' ', example.excerpt),
                  h('td', {}, placement(example.live)),
                  h('td', {}, placement(example.draft)),
                ),
              ),
            ),
          )
        : h('p', {}, t('rules.noMoves')),
    );
  }

  function showHistory(entries: HistoryEntry[]) {
    history.replaceChildren(
      ...entries.map((entry) => {
        const preview = entry.rulePreview as Preview | null;
        return h(
          'li',
          {},
          t('rules.historyEntry', {
            version: entry.version,
            at: when(entry.changedAt),
            by: entry.changedBy ? context.agentName(entry.changedBy) : t('rules.system'),
          }),
          ' — ',
          preview
            ? t('rules.historyPreview', { messages: preview.messages, moved: preview.moved })
            : t('rules.historyDirect'),
        );
      }),
    );
  }

  async function load(): Promise<void> {
    const [live, found] = await Promise.all([
      context.api.get<LiveRecord[]>(RULE_SET_URL),
      context.api.get<Draft>(DRAFT_URL).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }),
    ]);
    const current = live[0];
    const entries = current
      ? await context.api.get<HistoryEntry[]>(`${RULE_SET_URL}/default/history`)
      : [];
    if (!isActive()) return;
    draft = found;
    const liveText = current
      ? t('rules.live', { version: current.version ?? 0 })
      : t('rules.noLive');
    state.textContent = `${liveText} ${
      draft
        ? t('rules.draftState', {
            revision: draft.revision,
            base: draft.basedOnVersion,
            by: context.agentName(draft.savedBy),
            at: when(draft.savedAt),
          })
        : t('rules.noDraft')
    }`;
    editor.value = JSON.stringify(draft?.ruleSet ?? current?.ruleSet ?? { rules: [] }, null, 2);
    if (draft?.preview && draft.preview.draftRevision === draft.revision) showReport(draft.preview);
    else report.replaceChildren();
    showHistory(entries);
    showDraftState();
  }

  void act(load).then(() => {
    if (isActive()) panel.dataset.ready = 'true';
  });
  return panel;
}
