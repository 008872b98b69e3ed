import type { EntryForm } from './admin.js';
import type { Context } from './context.js';
import { field, h, replace, select } from './dom.js';
import { t } from './i18n.js';
import { checkTeam, teamDraft } from './admin-logic.js';
import { checkboxes, choose, namedEntries, type Named } from './form-controls.js';

/**
 * A team as a form: the skills it covers, the calendar its SLA clocks run on, where tickets
 * nobody took go after a while, and how many live chats each of its agents holds at once.
 */
export async function teamForm(context: Context): Promise<EntryForm> {
  const [teams, skills, calendars] = await Promise.all([
    namedEntries(context, 'team', 'team'),
    namedEntries(context, 'skill', 'skill'),
    namedEntries(context, 'calendar', 'calendar'),
  ]);
  const options = (entries: Named[]) =>
    entries.map((entry): [string, string] => [entry.id, entry.name]);
  const name = h('input', {});
  const skillIds = checkboxes(t('team.skills'), skills);
  const calendar = select([['', t('team.aroundTheClock')], ...options(calendars)]);
  const overflowTeam = h('select');
  const overflowAfter = h('input', { type: 'number', min: 0, step: 'any', inputmode: 'decimal' });
  const chatCapacity = h('input', { type: 'number', min: 0, step: 'any', inputmode: 'numeric' });

  return {
    element: h(
      'div',
      { class: 'entry-form' },
      field(t('team.name'), name, 'team-name'),
      skillIds.element,
      field(t('team.calendar'), calendar, 'team-calendar'),
      field(t('team.overflowTeam'), overflowTeam, 'team-overflow-team'),
      field(t('team.overflowAfter'), overflowAfter, 'team-overflow-after'),
      h('p', { class: 'hint' }, t('team.overflowHint')),
      field(t('team.chatCapacity'), chatCapacity, 'team-chat-capacity'),
      h('p', { class: 'hint' }, t('team.chatCapacityHint')),
    ),
    fill(payload) {
      const draft = teamDraft(payload);
      name.value = draft.name;
      skillIds.set(draft.skillIds);
      choose(calendar, draft.calendarId);
      // A team cannot overflow to itself; a new one has no id yet and sees every team.
      const others = teams.filter((team) => team.id !== payload.id);
      replace(
        overflowTeam,
        [['', t('team.noOverflow')], ...options(others)].map(([value, label]) =>
          h('option', { value }, label),
        ),
      );
      choose(overflowTeam, draft.overflowTeamId);
      overflowAfter.value = draft.overflowAfterMinutes;
      chatCapacity.value = draft.defaultChatCapacity;
    },
    read() {
      return checkTeam({
        name: name.value,
        skillIds: skillIds.values(),
        calendarId: calendar.value,
        overflowTeamId: overflowTeam.value,
        overflowAfterMinutes: overflowAfter.value,
        defaultChatCapacity: chatCapacity.value,
      });
    },
  };
}
