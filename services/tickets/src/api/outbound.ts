import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { OutgoingMessage } from '@firstline/bus';
import {
  AttachmentSchema,
  create,
  encode,
  messageType,
  MessageDirection,
  OutboundMessageSchema,
  outboundTopic,
  timestampFromDate,
} from '@firstline/contracts';
import { customerTexts, fillText, type CustomerTextsByLanguage } from '@firstline/routing';
import { firstName, type EventDetails } from '@firstline/ticketing';
import type { MessageFile } from '../attachments/attachment.repository';
import type { SignedInAgent } from '../auth/auth.service';
import {
  messageInsert,
  type MessageRecord,
  type TicketRepository,
} from '../database/ticket.repository';
import type { Ticket } from '../tickets/ticket';
import {
  agentActor,
  SYSTEM_TICKETS,
  type Actor,
  type TicketEventLog,
} from '../tickets/ticket-event-log';

/** Messages Firstline sends by itself, as the history names them. */
export type AutomaticKind =
  | 'acknowledgement'
  | 'out_of_hours'
  | 'csat_survey'
  /** A live chat's visitor is told which agent now answers them. */
  | 'agent_joined';

export interface CustomerMessage {
  text: string;
  at: Date;
  /** The agent who wrote it; unset for automatic messages. */
  agent?: SignedInAgent;
  /** Set for automatic messages. */
  automaticKind?: AutomaticKind;
  /** For an automatic reply: the answer time it promises. */
  expectedAnswerAt?: Date;
  /** A stable id, when a redelivery of what caused the message must not send it again. */
  outboundId?: string;
  /** The thread to answer in; the ticket's newest inbound message when unset. */
  threadRefs?: Record<string, string>;
  /** Files from the attachment store, sent with the text (checked against the channel's limits). */
  files?: MessageFile[];
  /** Who sent an automatic message; the tickets service by default. */
  actor?: Actor;
  /** The admins' wording of the signature per language; shipped texts without it. */
  wording?: CustomerTextsByLanguage;
}

/** A message to the customer as it is stored, published and recorded in the ticket's events. */
export interface ComposedMessage {
  record: MessageRecord;
  outgoing: OutgoingMessage;
  actor: Actor;
  event: EventDetails;
}

/** A stable outbound id (UUID-shaped) derived from what caused the message. */
export function derivedOutboundId(cause: string): string {
  const hex = createHash('sha256').update(`outbound:${cause}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The stored row, the OutboundMessage on the ticket channel's topic, and its MessageAdded event. */
export function composeOutbound(
  ticket: Ticket,
  message: CustomerMessage & { threadRefs: Record<string, string> },
): ComposedMessage {
  const outboundId = message.outboundId ?? randomUUID();
  const texts = customerTexts(ticket.language, message.wording);
  const outbound = create(OutboundMessageSchema, {
    outboundId,
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    channel: ticket.channel,
    recipient: ticket.recipient,
    conversationKey: ticket.conversationKey,
    subject: `Re: ${ticket.subject} [#${ticket.number}]`,
    textBody: message.text,
    attachments: (message.files ?? []).map((file) => create(AttachmentSchema, file)),
    threadRefs: message.threadRefs,
    automatic: !message.agent,
    csatSurvey: message.automaticKind === 'csat_survey',
    agentId: message.agent?.id,
    // Signed in the customer's language: "Ann from Support", "Ann, служба поддержки".
    senderDisplayName: message.agent
      ? fillText(texts.signature, { name: firstName(message.agent.name) })
      : texts.team,
    createdAt: timestampFromDate(message.at),
  });
  const actor = message.agent ? agentActor(message.agent.id) : (message.actor ?? SYSTEM_TICKETS);
  return {
    record: {
      id: outboundId,
      ticketId: ticket.id,
      direction: 'out',
      authorKind: message.agent ? 'agent' : 'system',
      authorId: actor.id,
      channel: ticket.channel,
      subject: outbound.subject,
      textBody: message.text,
      htmlBody: '',
      attachments: message.files ?? [],
      automatic: outbound.automatic,
      automaticKind: message.automaticKind ?? null,
      expectedAnswerAt: message.expectedAnswerAt ?? null,
      deliveryStatus: 'queued',
      deliveryReason: '',
      channelMetadata: {},
      createdAt: message.at,
    },
    outgoing: {
      topic: outboundTopic(ticket.channel).name,
      key: ticket.conversationKey,
      value: encode(OutboundMessageSchema, outbound),
      headers: { messageId: outboundId, type: messageType(OutboundMessageSchema) },
    },
    actor,
    event: {
      case: 'messageAdded',
      value: {
        $typeName: 'firstline.v1.MessageAdded',
        messageId: outboundId,
        direction: MessageDirection.OUTBOUND,
        channel: ticket.channel,
        automatic: outbound.automatic,
      },
    },
  };
}

/**
 * Sends a message to the customer in the channel they wrote through: stored as an outbound
 * message (delivery "queued" until the adapter's receipt) and put in the outbox in the same
 * transaction, so it leaves exactly when the change commits. A message whose id is stored
 * already was sent before and is not sent again.
 */
export async function sendToCustomer(
  manager: EntityManager,
  tickets: TicketRepository,
  log: TicketEventLog,
  ticket: Ticket,
  message: CustomerMessage,
): Promise<string> {
  const threadRefs = message.threadRefs ?? (await tickets.lastInboundMetadata(manager, ticket.id));
  const composed = composeOutbound(ticket, { ...message, threadRefs });
  if (message.outboundId === undefined) {
    // A new id cannot have been sent before: the row goes with the event log's statement.
    log.write((first) => messageInsert(composed.record, first));
  } else if (!(await tickets.insertMessage(manager, composed.record))) {
    return composed.record.id;
  }
  log.publish(composed.outgoing);
  log.record(ticket, composed.actor, message.at, composed.event);
  return composed.record.id;
}
