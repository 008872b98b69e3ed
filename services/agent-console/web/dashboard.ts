import type { Schemas } from './api.js';
import type { Screen } from './context.js';
import { field, h, replace, select } from './dom.js';
import { dashboardTexts } from './dashboard-texts.js';
import { addTexts, t } from './i18n.js';
import {
  complianceZone,
  formatMetric,
  heatMap,
  type Metric,
  type QueueTicket,
  type Zone,
} from './logic.js';

addTexts(dashboardTexts);

const METRICS: Metric[] = [
  'firstResponseMs',
  'resolutionMs',
  'reopenRate',
  'csatAverage',
  'slaCompliance',
  'answerPromisesKept',
  'backlog',
];
const settings = { by: 'team', days: '7' };

type KpiAnswer = Schemas['KpiReport'];

/**
 * KPIs by team, agent or channel as bar charts, the open queue by SLA zone, and a heat map of
 * when the open tickets arrived. Live updates refresh it.
 */
export const dashboardScreen: Screen = (container, context) => {
  const by = select(
    ['team', 'agent', 'channel'].map((value) => [value, t(`dashboard.by.${value}`)]),
    settings.by,
  );
  const days = select(
    ['1', '7', '30'].map((value) => [value, t(`dashboard.period.${value}`)]),
    settings.days,
  );
  const content = h('div', { 'aria-live': 'off' });
  const updated = h('p', { class: 'hint', role: 'status' });
  replace(
    container,
    h('h1', {}, t('dashboard.title')),
    h(
      'div',
      { class: 'toolbar' },
      field(t('dashboard.by'), by, 'dashboard-by'),
      field(t('dashboard.period'), days, 'dashboard-period'),
    ),
    updated,
    content,
  );

  const label = (key: string) =>
    settings.by === 'team'
      ? context.teamName(key)
      : settings.by === 'agent'
        ? context.agentName(key || null)
        : t(`channel.${key}`);

  async function load(): Promise<void> {
    const to = new Date(Date.now() + 60_000);
    const from = new Date(to.getTime() - Number(settings.days) * 86_400_000);
    const query = new URLSearchParams({
      by: settings.by,
      from: from.toISOString(),
      to: to.toISOString(),
    });
    const [kpis, queue] = await Promise.all([
      context.api.get<KpiAnswer>(`/kpis?${query}`),
      context.api.get<Schemas['QueuePage']>('/queue?view=all&limit=200'),
    ]);
    if (!active) return;
    replace(
      content,
      h(
        'section',
        { 'aria-labelledby': 'zones-title' },
        h('h2', { id: 'zones-title' }, t('dashboard.zones')),
        zones(queue.tickets),
      ),
      kpis.groups.length === 0
        ? h('p', {}, t('dashboard.noData'))
        : h(
            'div',
            { class: 'cards' },
            METRICS.map((metric) => chart(metric, kpis.groups, label)),
          ),
      h(
        'section',
        { 'aria-labelledby': 'heat-title' },
        h('h2', { id: 'heat-title' }, t('dashboard.heat')),
        heat(queue.tickets),
      ),
    );
    updated.textContent = t('dashboard.updated', { time: new Date().toLocaleTimeString() });
    container.dataset.ready = 'true';
  }

  const reload = () => void load().catch((error: unknown) => (updated.textContent = String(error)));
  by.addEventListener('change', () => {
    settings.by = by.value;
    reload();
  });
  days.addEventListener('change', () => {
    settings.days = days.value;
    reload();
  });
  let active = true;
  let pending: number | undefined;
  const stopLive = context.onLive((message) => {
    if (message.type !== 'ticket-event') return;
    window.clearTimeout(pending);
    pending = window.setTimeout(reload, 500);
  });
  reload();
  return () => {
    active = false;
    stopLive();
    window.clearTimeout(pending);
  };
};

function chart(
  metric: Metric,
  groups: KpiAnswer['groups'],
  label: (key: string) => string,
): HTMLElement {
  const values = groups.map((group) => group.summary[metric]);
  const largest = Math.max(...values.map((value) => value ?? 0), metric === 'csatAverage' ? 5 : 0);
  const id = `metric-${metric}`;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id, 'data-metric': metric },
    h('h2', { id }, t(`metric.${metric}`)),
    h(
      'div',
      { class: 'bars' },
      groups.flatMap((group) => {
        const value = group.summary[metric];
        // Promises are coloured by the targets the tickets service holds them to.
        const zone: Zone | undefined =
          metric === 'slaCompliance'
            ? complianceZone(value)
            : metric === 'answerPromisesKept'
              ? group.zones[metric]
              : undefined;
        const share = largest > 0 && value !== null ? (value / largest) * 100 : 0;
        return [
          h('span', {}, label(group.key)),
          h('div', {
            class: zone ? `bar zone-${zone}` : 'bar',
            style: `width: ${share.toFixed(1)}%`,
            'aria-hidden': 'true',
          }),
          h(
            'span',
            { 'data-group': group.key, class: zone ? `sla zone-${zone}` : undefined },
            formatMetric(metric, value),
          ),
        ];
      }),
    ),
  );
}

function zones(tickets: QueueTicket[]): HTMLElement {
  const count = (zone: Zone) => tickets.filter((ticket) => ticket.zone === zone).length;
  return h(
    'p',
    { class: 'zones' },
    (['red', 'yellow', 'green'] as const).map((zone) =>
      h(
        'span',
        { class: `sla zone-${zone}`, 'data-zone': zone },
        `${t(`zone.${zone}`)}: ${count(zone)}`,
      ),
    ),
  );
}

function heat(tickets: QueueTicket[]): HTMLElement {
  const cells = heatMap(tickets.map((ticket) => ticket.createdAt));
  const largest = Math.max(1, ...cells.flat());
  return h(
    'table',
    { class: 'heatmap' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('td', {}),
        Array.from({ length: 24 }, (_, hour) => h('th', { scope: 'col' }, String(hour))),
      ),
    ),
    h(
      'tbody',
      {},
      cells.map((row, weekday) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, t(`weekday.${weekday}`)),
          row.map((value) =>
            h(
              'td',
              {
                style: `background: rgba(11, 87, 164, ${(value / largest).toFixed(2)}); color: ${value / largest > 0.5 ? '#fff' : '#1b1f24'}`,
              },
              value ? String(value) : '',
            ),
          ),
        ),
      ),
    ),
  );
}
