// Callback tasks: a customer's request to be called, as a card on the ticket and in the
// Callbacks list, with what came of each call.

import { ApiError, type Schemas } from './api.js';
import type { Context, Screen } from './context.js';
import { field, h, replace } from './dom.js';
import { addTexts, language, t } from './i18n.js';
import { windowText } from './logic.js';
import { supervisorTexts } from './supervisor-texts.js';

addTexts(supervisorTexts);

/** A callback card: the ticket's own, or one of the list, which names its ticket. */
type Callback = Schemas['CallbackView'] &
  Partial<Pick<Schemas['ListedCallbackView'], 'ticketNumber' | 'subject' | 'customerName'>>;

/** A retry time being typed stays until it is sent: no redraw meanwhile. */
const typingIn = (element: HTMLElement) =>
  document.activeElement instanceof HTMLInputElement && element.contains(document.activeElement);

/** The agent's own zone, as the browser knows it. */
const agentZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A ticket's callback cards; `refresh` reloads them, `changed` reloads the ticket. */
export function callbackCards(
  ticketId: string,
  context: Context,
  changed: () => void,
): { element: HTMLElement; refresh(): void } {
  const element = h('div', { class: 'callbacks' });
  const refresh = () => {
    context.api.get<Callback[]>(`/tickets/${encodeURIComponent(ticketId)}/callbacks`).then(
      (callbacks) => {
        if (typingIn(element)) return;
        replace(
          element,
          callbacks.map((callback) => callbackCard(callback, context, changed)),
        );
      },
      () => undefined,
    );
  };
  return { element, refresh };
}

function callbackCard(callback: Callback, context: Context, changed: () => void): HTMLElement {
  const locale = document.documentElement.lang || language();
  const at = (time: string, timeZone = agentZone()) =>
    new Date(time).toLocaleString(locale, { timeZone, dateStyle: 'short', timeStyle: 'short' });
  const window = (timeZone: string) =>
    windowText(callback.windowStartsAt, callback.windowEndsAt, timeZone, locale);
  const error = h('p', { class: 'error', role: 'alert' });
  const record = (action: string, retryAt?: string) => {
    error.textContent = '';
    context.api
      .call('POST', `/callbacks/${encodeURIComponent(callback.id)}/outcome`, { action, retryAt })
      .then(
        () => {
          context.announce(t('callback.recorded'));
          changed();
        },
        (failure: unknown) => {
          error.textContent = failure instanceof ApiError ? failure.message : t('error.network');
        },
      );
  };
  const id = `callback-${callback.id}`;
  const retry = h('input', { type: 'datetime-local', required: true });
  const noAnswer = h(
    'form',
    { class: 'inline' },
    field(t('callback.retryAt'), retry, `${id}-retry`),
    h('button', { type: 'submit' }, t('callback.noAnswer')),
  );
  noAnswer.addEventListener('submit', (event) => {
    event.preventDefault();
    // The field holds the agent's local time; the API takes an instant.
    record('no-answer', new Date(retry.value).toISOString());
  });
  const done = callback.doneAt !== null;
  return h(
    'article',
    {
      class: done ? 'callback-card done' : 'callback-card',
      'aria-labelledby': `${id}-title`,
      'data-callback': callback.id,
    },
    h(
      'h3',
      { id: `${id}-title` },
      t('callback.title'),
      callback.ticketNumber &&
        h(
          'a',
          { href: `#/ticket/${callback.ticketId}`, class: 'ticket-link' },
          ` #${callback.ticketNumber} ${callback.customerName ?? ''}`,
        ),
    ),
    h(
      'p',
      {},
      h(
        'a',
        { href: `tel:${callback.phone}`, class: 'phone' },
        t('callback.call', { phone: callback.phone }),
      ),
    ),
    h(
      'p',
      {},
      t('callback.window', { window: window(callback.teamTimeZone), zone: callback.teamTimeZone }),
    ),
    callback.teamTimeZone !== agentZone() &&
      h('p', {}, t('callback.yourTime', { window: window(agentZone()), zone: agentZone() })),
    done
      ? h(
          'p',
          { class: 'callback-done' },
          t(`callback.done.${callback.lastAction}`, { time: at(callback.doneAt!) }),
          ` · ${t(callback.onTime ? 'callback.onTime' : 'callback.late')}`,
        )
      : h('p', { class: 'callback-due' }, t('callback.due', { time: at(callback.dueAt) })),
    h('p', {}, t('callback.attempts', { count: callback.attempts })),
    !done &&
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => record('called') }, t('callback.called')),
        h(
          'button',
          { type: 'button', onclick: () => record('other-channel') },
          t('callback.otherChannel'),
        ),
        noAnswer,
      ),
    error,
  );
}

/** Every callback of the agent's teams (a supervisor's: all), to call or done. */
export const callbacksScreen: Screen = (container, context, [tab = 'open']) => {
  const status = tab === 'done' ? 'done' : 'open';
  const list = h('div', { class: 'callbacks' });
  replace(
    container,
    h('h1', {}, t('callbacks.title')),
    h(
      'nav',
      { class: 'tabs', 'aria-label': t('callbacks.title') },
      (['open', 'done'] as const).map((name) =>
        h(
          'a',
          { href: `#/callbacks/${name}`, 'aria-current': name === status ? 'page' : undefined },
          t(`callbacks.${name}`),
        ),
      ),
    ),
    list,
  );
  let active = true;
  const load = () =>
    context.api.get<Callback[]>(`/callbacks?status=${status}`).then((callbacks) => {
      if (!active || typingIn(list)) return;
      replace(
        list,
        callbacks.length === 0
          ? h('p', {}, t('callbacks.none'))
          : callbacks.map((callback) => callbackCard(callback, context, () => void load())),
      );
      container.dataset.ready = 'true';
    });
  void load();
  const stopLive = context.onLive((message) => {
    if (message.type === 'ticket-event') void load();
  });
  return () => {
    active = false;
    stopLive();
  };
};
