import type { Schemas } from './api.js';
import type { Screen } from './context.js';
import { field, h, replace, select } from './dom.js';
import { addTexts, language, t, tCount } from './i18n.js';
import { staffingTexts } from './staffing-texts.js';

addTexts(staffingTexts);

type StaffingPlan = Schemas['StaffingPlanView'];
type StaffingHour = Schemas['StaffingHourView'];
type Flag = StaffingHour['flags'][number];

const WEEKS = ['1', '2', '4', '8', '13'];
/** What a cell shows of each flag, beside its colour; the legend and the hidden text spell it out. */
const MARKS: Record<Flag, string> = {
  understaffed: '▲',
  overstaffed: '▽',
  'closed-with-traffic': '✉',
};
const settings = { team: '', weeks: '4', serviceLevel: '80', shrinkage: '0' };

/**
 * The staffing planner for supervisors: per hour of the week, the agents Erlang C needs for the
 * team's traffic beside the agents online and the calendar, with the hours to look at marked.
 */
export const staffingScreen: Screen = (container, context) => {
  settings.team ||= context.teams[0]?.id ?? '';
  const team = select(
    context.teams.map(({ id, name }) => [id, name]),
    settings.team,
  );
  const weeks = select(
    WEEKS.map((value) => [value, tCount('staffing.weeks.option', Number(value), { weeks: value })]),
    settings.weeks,
  );
  const serviceLevel = h('input', {
    type: 'number',
    min: 1,
    max: 99,
    required: true,
    value: settings.serviceLevel,
  });
  const shrinkage = h('input', {
    type: 'number',
    min: 0,
    max: 90,
    required: true,
    value: settings.shrinkage,
  });
  const status = h('p', { class: 'hint', role: 'status' });
  const content = h('div');
  const form = h(
    'form',
    { class: 'toolbar' },
    field(t('staffing.team'), team, 'staffing-team'),
    field(t('staffing.weeks'), weeks, 'staffing-weeks'),
    field(t('staffing.serviceLevel'), serviceLevel, 'staffing-service-level'),
    field(t('staffing.shrinkage'), shrinkage, 'staffing-shrinkage'),
    h('button', { type: 'submit' }, t('staffing.show')),
  );
  replace(container, h('h1', {}, t('staffing.title')), form, status, content);

  let active = true;
  async function load(): Promise<void> {
    delete container.dataset.ready;
    const query = new URLSearchParams({
      team: settings.team,
      weeks: settings.weeks,
      serviceLevel: settings.serviceLevel,
      shrinkage: settings.shrinkage,
    });
    const plan = await context.api.get<StaffingPlan>(`/planning/staffing?${query}`);
    if (!active) return;
    status.textContent = '';
    replace(content, summary(plan), channels(plan), grid(plan), closedDays(plan));
    container.dataset.ready = 'true';
  }
  const reload = () =>
    void load().catch((error: unknown) => {
      status.textContent = error instanceof Error ? error.message : String(error);
    });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(settings, {
      team: team.value,
      weeks: weeks.value,
      serviceLevel: serviceLevel.value,
      shrinkage: shrinkage.value,
    });
    reload();
  });
  reload();
  return () => {
    active = false;
  };
};

const number = (value: number, digits = 1) =>
  new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(value);
const date = (iso: string) => new Date(iso).toLocaleDateString(language());

function summary(plan: StaffingPlan): HTMLElement {
  return h(
    'div',
    {},
    h(
      'p',
      {},
      tCount('staffing.window', plan.weeks, {
        weeks: plan.weeks,
        from: date(plan.from),
        until: date(plan.until),
        timeZone: plan.timeZone,
      }),
    ),
    h(
      'p',
      { class: 'hint' },
      plan.presenceLoggedSince
        ? t('staffing.presenceSince', { since: date(plan.presenceLoggedSince) })
        : t('staffing.noPresence'),
    ),
  );
}

function channels(plan: StaffingPlan): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'staffing-channels' },
    h('h2', { id: 'staffing-channels' }, t('staffing.channels')),
    h(
      'table',
      { class: 'staffing-channels' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['channel', 'arrivals', 'handling', 'target'].map((column) =>
            h('th', { scope: 'col' }, t(`staffing.${column}`)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        plan.channels.map((channel) =>
          h(
            'tr',
            { 'data-channel': channel.channel },
            h('th', { scope: 'row' }, t(`channel.${channel.channel}`)),
            h('td', {}, String(channel.arrivals)),
            h(
              'td',
              {},
              channel.handlingSeconds === null
                ? t('staffing.unknown')
                : t('staffing.minutes', { minutes: number(channel.handlingSeconds / 60) }),
            ),
            h('td', {}, t('staffing.minutes', { minutes: number(channel.targetSeconds / 60) })),
          ),
        ),
      ),
    ),
  );
}

/** Hours down, weekdays across: a week as supervisors plan shifts. */
function grid(plan: StaffingPlan): HTMLElement {
  const hourOf = new Map(plan.hours.map((hour) => [`${hour.weekday}:${hour.hour}`, hour]));
  const weekdays = [1, 2, 3, 4, 5, 6, 7];
  return h(
    'section',
    { 'aria-labelledby': 'staffing-grid' },
    h('h2', { id: 'staffing-grid' }, t('staffing.grid')),
    legend(),
    h(
      'table',
      { class: 'staffing-grid', 'aria-labelledby': 'staffing-grid' },
      h('caption', {}, t('staffing.grid.caption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('staffing.hour')),
          weekdays.map((weekday) => h('th', { scope: 'col' }, t(`staffing.weekday.${weekday}`))),
        ),
      ),
      h(
        'tbody',
        {},
        Array.from({ length: 24 }, (_, hour) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, `${hour}:00`),
            weekdays.map((weekday) => cell(hourOf.get(`${weekday}:${hour}`)!)),
          ),
        ),
      ),
    ),
  );
}

function cell(hour: StaffingHour): HTMLElement {
  const needed = hour.agentsNeeded === null ? '—' : String(hour.agentsNeeded);
  const online = number(hour.agentsOnline);
  const calendar =
    hour.openShare >= 1
      ? t('staffing.open')
      : hour.openShare > 0
        ? t('staffing.partlyOpen')
        : t('staffing.closed');
  const classes = [
    hour.openShare === 0 ? 'closed' : '',
    ...hour.flags.map((flag) => `flag-${flag}`),
  ].filter(Boolean);
  return h(
    'td',
    {
      class: classes.join(' ') || undefined,
      'data-weekday': hour.weekday,
      'data-hour': hour.hour,
      'data-flags': hour.flags.join(' '),
    },
    h(
      'span',
      { 'aria-hidden': 'true' },
      t('staffing.cell', { needed, online }),
      hour.flags.length > 0 && ` ${hour.flags.map((flag) => MARKS[flag]).join('')}`,
    ),
    h(
      'span',
      { class: 'visually-hidden' },
      [
        t('staffing.cell.long', {
          weekday: t(`staffing.weekday.${hour.weekday}`),
          hour: hour.hour,
          arrivals: number(hour.arrivals),
          needed,
          online,
          calendar,
        }),
        ...hour.flags.map((flag) => t(`staffing.flag.${flag}`)),
      ].join(' '),
    ),
  );
}

function legend(): HTMLElement {
  return h(
    'dl',
    { class: 'staffing-legend', 'aria-label': t('staffing.legend') },
    (Object.keys(MARKS) as Flag[]).flatMap((flag) => [
      h('dt', { class: `flag-${flag}` }, MARKS[flag]),
      h('dd', {}, t(`staffing.flag.${flag}`)),
    ]),
  );
}

function closedDays(plan: StaffingPlan): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'staffing-closed-days' },
    h('h2', { id: 'staffing-closed-days' }, t('staffing.closedDays')),
    plan.closedDaysWithTraffic.length === 0
      ? h('p', {}, t('staffing.noClosedDays'))
      : h(
          'ul',
          { class: 'staffing-closed-days' },
          plan.closedDaysWithTraffic.map((day) =>
            h(
              'li',
              {},
              t('staffing.closedDay', {
                weekday: t(`staffing.weekday.${day.weekday}`),
                date: day.date,
                arrivals: day.arrivals,
              }),
            ),
          ),
        ),
  );
}
