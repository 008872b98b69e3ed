import type { EntryForm } from './admin.js';
import type { Context } from './context.js';
import { field, h, select } from './dom.js';
import { t } from './i18n.js';
import {
  ANY_CHANNEL,
  ANY_PRIORITY,
  checkSla,
  slaDraft,
  type DurationDraft,
  type DurationUnit,
} from './admin-logic.js';
import { choose, namedEntries } from './form-controls.js';

const CHANNELS = ['email', 'telegram', 'vk', 'ok', 'webform', 'chat'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const UNITS: DurationUnit[] = ['minutes', 'hours'];

/** An amount with its unit, the unit's select labelled with what it measures. */
function durationInput(target: 'firstResponse' | 'resolution', id: string) {
  const amount = h('input', { type: 'number', min: 0, step: 'any', inputmode: 'decimal' });
  const unit = select(
    UNITS.map((value) => [value, t(`sla.${value}`)]),
    'minutes',
    { 'aria-label': t('sla.unitOf', { target: t(`sla.${target}Target`) }) },
  );
  return {
    element: h('div', { class: 'duration' }, field(t(`sla.${target}`), amount, id), unit),
    set(duration: DurationDraft) {
      amount.value = duration.amount;
      unit.value = duration.unit;
    },
    read: (): DurationDraft => ({ amount: amount.value, unit: unit.value as DurationUnit }),
  };
}

/**
 * Response and resolution targets as a form. "Any" channel and priority are the enums'
 * UNSPECIFIED values and "every team" an empty team id: the router's SLA lookup lets those match
 * every ticket.
 */
export async function slaForm(context: Context): Promise<EntryForm> {
  const teams = await namedEntries(context, 'team', 'team');
  const name = h('input', {});
  const team = select([
    ['', t('sla.anyTeam')],
    ...teams.map((entry): [string, string] => [entry.id, entry.name]),
  ]);
  const channel = select([
    [ANY_CHANNEL, t('sla.anyChannel')],
    ...CHANNELS.map((value): [string, string] => [
      `CHANNEL_${value.toUpperCase()}`,
      t(`channel.${value}`),
    ]),
  ]);
  const priority = select([
    [ANY_PRIORITY, t('sla.anyPriority')],
    ...PRIORITIES.map((value): [string, string] => [
      `PRIORITY_${value.toUpperCase()}`,
      t(`priority.${value}`),
    ]),
  ]);
  const firstResponse = durationInput('firstResponse', 'sla-first-response');
  const resolution = durationInput('resolution', 'sla-resolution');
  const businessTime = h('input', { type: 'checkbox', id: 'sla-business-time' });

  return {
    element: h(
      'div',
      { class: 'entry-form' },
      field(t('sla.name'), name, 'sla-name'),
      h('p', { class: 'hint' }, t('sla.matching')),
      field(t('sla.team'), team, 'sla-team'),
      field(t('sla.channel'), channel, 'sla-channel'),
      field(t('sla.priority'), priority, 'sla-priority'),
      firstResponse.element,
      resolution.element,
      h('label', { class: 'check' }, businessTime, ` ${t('sla.businessTime')}`),
    ),
    fill(payload) {
      const draft = slaDraft(payload);
      name.value = draft.name;
      choose(team, draft.teamId);
      choose(channel, draft.channel);
      choose(priority, draft.priority);
      firstResponse.set(draft.firstResponse);
      resolution.set(draft.resolution);
      businessTime.checked = draft.businessTime;
    },
    read() {
      return checkSla({
        name: name.value,
        teamId: team.value,
        channel: channel.value,
        priority: priority.value,
        firstResponse: firstResponse.read(),
        resolution: resolution.read(),
        businessTime: businessTime.checked,
      });
    },
  };
}
