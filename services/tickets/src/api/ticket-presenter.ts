import { attachmentPath } from '../attachments/upload';
import type { MessageRecord } from '../database/ticket.repository';
import { slaZone } from '@firstline/routing';
import { channelName, priorityName, type Ticket } from '../tickets/ticket';

/** A ticket as the console lists it. */
export function ticketSummary(ticket: Ticket, now: Date) {
  return {
    id: ticket.id,
    number: ticket.number,
    subject: ticket.subject,
    customerId: ticket.customerId,
    channel: channelName(ticket.channel),
    status: ticket.status,
    priority: priorityName(ticket.priority),
    teamId: ticket.teamId,
    assigneeId: ticket.assigneeId,
    tags: ticket.tags,
    dueAt: ticket.dueAt,
    zone: slaZone(ticket, now),
    firstResponseDueAt: ticket.firstResponseDueAt,
    resolutionDueAt: ticket.resolutionDueAt,
    firstResponseBreached: ticket.firstResponseBreached,
    /** Set while the ticket waits on the customer: its SLA clock stands still. */
    slaPausedSince: ticket.pendingSince,
    firstRespondedAt: ticket.firstRespondedAt,
    resolvedAt: ticket.resolvedAt,
    reopenCount: ticket.reopenCount,
    csatScore: ticket.csatScore,
    csatComment: ticket.csatComment,
    createdAt: ticket.createdAt,
  };
}

export function messageView(message: MessageRecord) {
  return {
    id: message.id,
    ticketId: message.ticketId,
    direction: message.direction,
    author: { kind: message.authorKind, id: message.authorId },
    channel: channelName(message.channel),
    subject: message.subject,
    text: message.textBody,
    html: message.htmlBody,
    attachments: message.attachments.map((file) => attachmentView(message.ticketId, file)),
    automatic: message.automatic,
    automaticKind: message.automaticKind,
    expectedAnswerAt: message.expectedAnswerAt,
    delivery: message.deliveryStatus
      ? { status: message.deliveryStatus, reason: message.deliveryReason }
      : null,
    createdAt: message.createdAt,
  };
}

/** A message's file as the console lists it, with the path that opens it. */
export function attachmentView(ticketId: string, file: unknown) {
  const named = file as Partial<
    Record<'storageKey' | 'url' | 'fileName' | 'contentType', string>
  > & {
    sizeBytes?: number;
  };
  const storageKey = named.storageKey ?? '';
  return {
    storageKey,
    url: named.url ?? '',
    fileName: named.fileName || 'file',
    contentType: named.contentType ?? '',
    sizeBytes: Number(named.sizeBytes ?? 0),
    downloadPath: storageKey ? attachmentPath(ticketId, storageKey) : null,
  };
}
