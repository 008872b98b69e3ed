import type { EntryForm } from './admin.js';
import type { Context } from './context.js';
import { field, h, select } from './dom.js';
import { t } from './i18n.js';
import {
  agentDraft,
  CAPACITY_CHANNELS,
  checkAgent,
  HIGHEST_LEVEL,
  LOWEST_LEVEL,
  type AgentDraft,
  type CapacityChannel,
} from './admin-logic.js';
import { checkboxes, choose, namedEntries, rows } from './form-controls.js';

type Skill = AgentDraft['skills'][number];

/** 1 (basic) to 5 (expert), as AgentSkill.level. */
function levels(): Array<[string, string]> {
  return Array.from({ length: HIGHEST_LEVEL - LOWEST_LEVEL + 1 }, (_, index) => {
    const level = LOWEST_LEVEL + index;
    if (level === LOWEST_LEVEL) return [String(level), t('agent.levelLowest', { level })];
    if (level === HIGHEST_LEVEL) return [String(level), t('agent.levelHighest', { level })];
    return [String(level), String(level)];
  });
}

/** The agent's skills as rows the admin adds and removes: a skill and its level each. */
function skillRows(skills: Array<[string, string]>) {
  return rows<Skill>(
    {
      add: t('agent.skill.add'),
      row: (index) => t('agent.skill.row', { row: index }),
      cell: (column, row) => t('agent.cell', { column, row }),
      remove: (row) => t('agent.skill.remove', { row }),
    },
    t('agent.skills'),
    [t('agent.skill'), t('agent.level')],
    () => ({ skillId: '', level: 3 }),
    (value, label) => {
      const skill = select([['', t('agent.chooseSkill')], ...skills], undefined, {
        'aria-label': label(t('agent.skill')),
      });
      choose(skill, value.skillId);
      const level = select(levels(), undefined, { 'aria-label': label(t('agent.level')) });
      choose(level, String(value.level));
      return {
        cells: [skill, level],
        read: () => ({ skillId: skill.value, level: Number(level.value) }),
      };
    },
  );
}

/** One number per channel: how many of its tickets the agent holds at once, empty or 0 for none. */
function capacityTable() {
  const inputs = Object.fromEntries(
    CAPACITY_CHANNELS.map((channel) => [
      channel,
      h('input', {
        type: 'number',
        min: 0,
        step: 'any',
        inputmode: 'numeric',
        'aria-label': t('agent.capacityOf', { channel: t(`channel.${channel}`) }),
      }),
    ]),
  ) as Record<CapacityChannel, HTMLInputElement>;
  const element = h(
    'fieldset',
    { class: 'rows' },
    h('legend', {}, t('agent.capacity')),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('agent.channel')),
          h('th', { scope: 'col' }, t('agent.maxConcurrent')),
        ),
      ),
      h(
        'tbody',
        {},
        CAPACITY_CHANNELS.map((channel) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, t(`channel.${channel}`)),
            h('td', {}, inputs[channel]),
          ),
        ),
      ),
    ),
    h('p', { class: 'hint' }, t('agent.capacityHint')),
  );
  return {
    element,
    set(capacity: AgentDraft['capacity']) {
      for (const channel of CAPACITY_CHANNELS) inputs[channel].value = capacity[channel];
    },
    values: () =>
      Object.fromEntries(
        CAPACITY_CHANNELS.map((channel) => [channel, inputs[channel].value]),
      ) as AgentDraft['capacity'],
  };
}

/**
 * An agent as a form: who she is, her teams, skills and how many tickets of each channel she
 * holds at once. Presence is hers to set; the form keeps what the entry had.
 */
export async function agentForm(context: Context): Promise<EntryForm> {
  const [teams, skills] = await Promise.all([
    namedEntries(context, 'team', 'team'),
    namedEntries(context, 'skill', 'skill'),
  ]);
  const name = h('input', { autocomplete: 'off' });
  // Not type="email": the browser's own check would keep the form's message from being shown.
  const email = h('input', { inputmode: 'email', autocomplete: 'off', spellcheck: 'false' });
  const teamIds = checkboxes(t('agent.teams'), teams);
  const skillRowsTable = skillRows(skills.map((skill) => [skill.id, skill.name]));
  const capacity = capacityTable();
  const languages = h('input', { autocomplete: 'off' });
  const active = h('input', { type: 'checkbox', id: 'agent-active' });
  let presence: AgentDraft['presence'];

  return {
    element: h(
      'div',
      { class: 'entry-form' },
      field(t('agent.name'), name, 'agent-name'),
      field(t('agent.email'), email, 'agent-email'),
      teamIds.element,
      skillRowsTable.element,
      capacity.element,
      field(t('agent.languages'), languages, 'agent-languages'),
      h('label', { class: 'check' }, active, ` ${t('agent.active')}`),
    ),
    fill(payload) {
      const draft = agentDraft(payload);
      name.value = draft.name;
      email.value = draft.email;
      teamIds.set(draft.teamIds);
      skillRowsTable.set(draft.skills);
      capacity.set(draft.capacity);
      languages.value = draft.languages;
      active.checked = draft.active;
      presence = draft.presence;
    },
    read() {
      return checkAgent({
        name: name.value,
        email: email.value,
        teamIds: teamIds.values(),
        skills: skillRowsTable.values(),
        capacity: capacity.values(),
        languages: languages.value,
        active: active.checked,
        presence,
      });
    },
  };
}
