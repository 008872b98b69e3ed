// Supervisors' notifications in the header: a low CSAT score means a call back, an overdue first
// response a look at the queue. Pushed live; the count is what arrived since the panel was last
// opened, remembered per agent in this browser.

import type { Api, LiveMessage, Schemas } from './api.js';
import type { Context } from './context.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { unreadNotifications, type SupervisorNotification } from './logic.js';

const SEEN_KEY = 'firstline.notifications.seen';

/** The button with its unread count and the panel it opens; for supervisors and admins. */
export function notificationsPanel(api: Api, context: Context): HTMLElement {
  const seenKey = `${SEEN_KEY}.${context.agent.id}`;
  let items: SupervisorNotification[] = [];
  let seenAt = localStorage.getItem(seenKey) ?? '';
  const count = h('span', { class: 'badge', 'aria-hidden': 'true' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'notifications-toggle',
      'aria-expanded': 'false',
      'aria-controls': 'notifications',
    },
    t('notifications'),
    ' ',
    count,
  );
  const list = h('ul', {});
  const panel = h(
    'section',
    { id: 'notifications', class: 'notifications', 'aria-label': t('notifications'), hidden: true },
    h('h2', {}, t('notifications')),
    list,
  );

  const render = () => {
    const unread = unreadNotifications(items, seenAt);
    count.textContent = unread > 0 ? String(unread) : '';
    button.setAttribute(
      'aria-label',
      unread > 0 ? t('notifications.unread', { count: unread }) : t('notifications'),
    );
    button.dataset.unread = String(unread);
    replace(
      list,
      items.length === 0
        ? h('li', {}, t('notifications.none'))
        : items.map((item) =>
            h(
              'li',
              { class: item.createdAt > seenAt ? 'unread' : '' },
              h('a', { href: `#/ticket/${item.ticketId}` }, notificationText(item)),
              h('time', { datetime: item.createdAt }, new Date(item.createdAt).toLocaleString()),
            ),
          ),
    );
  };
  button.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open && items[0]) {
      // Opened: everything shown is read.
      seenAt = items[0].createdAt;
      localStorage.setItem(seenKey, seenAt);
    }
    render();
  });

  context.onLive((message: LiveMessage) => {
    const pushed = message.notification;
    if (message.type !== 'notification' || !pushed) return;
    if (items.some((item) => item.id === pushed.id)) return;
    items = [pushed, ...items];
    render();
    context.announce(notificationText(pushed));
  });
  api
    .get<Schemas['NotificationList']>('/notifications')
    .then((answer) => {
      const known = new Set(items.map((item) => item.id));
      items = [...items, ...answer.items.filter((item) => !known.has(item.id))];
      render();
    })
    .catch(() => render());
  render();
  return h('div', { class: 'notifications-menu' }, button, panel);
}

function notificationText(item: SupervisorNotification): string {
  if (item.kind === 'low-csat') {
    const text = t('notifications.lowCsat', { number: item.ticketNumber, score: item.score ?? '' });
    return item.comment ? `${text}: “${item.comment}”` : text;
  }
  return t('notifications.breached', { number: item.ticketNumber });
}
