import { Channel, IdentityKind, Priority } from '@firstline/contracts';
import { currentDueTimes } from '@firstline/routing';
import type { TicketStatus } from '@firstline/ticketing';

/** The customer's address on the ticket's channel, which replies go to. */
export interface Recipient {
  kind: IdentityKind;
  value: string;
  displayName: string;
}

export interface Ticket {
  id: string;
  number: string;
  customerId: string;
  conversationKey: string;
  channel: Channel;
  recipient: Recipient;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  teamId: string;
  assigneeId: string | null;
  skillIds: string[];
  tags: string[];
  language: string;
  previousTicketId: string | null;
  slaPolicyId: string;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  /** Set once the router reported the first-response due time passed unanswered. */
  firstResponseBreached: boolean;
  /** Since when the ticket waits on the customer; its SLA clock stands still meanwhile. */
  pendingSince: Date | null;
  /** The due time that matters now: first response until answered, then resolution. */
  dueAt: Date | null;
  /** When the ticket turns yellow against dueAt. */
  yellowAt: Date | null;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  reopenCount: number;
  csatScore: number | null;
  csatComment: string | null;
  createdAt: Date;
}

/** Lower-case names the API uses for enums: `Channel.EMAIL` → `email`. */
export function enumName<E extends Record<string, string | number>>(
  values: E,
  value: number,
): string {
  return String((values as Record<number, string>)[value] ?? 'unspecified').toLowerCase();
}

export function enumValue<E extends Record<string, string | number>>(
  values: E,
  name: string,
): number | undefined {
  const value = (values as Record<string, unknown>)[name.toUpperCase()];
  return typeof value === 'number' && value !== 0 ? value : undefined;
}

export const CHANNEL_NAMES = ['email', 'telegram', 'vk', 'webform', 'ok', 'chat'] as const;
export const PRIORITY_NAMES = ['low', 'normal', 'high', 'urgent'] as const;
export const channelName = (channel: Channel) => enumName(Channel, channel);
export const priorityName = (priority: Priority) => enumName(Priority, priority);

/**
 * The due time the queue sorts by and when the ticket turns yellow against it (`currentDueTimes`
 * of the SLA module), stored with the ticket so the queue filters by zone in SQL.
 */
export function withDueTimes<
  T extends Omit<
    Ticket,
    'dueAt' | 'yellowAt' | 'number' | 'closedAt' | 'csatScore' | 'csatComment'
  >,
>(ticket: T): T & Pick<Ticket, 'dueAt' | 'yellowAt'> {
  return { ...ticket, ...currentDueTimes({ ...ticket, pausedSince: ticket.pendingSince }) };
}
