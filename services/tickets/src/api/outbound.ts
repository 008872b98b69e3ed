import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  create,
  encode,
  messageType,
  MessageDirection,
  OutboundMessageSchema,
  outboundTopic,
  timestampFromDate,
} from '@firstline/contracts';
import { firstName } from '@firstline/ticketing';
import type { SignedInAgent } from '../auth/auth.service';
import type { TicketRepository } from '../database/ticket.repository';
import type { Ticket } from '../tickets/ticket';
import { agentActor, SYSTEM_TICKETS, type TicketEventLog } from '../tickets/ticket-event-log';

/**
 * Sends a message to the customer in the channel they wrote through: stored as an outbound
 * message (delivery "queued" until the adapter's receipt) and put in the outbox in the same
 * transaction, so it leaves exactly when the change commits.
 */
export async function sendToCustomer(
  manager: EntityManager,
  tickets: TicketRepository,
  log: TicketEventLog,
  ticket: Ticket,
  message: { text: string; agent?: SignedInAgent; csatSurvey?: boolean; at: Date },
) {
  const outboundId = randomUUID();
  const threadRefs = await tickets.lastInboundMetadata(manager, ticket.id);
  const outbound = create(OutboundMessageSchema, {
    outboundId,
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    channel: ticket.channel,
    recipient: ticket.recipient,
    conversationKey: ticket.conversationKey,
    subject: `Re: ${ticket.subject} [#${ticket.number}]`,
    textBody: message.text,
    threadRefs,
    automatic: !message.agent,
    csatSurvey: message.csatSurvey ?? false,
    agentId: message.agent?.id,
    senderDisplayName: message.agent ? `${firstName(message.agent.name)} from Support` : 'Support',
    createdAt: timestampFromDate(message.at),
  });
  log.publish({
    topic: outboundTopic(ticket.channel).name,
    key: ticket.conversationKey,
    value: encode(OutboundMessageSchema, outbound),
    headers: { messageId: outboundId, type: messageType(OutboundMessageSchema) },
  });
  await tickets.insertMessage(manager, {
    id: outboundId,
    ticketId: ticket.id,
    direction: 'out',
    authorKind: message.agent ? 'agent' : 'system',
    authorId: message.agent?.id ?? 'tickets',
    channel: ticket.channel,
    subject: outbound.subject,
    textBody: message.text,
    htmlBody: '',
    attachments: [],
    automatic: outbound.automatic,
    deliveryStatus: 'queued',
    deliveryReason: '',
    channelMetadata: {},
    createdAt: message.at,
  });
  log.record(ticket, message.agent ? agentActor(message.agent.id) : SYSTEM_TICKETS, message.at, {
    case: 'messageAdded',
    value: {
      $typeName: 'firstline.v1.MessageAdded',
      messageId: outboundId,
      direction: MessageDirection.OUTBOUND,
      channel: ticket.channel,
      automatic: outbound.automatic,
    },
  });
  return outboundId;
}
