import { ApiError, newIdempotencyKey, type Schemas } from './api.js';
import { callbackCards } from './callbacks.js';
import type { Context, Screen } from './context.js';
import { field, h, replace, select } from './dom.js';
import { t } from './i18n.js';
import {
  fileSize,
  isPreviewable,
  laterDelivery,
  latestVisitorMessage,
  parseTags,
  replySending,
  slaCountdown,
  timeline,
  typingWorthTelling,
  unfilledPlaceholders,
  type ApiAttachment,
  type ApiEvent,
  type ReplySending,
  type TimelineEntry,
} from './logic.js';

type Customer = Schemas['CustomerView'];
/** Events are protobuf JSON in the API's schema; the console reads the fields it shows. */
type TicketView = Omit<Schemas['TicketView'], 'events'> & { events: ApiEvent[] };
type CommandAnswer = Schemas['CommandAnswer'];
type CannedReply = Schemas['CannedReplyView'];
type UploadedAttachment = Schemas['UploadedAttachment'];

const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'];

/**
 * One ticket: the customer's whole conversation across channels, the customer card, and the
 * reply, note, transfer and status controls. Live updates of this ticket redraw what they show;
 * the forms stay as they are, so an agent typing a reply keeps the text and the focus.
 */
export const ticketScreen: Screen = (container, context, [ticketId]) => {
  const path = `/tickets/${encodeURIComponent(ticketId)}`;
  const feedback = h('p', { class: 'feedback', role: 'status' });
  const facts = h('div', { class: 'ticket-header' });
  const conversation = h('ol', { class: 'timeline', 'aria-label': t('ticket.conversation') });
  const card = h('div');
  // A live chat's visitor typing: announced politely, gone when the cue's time is up.
  const visitorTyping = h('p', { class: 'typing', 'aria-live': 'polite' });
  let visitorTypingTimer: number | undefined;
  // Receipts pushed live, ahead of the stored status a reload reads.
  const liveDelivery = new Map<string, string>();
  // The visitor's latest message the agent has been shown: the chat service was told.
  let readTold: string | undefined;
  const status = select(STATUSES.map((value) => [value, t(`status.${value}`)]));
  const claim = h('button', { type: 'button' }, t('ticket.claim'));
  const cannedPicker = select([['', t('reply.cannedNone')]]);
  const transferTeam = select([]);
  const callbacks = callbackCards(ticketId, context, () => void load());
  // Supervisors' controls load with the first ticket a supervisor opens; agents never fetch them.
  const supervising = h('div');
  let supervisor: { update(view: TicketView): void } | undefined;
  if (context.agent.role !== 'agent') {
    void import('./supervisor.js').then((module) => {
      const panel = module.supervisorPanel(context, () => void load());
      supervisor = panel;
      supervising.replaceChildren(panel.element);
      if (latest) panel.update(latest);
    });
  }
  let latest: TicketView | undefined;
  let canned: CannedReply[] = [];
  let shown = false;
  // Only the latest load draws, and nothing once the agent has left the screen.
  let loads = 0;
  let active = true;

  async function load(): Promise<void> {
    const request = ++loads;
    try {
      const [loaded, replies] = await Promise.all([
        context.api.get<TicketView>(path),
        context.api.get<CannedReply[]>(`${path}/canned-replies`).catch(() => []),
      ]);
      if (!active || request !== loads) return;
      render(loaded, replies);
      latest = loaded;
      tellRead();
      callbacks.refresh();
      supervisor?.update(loaded);
      container.dataset.ready = 'true';
    } catch (error) {
      if (active && request === loads) {
        replace(container, h('p', { class: 'error', role: 'alert' }, messageOf(error)));
        shown = false;
      }
    }
  }

  async function act<T>(
    work: () => Promise<T>,
    done: string | ((result: T) => string),
  ): Promise<boolean> {
    feedback.className = 'feedback';
    try {
      const result = await work();
      feedback.textContent = typeof done === 'string' ? done : done(result);
      await load();
      return true;
    } catch (error) {
      feedback.className = 'feedback error';
      feedback.textContent = messageOf(error);
      return false;
    }
  }

  function render(view: TicketView, replies: CannedReply[]): void {
    const { ticket } = view;
    const countdown = slaCountdown(ticket, Date.now());
    replace(
      facts,
      h('h1', {}, `#${ticket.number} ${ticket.subject}`),
      h(
        'p',
        { class: 'facts' },
        h('span', { class: `channel channel-${ticket.channel}` }, t(`channel.${ticket.channel}`)),
        h(
          'span',
          { class: `priority priority-${ticket.priority}` },
          t(`priority.${ticket.priority}`),
        ),
        h('span', {}, `${t('ticket.team')}: ${context.teamName(ticket.teamId)}`),
        h('span', {}, `${t('ticket.assignee')}: ${context.agentName(ticket.assigneeId)}`),
        ticket.previousTicketNumber &&
          h(
            'span',
            { class: 'linked-ticket' },
            t('ticket.linked', { number: ticket.previousTicketNumber }),
          ),
        countdown.text
          ? h(
              'span',
              { class: `sla zone-${countdown.zone}` },
              `${t('queue.column.sla')}: ${countdown.paused ? '⏸ ' : ''}${countdown.text} (${t(`zone.${countdown.zone}`)})`,
            )
          : h('span', {}, `${t('queue.column.sla')}: —`),
      ),
    );
    if (document.activeElement !== status) status.value = ticket.status;
    claim.hidden = ticket.assigneeId === context.agent.id;
    for (const message of view.messages) {
      const status = laterDelivery(message.delivery?.status, liveDelivery.get(message.id));
      if (status) message.delivery = { reason: null, ...message.delivery, status };
    }
    replace(
      conversation,
      timeline(view).map((entry) => timelineItem(entry, ticket.number, context)),
    );
    // An open edit of the customer's profile keeps what is typed.
    if (!card.querySelector('form:not([hidden])')) replace(card, customerCard(view, context));
    if (JSON.stringify(replies) !== JSON.stringify(canned)) {
      canned = replies;
      replace(
        cannedPicker,
        [['', t('reply.cannedNone')], ...replies.map((c): [string, string] => [c.id, c.title])].map(
          ([value, label]) => h('option', { value }, label),
        ),
      );
    }
    const chosenTeam = transferTeam.value;
    // Another team's queue, or a colleague of this team directly (values "agent:<id>").
    replace(
      transferTeam,
      h(
        'optgroup',
        { label: t('transfer.teams') },
        context.teams
          .filter((candidate) => candidate.id !== ticket.teamId)
          .map((candidate) =>
            h(
              'option',
              { value: candidate.id, selected: candidate.id === chosenTeam },
              candidate.name,
            ),
          ),
      ),
      h(
        'optgroup',
        { label: t('transfer.colleagues') },
        context.agents
          .filter(
            (colleague) =>
              colleague.active &&
              colleague.teamIds.includes(ticket.teamId) &&
              colleague.id !== ticket.assigneeId,
          )
          .map((colleague) =>
            h(
              'option',
              {
                value: `agent:${colleague.id}`,
                selected: `agent:${colleague.id}` === chosenTeam,
              },
              colleague.name,
            ),
          ),
      ),
    );
    if (!shown) {
      shown = true;
      replace(
        container,
        h(
          'div',
          { class: 'ticket-layout' },
          h(
            'section',
            { class: 'ticket-main', 'aria-labelledby': 'conversation-title' },
            h('p', {}, h('a', { href: '#/queue' }, `← ${t('nav.queue')}`)),
            facts,
            statusControls(),
            callbacks.element,
            supervising,
            h('h2', { id: 'conversation-title' }, t('ticket.conversation')),
            conversation,
            visitorTyping,
            composers(),
            transferForm(),
            feedback,
          ),
          card,
        ),
      );
    }
  }

  function statusControls(): HTMLElement {
    const statusForm = h(
      'form',
      { class: 'inline', 'aria-label': t('ticket.changeStatus') },
      field(t('ticket.status'), status, 'ticket-status'),
      h('button', { type: 'submit' }, t('ticket.setStatus')),
    );
    statusForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void act(
        () => context.api.call('POST', `${path}/status`, { status: status.value }),
        t('ticket.statusChanged', { status: t(`status.${status.value}`) }),
      );
    });
    claim.addEventListener('click', () => {
      // The router decides (202 when it has not yet): the live event then shows the assignee.
      void act(
        () => context.api.call<CommandAnswer>('POST', `${path}/claim`),
        (answer) => t(answer.status === 'requested' ? 'ticket.claimRequested' : 'ticket.claimed'),
      );
    });
    return h('div', { class: 'actions' }, statusForm, claim);
  }

  function composers(): HTMLElement {
    const reply = h('textarea', { rows: 6, required: true });
    const warning = h('p', { class: 'warning', role: 'status' });
    const warnUnfilled = () => {
      const missing = unfilledPlaceholders(reply.value);
      warning.textContent = missing.length ? t('reply.fillIn', { names: missing.join(', ') }) : '';
    };
    reply.addEventListener('input', warnUnfilled);
    let typingToldAt = 0;
    reply.addEventListener('input', () => {
      if (latest?.ticket.channel !== 'chat') return;
      if (!typingWorthTelling(reply.value, typingToldAt, Date.now())) return;
      typingToldAt = Date.now();
      // The visitor's cue fades by itself: a lost one is not worth an error here.
      context.api.call('POST', `${path}/chat/typing`).catch(() => undefined);
    });
    cannedPicker.addEventListener('change', () => {
      const chosen = canned.find((c) => c.id === cannedPicker.value);
      if (!chosen) return;
      reply.value = reply.value ? `${reply.value}\n\n${chosen.text}` : chosen.text;
      cannedPicker.value = '';
      warnUnfilled();
      reply.focus();
    });
    // Files upload as soon as they are picked or dropped, so a file the channel cannot carry is
    // refused before the agent sends; the reply then names the uploaded ones.
    let attached: UploadedAttachment[] = [];
    const fileList = h('ul', { class: 'attached-files', 'aria-live': 'polite' });
    const filePicker = h('input', { type: 'file', multiple: true });
    const showAttached = () =>
      fileList.replaceChildren(
        ...attached.map((file) =>
          h(
            'li',
            {},
            `${file.fileName} (${fileSize(file.sizeBytes)}) `,
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                'aria-label': t('reply.removeFile', { name: file.fileName }),
                onclick: () => {
                  attached = attached.filter((other) => other !== file);
                  showAttached();
                },
              },
              '×',
            ),
          ),
        ),
      );
    const attach = async (files: File[]) => {
      for (const file of files) {
        feedback.className = 'feedback';
        feedback.textContent = t('reply.uploading', { name: file.name });
        try {
          const uploaded = await context.api.upload<UploadedAttachment>(
            `${path}/attachments`,
            file,
          );
          if (!attached.some((other) => other.storageKey === uploaded.storageKey)) {
            attached = [...attached, uploaded];
          }
          feedback.textContent = t('reply.attached', { name: file.name });
        } catch (error) {
          feedback.className = 'feedback error';
          feedback.textContent = `${file.name}: ${messageOf(error)}`;
        }
        showAttached();
      }
    };
    filePicker.addEventListener('change', () => {
      void attach(Array.from(filePicker.files ?? [])).then(() => (filePicker.value = ''));
    });
    const replyForm = h(
      'form',
      { class: 'composer reply', 'aria-labelledby': 'reply-title' },
      h('h2', { id: 'reply-title' }, t('reply.title')),
      field(t('reply.canned'), cannedPicker, 'canned-reply'),
      field(t('reply.text'), reply, 'reply-text'),
      field(t('reply.files'), filePicker, 'reply-files'),
      h('p', { class: 'hint' }, t('reply.dropHint')),
      fileList,
      warning,
      h('button', { type: 'submit' }, t('reply.send')),
    );
    replyForm.addEventListener('dragover', (event) => {
      event.preventDefault();
      replyForm.classList.add('dropping');
    });
    replyForm.addEventListener('dragleave', () => replyForm.classList.remove('dropping'));
    replyForm.addEventListener('drop', (event) => {
      event.preventDefault();
      replyForm.classList.remove('dropping');
      void attach(Array.from(event.dataTransfer?.files ?? []));
    });
    let sending: ReplySending | undefined;
    replyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const attachments = attached.map((file) => file.storageKey);
      // The same text with other files is another reply, with a key of its own.
      sending = replySending(
        sending,
        JSON.stringify([reply.value, attachments]),
        newIdempotencyKey,
      );
      const { key } = sending;
      const text = reply.value;
      void act(
        () =>
          context.api.call(
            'POST',
            `${path}/replies`,
            { text, attachments },
            { 'idempotency-key': key },
          ),
        t('reply.sent'),
      ).then((ok) => {
        if (!ok) return;
        if (sending?.key === key) sending = undefined;
        if (reply.value === text) reply.value = '';
        attached = attached.filter((file) => !attachments.includes(file.storageKey));
        showAttached();
      });
    });

    const note = h('textarea', { rows: 3, required: true });
    const noteForm = h(
      'form',
      { class: 'composer note', 'aria-labelledby': 'note-title' },
      h('h2', { id: 'note-title' }, t('note.title')),
      h('p', { class: 'hint' }, t('note.hint')),
      field(t('note.text'), note, 'note-text'),
      h('button', { type: 'submit' }, t('note.add')),
    );
    noteForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void act(
        () => context.api.call('POST', `${path}/notes`, { text: note.value }),
        t('note.added'),
      ).then((ok) => {
        if (ok) note.value = '';
      });
    });
    return h('div', { class: 'composers' }, replyForm, noteForm);
  }

  function transferForm(): HTMLElement {
    const note = h('textarea', { rows: 2, required: true });
    const form = h(
      'form',
      { class: 'transfer', 'aria-labelledby': 'transfer-title' },
      h('h2', { id: 'transfer-title' }, t('transfer.title')),
      field(t('transfer.team'), transferTeam, 'transfer-team'),
      field(t('transfer.note'), note, 'transfer-note'),
      h('button', { type: 'submit' }, t('transfer.submit')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const colleague = /^agent:(.+)$/.exec(transferTeam.value)?.[1];
      const team = colleague ? context.agentName(colleague) : context.teamName(transferTeam.value);
      const sent = colleague
        ? context.api.call<CommandAnswer>('POST', `${path}/hand-over`, {
            agentId: colleague,
            note: note.value,
          })
        : context.api.call<CommandAnswer>('POST', `${path}/transfer`, {
            teamId: transferTeam.value,
            note: note.value,
          });
      sent.then(
        (answer) => {
          // The ticket may now belong to someone else or a team this agent is not in: back to
          // the queue.
          context.announce(
            t(answer.status === 'requested' ? 'transfer.requested' : 'transfer.done', { team }),
          );
          location.hash = '#/queue';
        },
        (error: unknown) => {
          feedback.className = 'feedback error';
          feedback.textContent = messageOf(error);
        },
      );
    });
    return form;
  }

  /** Tells a live chat's visitor that their messages were seen: only while this page is visible. */
  function tellRead(): void {
    if (!latest || latest.ticket.channel !== 'chat' || document.visibilityState !== 'visible') {
      return;
    }
    const messageId = latestVisitorMessage(latest.messages, ticketId);
    if (!messageId || messageId === readTold) return;
    readTold = messageId;
    context.api.call('POST', `${path}/chat/read`, { messageId }).catch(() => {
      readTold = undefined;
    });
  }

  function showVisitorTyping(until: string): void {
    window.clearTimeout(visitorTypingTimer);
    const lasts = Math.min(Math.max(Date.parse(until) - Date.now(), 0), 10_000);
    visitorTyping.textContent = lasts > 0 ? t('chat.visitorTyping') : '';
    visitorTypingTimer = window.setTimeout(() => (visitorTyping.textContent = ''), lasts);
  }

  const stopLive = context.onLive((message) => {
    if (message.ticketId !== ticketId) return;
    if (message.type === 'ticket-event') {
      // A new message ends the visitor's typing; the reload shows it.
      visitorTyping.textContent = '';
      void load();
    } else if (message.type === 'chat-typing' && message.until) {
      showVisitorTyping(message.until);
    } else if (message.type === 'delivery' && message.messageId && message.status) {
      const status = laterDelivery(liveDelivery.get(message.messageId), message.status)!;
      liveDelivery.set(message.messageId, status);
      const mark = conversation.querySelector(
        `[data-message-id="${CSS.escape(message.messageId)}"] .delivery`,
      );
      if (mark) mark.textContent = t(`delivery.${status}`);
    }
  });
  document.addEventListener('visibilitychange', tellRead);
  // Escape goes back to the queue, unless it is leaving a field.
  const onKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (event.key !== 'Escape' || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    location.hash = '#/queue';
  };
  document.addEventListener('keydown', onKey);
  void load();
  return () => {
    active = false;
    stopLive();
    window.clearTimeout(visitorTypingTimer);
    document.removeEventListener('visibilitychange', tellRead);
    document.removeEventListener('keydown', onKey);
  };
};

function timelineItem(entry: TimelineEntry, currentNumber: string, context: Context): HTMLElement {
  const when = h('time', { datetime: new Date(entry.at).toISOString() }, formatTime(entry.at));
  const otherTicket =
    entry.ticketNumber !== currentNumber &&
    h('span', { class: 'other-ticket' }, t('ticket.earlier', { number: entry.ticketNumber }));
  if (entry.kind === 'note') {
    return h(
      'li',
      { class: 'entry note', 'data-kind': 'note' },
      h(
        'p',
        { class: 'meta' },
        h('strong', {}, t('note.label')),
        ' · ',
        context.agentName(entry.note.agentId),
        ' · ',
        when,
      ),
      h('p', { class: 'text' }, entry.note.text),
    );
  }
  if (entry.kind === 'event') {
    return h(
      'li',
      { class: 'entry event', 'data-kind': 'event' },
      h('p', { class: 'meta' }, eventText(entry.event, context), ' · ', when),
    );
  }
  const message = entry.message;
  const inbound = message.direction === 'in';
  // An inbound automatic message is a robot's (an out-of-office reply), not the customer writing.
  const author = inbound
    ? t(message.automatic ? 'message.autoResponse' : 'message.customer')
    : message.automatic || message.author.kind === 'system'
      ? t('message.automatic')
      : context.agentName(message.author.id);
  return h(
    'li',
    {
      class: `entry message ${inbound ? 'inbound' : 'outbound'}`,
      'data-kind': 'message',
      'data-message-id': message.id,
    },
    h(
      'p',
      { class: 'meta' },
      h('strong', {}, author),
      ' · ',
      h('span', { class: `channel channel-${message.channel}` }, t(`channel.${message.channel}`)),
      ' · ',
      when,
      otherTicket && ' · ',
      otherTicket,
      message.delivery && ' · ',
      message.delivery &&
        h('span', { class: 'delivery' }, t(`delivery.${message.delivery.status}`)),
    ),
    message.subject && h('p', { class: 'subject' }, message.subject),
    h('p', { class: 'text' }, message.text),
    message.attachments.length > 0 &&
      h(
        'ul',
        { class: 'attachments' },
        message.attachments.map((file) => attachmentItem(file, context)),
      ),
  );
}

/**
 * A message's file: a picture previewed, anything else a download link. The API wants the
 * agent's token, which an <img> or a link cannot send, so the console fetches the file itself.
 */
function attachmentItem(attachment: ApiAttachment, context: Context): HTMLElement {
  const name = attachment.fileName || t('message.attachment');
  const label = `${name} (${fileSize(attachment.sizeBytes)})`;
  const path = attachment.downloadPath;
  if (!path) {
    return h(
      'li',
      {},
      attachment.url
        ? h('a', { href: attachment.url, target: '_blank', rel: 'noopener' }, name)
        : name,
    );
  }
  const download = h('a', { href: '#', class: 'download' }, label);
  download.addEventListener('click', (event) => {
    event.preventDefault();
    void context.api.blob(path).then((blob) => {
      const link = h('a', { href: URL.createObjectURL(blob), download: name });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    });
  });
  if (!isPreviewable(attachment)) return h('li', {}, download);
  const preview = h('img', { alt: name, class: 'preview' });
  void context.api.blob(path).then((blob) => (preview.src = URL.createObjectURL(blob)));
  return h('li', {}, preview, download);
}

function eventText(event: ApiEvent, context: Context): string {
  if (event.transferred) {
    return t('event.transferred', {
      from: context.teamName(event.transferred.fromTeamId ?? ''),
      to: context.teamName(event.transferred.toTeamId ?? ''),
    });
  }
  if (event.statusChanged) {
    const name = (value?: string) =>
      t(`status.${(value ?? '').replace('TICKET_STATUS_', '').toLowerCase()}`);
    return t('event.status', {
      from: name(event.statusChanged.fromStatus),
      to: name(event.statusChanged.toStatus),
    });
  }
  if (event.assigned)
    return t('event.assigned', { agent: context.agentName(event.assigned.agentId ?? null) });
  return t(`event.${event.type.replace('TICKET_EVENT_TYPE_', '').toLowerCase()}`);
}

function customerCard(view: TicketView, context: Context, saved = false): HTMLElement {
  const customer = view.customer;
  const customerTags = customer?.tags ?? [];
  const csat = view.history.filter((past) => past.csatScore !== null);
  if (view.ticket.csatScore !== null) csat.unshift({ ...view.ticket, messages: [] });
  const aside: HTMLElement = h(
    'aside',
    { class: 'customer-card', 'aria-labelledby': 'customer-title' },
    h('h2', { id: 'customer-title' }, customer?.displayName || t('customer.unknown')),
    // Anyone can type anyone's address: say so before the agent trusts the name above.
    customer?.verified === false &&
      h(
        'p',
        { class: 'unverified-customer' },
        h('span', { class: 'unverified' }, t('customer.unverified')),
        ' ',
        t('customer.unverifiedHint'),
      ),
    customer?.tier && h('p', {}, `${t('customer.tier')}: ${customer.tier}`),
    h('h3', {}, t('customer.identities')),
    h(
      'ul',
      {},
      (customer?.identities ?? []).map((identity) =>
        h(
          'li',
          {},
          `${identityKind(identity.kind)}: ${identity.value}`,
          identity.verified === false && ' ',
          identity.verified === false &&
            h('span', { class: 'unverified' }, t('identity.unverified')),
        ),
      ),
    ),
    h('h3', {}, t('customer.tags')),
    h(
      'p',
      { class: 'tags' },
      // The ticket's own tags are shown too, marked apart: they are not the customer's to edit.
      [...new Set([...customerTags, ...view.ticket.tags])].map((tag) =>
        h('span', { class: customerTags.includes(tag) ? 'tag' : 'tag ticket-tag' }, tag),
      ),
    ),
    customer &&
      context.agent.role !== 'agent' &&
      profileEditor(customer, context, (answer) => {
        const next = customerCard({ ...view, customer: answer }, context, true);
        aside.replaceWith(next);
        next.querySelector<HTMLElement>('.edit')?.focus();
        context.announce(t('customer.saved'));
      }),
    saved && h('p', { class: 'feedback' }, t('customer.saved')),
    h('h3', {}, t('customer.pastTickets')),
    view.history.length === 0
      ? h('p', {}, t('customer.noPast'))
      : h(
          'ul',
          { class: 'past' },
          view.history.map((past) =>
            h(
              'li',
              {},
              h('a', { href: `#/ticket/${past.id}` }, `#${past.number} ${past.subject}`),
              ` · ${t(`channel.${past.channel}`)} · ${t(`status.${past.status}`)} · ${context.teamName(past.teamId)}`,
            ),
          ),
        ),
    h('h3', {}, t('customer.csat')),
    csat.length === 0
      ? h('p', {}, t('customer.noCsat'))
      : h(
          'ul',
          {},
          csat.map((rated) =>
            h(
              'li',
              {},
              `#${rated.number}: ${'★'.repeat(rated.csatScore ?? 0)} (${rated.csatScore}/5)`,
            ),
          ),
        ),
  );
  return aside;
}

/** Supervisors' and admins' inline form for the customer's tier and tags, behind an Edit button. */
function profileEditor(
  customer: Customer,
  context: Context,
  onSaved: (answer: Customer) => void,
): HTMLElement {
  const tier = h('input', { value: customer.tier });
  const tags = h('input', { value: customer.tags.join(', ') });
  const error = h('p', { class: 'error', role: 'alert' });
  const edit = h('button', { type: 'button', class: 'edit' }, t('customer.edit'));
  const cancel = h('button', { type: 'button' }, t('customer.cancel'));
  const form = h(
    'form',
    { class: 'profile', hidden: true },
    field(t('customer.tier'), tier, 'customer-tier'),
    field(t('customer.tagsInput'), tags, 'customer-tags'),
    error,
    h('button', { type: 'submit' }, t('customer.save')),
    ' ',
    cancel,
  );
  const open = (editing: boolean) => {
    form.hidden = !editing;
    edit.hidden = editing;
    (editing ? tier : edit).focus();
  };
  const close = () => {
    tier.value = customer.tier;
    tags.value = customer.tags.join(', ');
    error.textContent = '';
    open(false);
  };
  edit.addEventListener('click', () => open(true));
  cancel.addEventListener('click', close);
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.stopPropagation(); // leaves the form, not the ticket
    close();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    context.api
      .call<Customer>('PUT', `/customers/${encodeURIComponent(customer.id)}/profile`, {
        tier: tier.value.trim(),
        tags: parseTags(tags.value),
      })
      .then(onSaved, (failure: unknown) => {
        error.textContent = messageOf(failure);
      });
  });
  return h('div', {}, edit, form);
}

const IDENTITY_KINDS = [
  '',
  'email',
  'telegram',
  'vk',
  'phone',
  'webform',
  'webformPhone',
  'ok',
  'chat',
];

function identityKind(kind: number | string): string {
  const name = typeof kind === 'number' ? (IDENTITY_KINDS[kind] ?? String(kind)) : kind;
  return t(`identity.${name}`);
}

function formatTime(at: number): string {
  return new Date(at).toLocaleString(document.documentElement.lang, {
    dateStyle: 'short',
    timeStyle: 'short',
  });
}

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : t('error.network');
}
