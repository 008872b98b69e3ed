import type { Schemas } from './api.js';
import type { Screen } from './context.js';
import { chatSoundMuted, flashTitle, playChime, setChatSoundMuted } from './chat-alert.js';
import { field, h, replace, select } from './dom.js';
import { t } from './i18n.js';
import {
  appendPage,
  moveSelection,
  queueTabs,
  slaCountdown,
  tabQuery,
  type QueueTab,
  type QueueTicket,
} from './logic.js';

const CHANNELS = ['email', 'telegram', 'vk', 'ok', 'webform', 'chat'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
/** Remembered across screens: coming back from a ticket shows the same tab and filters. */
const remembered = { tab: 'mine' as QueueTab, channel: '', priority: '' };

/**
 * The unified queue: one list for every channel, soonest due first, with the SLA countdown in
 * its traffic-light colour. A page at a time, "Show more" adds the next; live updates reload it
 * without shrinking it; arrows or j/k move, Enter opens.
 */
export const queueScreen: Screen = (container, context, [tabInRoute]) => {
  const tabs = queueTabs(context.agent.role);
  // `#/queue/team` opens a tab directly (bookmarks, the benchmark).
  if (tabs.includes(tabInRoute as QueueTab)) remembered.tab = tabInRoute as QueueTab;
  if (!tabs.includes(remembered.tab)) remembered.tab = 'mine';
  const showTab = (tab: QueueTab) => {
    remembered.tab = tab;
    history.replaceState(null, '', `#/queue/${tab}`);
    void load(true);
  };
  const known = new Set<string>();
  /** Chats that arrived while the queue was open: marked until opened. */
  const newChats = new Set<string>();
  let tickets: QueueTicket[] = [];
  /** The API's cursor of the page after the shown ones; null once all are shown. */
  let cursor: string | null = null;
  let selected = 0;
  let active = true;

  const tabList = h('div', { role: 'tablist', 'aria-label': t('queue.views') });
  const tabButtons = tabs.map((tab, index) => {
    const button = h(
      'button',
      { type: 'button', role: 'tab', 'data-tab': tab, title: `${index + 1}` },
      t(`queue.tab.${tab}`),
    );
    button.addEventListener('click', () => showTab(tab));
    tabList.append(button);
    return button;
  });
  const channel = select(
    [['', t('queue.anyChannel')], ...CHANNELS.map((c): [string, string] => [c, t(`channel.${c}`)])],
    remembered.channel,
  );
  const priority = select(
    [
      ['', t('queue.anyPriority')],
      ...PRIORITIES.map((p): [string, string] => [p, t(`priority.${p}`)]),
    ],
    remembered.priority,
  );
  channel.addEventListener('change', () => {
    remembered.channel = channel.value;
    void load(true);
  });
  priority.addEventListener('change', () => {
    remembered.priority = priority.value;
    void load(true);
  });
  const sound = h('button', { type: 'button', class: 'chat-sound' });
  const showSound = () => {
    const muted = chatSoundMuted();
    sound.setAttribute('aria-pressed', String(!muted));
    sound.textContent = t(muted ? 'queue.chatSoundOff' : 'queue.chatSoundOn');
  };
  showSound();
  sound.addEventListener('click', () => {
    setChatSoundMuted(!chatSoundMuted());
    showSound();
  });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'queue', 'aria-labelledby': 'queue-title' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['number', 'subject', 'channel', 'priority', 'team', 'assignee', 'sla'].map((column) =>
          h('th', { scope: 'col' }, t(`queue.column.${column}`)),
        ),
      ),
    ),
    body,
  );
  const status = h('p', { class: 'queue-status', role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, t('queue.more'));
  more.addEventListener('click', () => {
    showMore().catch((error: unknown) => {
      status.textContent = String(error);
    });
  });
  replace(
    container,
    h('h1', { id: 'queue-title' }, t('queue.title')),
    h(
      'div',
      { class: 'toolbar' },
      tabList,
      field(t('queue.channel'), channel, 'queue-channel'),
      field(t('queue.priority'), priority, 'queue-priority'),
      sound,
    ),
    h('p', { class: 'hint' }, t('queue.keys', { last: tabs.length })),
    table,
    h('div', { class: 'queue-footer' }, status, more),
  );

  const open = (ticket: QueueTicket) => {
    newChats.delete(ticket.id);
    location.hash = `#/ticket/${encodeURIComponent(ticket.id)}`;
  };

  /** Draws the rows; a fresh list (another tab or filter) marks none as just arrived. */
  function render(fresh: boolean): void {
    const now = Date.now();
    // A live update redraws the rows; the agent moving through them keeps their place, and one
    // on "Show more" when it goes away (nothing left to show) moves to the rows.
    const hadFocus =
      body.contains(document.activeElement) || (document.activeElement === more && !cursor);
    tabButtons.forEach((button) =>
      button.setAttribute('aria-selected', String(button.dataset.tab === remembered.tab)),
    );
    body.replaceChildren(
      ...tickets.map((ticket, index) => {
        const countdown = slaCountdown(ticket, now);
        const row = h(
          'tr',
          {
            tabindex: index === selected ? 0 : -1,
            'data-ticket': ticket.id,
            class:
              [
                known.has(ticket.id) || fresh ? '' : 'arrived',
                newChats.has(ticket.id) ? 'new-chat' : '',
              ]
                .join(' ')
                .trim() || undefined,
          },
          h('td', {}, `#${ticket.number}`),
          h(
            'td',
            {},
            h('a', { href: `#/ticket/${ticket.id}`, tabindex: -1 }, ticket.subject || '—'),
          ),
          h(
            'td',
            {},
            h(
              'span',
              { class: `channel channel-${ticket.channel}` },
              t(`channel.${ticket.channel}`),
            ),
            newChats.has(ticket.id) ? h('span', { class: 'badge' }, t('queue.newChat')) : null,
          ),
          h(
            'td',
            {},
            h(
              'span',
              { class: `priority priority-${ticket.priority}` },
              t(`priority.${ticket.priority}`),
            ),
          ),
          h('td', {}, context.teamName(ticket.teamId)),
          h('td', {}, context.agentName(ticket.assigneeId)),
          h(
            'td',
            {},
            h(
              'span',
              { class: `sla zone-${countdown.zone}`, 'data-zone': countdown.zone },
              h('span', { class: 'visually-hidden' }, `${t(`zone.${countdown.zone}`)}: `),
              countdown.paused ? `⏸ ${countdown.text}` : countdown.text,
            ),
          ),
        );
        row.addEventListener('click', () => open(ticket));
        row.addEventListener('focus', () => {
          selected = index;
        });
        return row;
      }),
    );
    if (hadFocus) (body.children[selected] as HTMLElement | undefined)?.focus();
    for (const ticket of tickets) known.add(ticket.id);
    more.hidden = !cursor;
    status.textContent = cursor
      ? t('queue.shown', { count: tickets.length })
      : tickets.length === 0
        ? t('queue.empty')
        : t('queue.count', { count: tickets.length });
  }

  /** Pages from the cursor `after` on, added to `shown`, until `wanted` tickets or no more. */
  async function fetchPages(shown: QueueTicket[], after: string | null, wanted: number) {
    const { view, unassignedOnly } = tabQuery(remembered.tab);
    const query = new URLSearchParams({ view, limit: '200' });
    if (remembered.channel) query.set('channel', remembered.channel);
    if (remembered.priority) query.set('priority', remembered.priority);
    let list = shown;
    do {
      if (after) query.set('after', after);
      const page = await context.api.get<Schemas['QueuePage']>(`/queue?${query}`);
      list = appendPage(list, page.tickets, unassignedOnly);
      after = page.next;
    } while (after && list.length < wanted);
    return { list, after };
  }

  let loading = 0;
  /** A fresh list (first, another tab or filter) is one page; a reload keeps as many as shown. */
  async function load(fresh = false): Promise<void> {
    const request = ++loading;
    const result = await fetchPages([], null, fresh ? 0 : tickets.length);
    if (request !== loading || !active) return;
    const previous = new Set(tickets.map((ticket) => ticket.id));
    ({ list: tickets, after: cursor } = result);
    const arrived = fresh ? [] : tickets.filter((ticket) => !previous.has(ticket.id));
    selected = Math.min(selected, Math.max(tickets.length - 1, 0));
    const chats = arrived.filter((ticket) => ticket.channel === 'chat');
    for (const chat of chats) newChats.add(chat.id);
    render(fresh);
    if (arrived.length > 0) context.announce(t('queue.arrived', { count: arrived.length }));
    if (chats.length > 0) {
      playChime();
      flashTitle(t('queue.newChatTitle', { count: chats.length }));
    }
    if (container.dataset.ready !== 'true') {
      container.dataset.ready = 'true';
      // The moment the queue can be worked: what the benchmark measures from navigation.
      if (performance.getEntriesByName('queue-usable').length === 0)
        performance.mark('queue-usable');
    }
  }

  /** The next page (at least one more ticket the tab shows), focus on its first row. */
  async function showMore(): Promise<void> {
    const request = ++loading;
    const shown = tickets.length;
    const result = await fetchPages(tickets, cursor, shown + 1);
    if (request !== loading || !active) return;
    ({ list: tickets, after: cursor } = result);
    // Tickets further down the list are not news: no "arrived" mark.
    for (const ticket of tickets) known.add(ticket.id);
    if (tickets.length > shown) selected = shown;
    render(false);
    (body.children[selected] as HTMLElement | undefined)?.focus();
    context.announce(t('queue.added', { count: tickets.length - shown }));
  }

  table.addEventListener('keydown', (event) => {
    const next = moveSelection(selected, event.key, tickets.length);
    if (event.key === 'Enter' && tickets[selected]) {
      event.preventDefault();
      open(tickets[selected]);
    } else if (next !== selected) {
      event.preventDefault();
      selected = next;
      body.querySelectorAll('tr').forEach((row, index) => {
        row.tabIndex = index === selected ? 0 : -1;
      });
      (body.children[selected] as HTMLElement).focus();
    }
  });
  // 1–4 switch tabs, unless typing into a field.
  const onKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) ||
      event.altKey ||
      event.ctrlKey ||
      event.metaKey
    )
      return;
    const tab = tabs[Number(event.key) - 1];
    if (tab) showTab(tab);
  };
  document.addEventListener('keydown', onKey);

  let reload: number | undefined;
  const stopLive = context.onLive((message) => {
    if (message.type !== 'ticket-event') return;
    // A burst of events (a new ticket is created, routed and assigned) reloads once; they come
    // within milliseconds of each other, and every millisecond here is the customer's wait.
    window.clearTimeout(reload);
    reload = window.setTimeout(() => void load(), 50);
  });
  const ticking = window.setInterval(() => {
    const now = Date.now();
    body.querySelectorAll<HTMLElement>('tr').forEach((row, index) => {
      const ticket = tickets[index];
      const cell = row.querySelector<HTMLElement>('.sla');
      if (!ticket || !cell) return;
      const countdown = slaCountdown(ticket, now);
      cell.className = `sla zone-${countdown.zone}`;
      cell.dataset.zone = countdown.zone;
      cell.firstChild!.textContent = `${t(`zone.${countdown.zone}`)}: `;
      cell.lastChild!.textContent = countdown.paused ? `⏸ ${countdown.text}` : countdown.text;
    });
  }, 1000);

  load(true).then(
    () => (body.querySelector('tr') as HTMLElement | null)?.focus(),
    (error: unknown) => {
      status.textContent = String(error);
    },
  );
  return () => {
    active = false;
    stopLive();
    window.clearInterval(ticking);
    window.clearTimeout(reload);
    document.removeEventListener('keydown', onKey);
  };
};
