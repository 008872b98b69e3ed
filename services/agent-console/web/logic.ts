// The console's rules that need no browser: SLA countdowns, the conversation's order, queue tabs,
// keyboard moves and typed tags. Unit-tested in test/logic.spec.ts.

import type { components } from './tickets-api.js';
export type Zone = 'green' | 'yellow' | 'red';
export type Role = 'agent' | 'supervisor' | 'admin';

export interface QueueTicket {
  id: string;
  number: string;
  subject: string;
  channel: string;
  status: string;
  priority: string;
  teamId: string;
  assigneeId: string | null;
  dueAt: string | null;
  zone: Zone;
  slaPausedSince: string | null;
  tags: string[];
  createdAt: string;
}

export interface Countdown {
  /** "1h 05m", "−12m" once overdue, "" without a due time. */
  text: string;
  zone: Zone;
  paused: boolean;
  overdue: boolean;
}

/** Time left until the ticket's next SLA deadline; the server's zone, red once it has passed. */
export function slaCountdown(
  ticket: Pick<QueueTicket, 'dueAt' | 'zone' | 'slaPausedSince'>,
  now: number,
): Countdown {
  if (!ticket.dueAt) return { text: '', zone: ticket.zone, paused: false, overdue: false };
  // While the ticket waits on the customer the clock stands still at the time it stopped.
  const paused = ticket.slaPausedSince !== null;
  const reference = paused ? Date.parse(ticket.slaPausedSince as string) : now;
  const left = Date.parse(ticket.dueAt) - reference;
  const overdue = left <= 0;
  return {
    text: (overdue ? '−' : '') + formatDuration(Math.abs(left)),
    zone: overdue ? 'red' : ticket.zone,
    paused,
    overdue,
  };
}

/** "2d 3h", "1h 05m", "4m 09s": the two largest units. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const pad = (value: number) => String(value).padStart(2, '0');
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  return `${minutes}m ${pad(seconds % 60)}s`;
}

/** The queue tabs a role has: the view of every team is for supervisors and admins. */
export type QueueTab = 'mine' | 'team' | 'unassigned' | 'all';

export function queueTabs(role: Role): QueueTab[] {
  return role === 'agent' ? ['mine', 'team'] : ['mine', 'team', 'unassigned', 'all'];
}

/**
 * The API query of a tab, and which of its tickets the tab shows. `team` is what the API calls
 * the team view: the agent's teams' tickets nobody has taken yet.
 */
export function tabQuery(tab: QueueTab): {
  view: 'mine' | 'team' | 'all';
  unassignedOnly: boolean;
} {
  if (tab === 'unassigned') return { view: 'all', unassignedOnly: true };
  return { view: tab, unassignedOnly: false };
}

/** The row a navigation key moves to; the same row for any other key. */
export function moveSelection(current: number, key: string, rows: number): number {
  if (rows === 0) return -1;
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return Math.min(current + 1, rows - 1);
    case 'ArrowUp':
    case 'k':
      return Math.max(current - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return rows - 1;
    default:
      return current;
  }
}

/** A message as the API gives it, with its attachments as the channels describe them. */
export type ApiMessage = components['schemas']['MessageView'];

export type ApiAttachment = components['schemas']['AttachmentView'];

export type ApiNote = components['schemas']['NoteView'];

export interface ApiEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  actor?: { kind?: string; id?: string };
  transferred?: { fromTeamId?: string; toTeamId?: string; note?: string };
  statusChanged?: { fromStatus?: string; toStatus?: string };
  assigned?: { agentId?: string; previousAgentId?: string };
}

export type TimelineEntry =
  | { kind: 'message'; at: number; ticketNumber: string; message: ApiMessage }
  | { kind: 'note'; at: number; ticketNumber: string; note: ApiNote }
  | { kind: 'event'; at: number; ticketNumber: string; event: ApiEvent };

/** Events that are told in the conversation; messages and notes are shown themselves. */
const TOLD_EVENTS = new Set([
  'TICKET_EVENT_TYPE_TRANSFERRED',
  'TICKET_EVENT_TYPE_STATUS_CHANGED',
  'TICKET_EVENT_TYPE_ASSIGNED',
  'TICKET_EVENT_TYPE_PRIORITY_CHANGED',
  'TICKET_EVENT_TYPE_SLA_BREACHED',
  'TICKET_EVENT_TYPE_CSAT_RECORDED',
  'TICKET_EVENT_TYPE_TAGS_CHANGED',
  'TICKET_EVENT_TYPE_CALLBACK_ATTEMPTED',
]);

/**
 * One conversation across channels and tickets, oldest first: the customer's earlier tickets'
 * messages, then this ticket's messages, notes and events, all in time order.
 */
export function timeline(view: {
  ticket: { number: string };
  messages: ApiMessage[];
  notes: ApiNote[];
  events: ApiEvent[];
  history: Array<{ number: string; messages: ApiMessage[] }>;
}): TimelineEntry[] {
  const number = view.ticket.number;
  const entries: TimelineEntry[] = [
    ...view.history.flatMap((past) =>
      past.messages.map((message): TimelineEntry => ({
        kind: 'message',
        at: Date.parse(message.createdAt),
        ticketNumber: past.number,
        message,
      })),
    ),
    ...view.messages.map((message): TimelineEntry => ({
      kind: 'message',
      at: Date.parse(message.createdAt),
      ticketNumber: number,
      message,
    })),
    ...view.notes.map((note): TimelineEntry => ({
      kind: 'note',
      at: Date.parse(note.createdAt),
      ticketNumber: number,
      note,
    })),
    ...view.events
      .filter((event) => TOLD_EVENTS.has(event.type))
      .map((event): TimelineEntry => ({
        kind: 'event',
        at: Date.parse(event.occurredAt),
        ticketNumber: number,
        event,
      })),
  ];
  // A stable sort: entries at the same instant keep messages before notes before events.
  return entries.sort((a, b) => a.at - b.at);
}

/** Attachments the console shows inline: pictures in Firstline's store, which proves their bytes. */
export function isPreviewable(
  attachment: Pick<ApiAttachment, 'contentType' | 'downloadPath'>,
): boolean {
  return !!attachment.downloadPath && /^image\/(png|jpeg|gif|webp)$/.test(attachment.contentType);
}

/** A file size as an agent reads it: "820 KB", "3.4 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Placeholders a canned reply still has after the server filled in what it knows. */
export function unfilledPlaceholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g), (match) => match[1]))];
}

/** The tags typed as "a, b,c": each trimmed, empty ones and repeats left out. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((tag) => tag.trim()))].filter(Boolean);
}

/** Counts by weekday (0 = Monday) and hour of day, in the browser's time zone. */
export function heatMap(times: string[]): number[][] {
  const cells = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  for (const time of times) {
    const at = new Date(time);
    cells[(at.getDay() + 6) % 7][at.getHours()] += 1;
  }
  return cells;
}

export interface KpiSummary {
  tickets: number;
  firstResponseMs: number | null;
  resolutionMs: number | null;
  reopenRate: number | null;
  csatAverage: number | null;
  slaCompliance: number | null;
  answerPromisesKept: number | null;
  backlog: number;
}

export type Metric =
  | 'firstResponseMs'
  | 'resolutionMs'
  | 'reopenRate'
  | 'csatAverage'
  | 'slaCompliance'
  | 'answerPromisesKept'
  | 'backlog';

/** A metric's value as people read it: durations, percentages, a 1–5 score, a count. */
export function formatMetric(metric: Metric, value: number | null): string {
  if (value === null) return '—';
  if (metric === 'firstResponseMs' || metric === 'resolutionMs') return formatDuration(value);
  if (metric === 'reopenRate' || metric === 'slaCompliance' || metric === 'answerPromisesKept') {
    return `${Math.round(value * 100)}%`;
  }
  if (metric === 'csatAverage') return value.toFixed(1);
  return String(value);
}

/** SLA compliance in traffic-light terms: 95% and more green, 80% and more yellow, else red. */
export function complianceZone(compliance: number | null): Zone {
  if (compliance === null || compliance >= 0.95) return 'green';
  return compliance >= 0.8 ? 'yellow' : 'red';
}

/**
 * The queue with one more page of the API's: the tickets the tab shows (the unassigned tab keeps
 * the unassigned of the view of every team), each once even if a change moved it across pages.
 */
export function appendPage(
  shown: QueueTicket[],
  page: QueueTicket[],
  unassignedOnly: boolean,
): QueueTicket[] {
  const ids = new Set(shown.map((ticket) => ticket.id));
  return shown.concat(
    page.filter((ticket) => !ids.has(ticket.id) && (!unassignedOnly || ticket.assigneeId === null)),
  );
}

/** A supervisor's notification as `GET /notifications` and the live push carry it. */
export type SupervisorNotification = components['schemas']['SupervisorNotificationView'];

/** How many arrived after the newest one the supervisor saw (ISO times compare as text). */
export function unreadNotifications(
  items: Array<Pick<SupervisorNotification, 'createdAt'>>,
  seenAt: string,
): number {
  return items.filter((item) => item.createdAt > seenAt).length;
}

/** A reply as sent: its text and the Idempotency-Key that makes sending it again harmless. */
export interface ReplySending {
  text: string;
  key: string;
}

/**
 * The key to send a reply with: the same as last time while the text is the same (a double
 * click, sending again after an error whose answer never came), so tickets stores it once; a new
 * one for a new text. The caller forgets it once tickets confirmed the reply.
 */
export function replySending(
  previous: ReplySending | undefined,
  text: string,
  newKey: () => string,
): ReplySending {
  return previous?.text === text ? previous : { text, key: newKey() };
}

/** One side of a customer merge, as the preview shows it. */
export interface MergeSide {
  identities: string[];
  tags: string[];
  tickets: number;
}

/**
 * What a merge leaves the surviving customer with: their addresses and tags and the duplicate's,
 * each once, and both their tickets (the API moves them all).
 */
export function mergePreview(survivor: MergeSide, duplicate: MergeSide): MergeSide {
  return {
    identities: [...new Set([...survivor.identities, ...duplicate.identities])],
    tags: [...new Set([...survivor.tags, ...duplicate.tags])],
    tickets: survivor.tickets + duplicate.tickets,
  };
}

/**
 * A callback window in a time zone: "2 Mar, 14:00–16:00", the day repeated only when the window
 * ends on another day there.
 */
export function windowText(startsAt: string, endsAt: string, timeZone: string, locale: string) {
  const day = (at: string) =>
    new Date(at).toLocaleDateString(locale, { timeZone, day: 'numeric', month: 'short' });
  const time = (at: string) =>
    new Date(at).toLocaleTimeString(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  const end = day(endsAt) === day(startsAt) ? time(endsAt) : `${day(endsAt)}, ${time(endsAt)}`;
  return `${day(startsAt)}, ${time(startsAt)}–${end}`;
}

/** How far a reply has got, by the status names the API gives. */
const DELIVERY_PROGRESS: Record<string, number> = {
  queued: 0,
  pending: 0,
  sent: 1,
  failed: 1,
  delivered: 2,
  read: 3,
};

/**
 * The status to show when a live receipt and a reloaded ticket disagree: they may arrive in
 * either order, and a reply read by a chat's visitor must not show "sent" again.
 */
export function laterDelivery(shown: string | undefined, news: string | undefined) {
  if (!shown || !news) return news ?? shown;
  return (DELIVERY_PROGRESS[news] ?? 0) >= (DELIVERY_PROGRESS[shown] ?? 0) ? news : shown;
}

/** A live chat's visitor hears "typing" again at most this often while the agent types. */
export const TYPING_REPEAT_MS = 3000;

/** Whether a keystroke in a live chat's reply box is worth telling the visitor about. */
export function typingWorthTelling(text: string, lastToldAt: number, now: number): boolean {
  return text.trim() !== '' && now - lastToldAt >= TYPING_REPEAT_MS;
}

/** The visitor's latest message in this ticket: what the agent's read mark names. */
export function latestVisitorMessage(
  messages: Array<Pick<ApiMessage, 'id' | 'ticketId' | 'direction' | 'channel' | 'automatic'>>,
  ticketId: string,
): string | undefined {
  return messages
    .filter(
      (message) =>
        message.ticketId === ticketId &&
        message.direction === 'in' &&
        message.channel === 'chat' &&
        !message.automatic,
    )
    .at(-1)?.id;
}
