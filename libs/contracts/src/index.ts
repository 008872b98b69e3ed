// The contracts of everything that crosses Kafka. The types and schemas come from proto/
// (generated into ./gen by `npm run contracts:generate`); this file adds the topic catalogue and
// the wire encoding. See docs/adr/0002-contracts-protobuf.md.
import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ChatActivitySchema } from './gen/firstline/v1/chat_activity_pb';
import { Channel } from './gen/firstline/v1/common_pb';
import { CustomerEventSchema } from './gen/firstline/v1/customer_event_pb';
import { DeliveryReceiptSchema } from './gen/firstline/v1/delivery_receipt_pb';
import { DirectoryKind, DirectoryRecordSchema } from './gen/firstline/v1/directory_pb';
import { IdentityProofSchema } from './gen/firstline/v1/identity_proof_pb';
import { InboundMessageSchema } from './gen/firstline/v1/inbound_pb';
import { OutboundMessageSchema } from './gen/firstline/v1/outbound_pb';
import { RoutingDecisionSchema } from './gen/firstline/v1/routing_pb';
import { RoutingCommandSchema } from './gen/firstline/v1/routing_command_pb';
import { TicketEventSchema } from './gen/firstline/v1/ticket_event_pb';

export * from './gen/firstline/v1/chat_activity_pb';
export * from './gen/firstline/v1/common_pb';
export * from './gen/firstline/v1/customer_event_pb';
export * from './gen/firstline/v1/delivery_receipt_pb';
export * from './gen/firstline/v1/directory_pb';
export * from './gen/firstline/v1/identity_proof_pb';
export * from './gen/firstline/v1/inbound_pb';
export * from './gen/firstline/v1/outbound_pb';
export * from './gen/firstline/v1/routing_pb';
export * from './gen/firstline/v1/routing_command_pb';
export * from './gen/firstline/v1/ticket_event_pb';
export { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
export {
  timestampDate,
  timestampFromDate,
  timestampFromMs,
  timestampMs,
  type Timestamp,
} from '@bufbuild/protobuf/wkt';

/** Value of the `schema-version` header of every record. Bumped only together with the topics' `.vN`. */
export const SCHEMA_VERSION = 1;

/** The `type` header for records of a schema, e.g. `firstline.v1.InboundMessage`. */
export function messageType(schema: DescMessage): string {
  return schema.typeName;
}

/** Protobuf binary: the bytes that go into a Kafka record's value. */
export function encode<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): Uint8Array {
  return toBinary(schema, message);
}

/**
 * Reads a record's value. Throws on bytes that are not valid protobuf. Unknown fields are kept
 * rather than rejected (a newer producer may have added them), so bytes of another message type
 * can decode without error: check the `type` header first.
 */
export function decode<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
): MessageShape<Desc> {
  return fromBinary(schema, bytes);
}

/** A topic that carries one message type. */
export interface Topic<
  Desc extends DescMessage = DescMessage,
  Compacted extends boolean = boolean,
> {
  readonly name: string;
  readonly schema: Desc;
  /** The record key: records with equal keys stay in order. */
  readonly key: (message: MessageShape<Desc>) => string;
  /** Log-compacted: only the latest record per key is kept; a null value deletes the key. */
  readonly compacted: Compacted;
}

function topic<Desc extends DescMessage>(
  name: string,
  schema: Desc,
  key: (message: MessageShape<Desc>) => string,
): Topic<Desc, false> {
  return { name, schema, key, compacted: false };
}

function compactedTopic<Desc extends DescMessage>(
  name: string,
  schema: Desc,
  key: (message: MessageShape<Desc>) => string,
): Topic<Desc, true> {
  return { name, schema, key, compacted: true };
}

const byConversation = (message: { conversationKey: string }) => message.conversationKey;
const byTicket = (message: { ticketId: string }) => message.ticketId;

/** Name of a directory kind as used in keys: `DirectoryKind.SLA_POLICY` → `sla_policy`. */
function directoryKindName(kind: DirectoryKind): string {
  const name = DirectoryKind[kind] as string | undefined;
  if (!name || kind === DirectoryKind.UNSPECIFIED) {
    throw new Error(`no directory key for kind ${kind}`);
  }
  return name.toLowerCase();
}

/** Key of a directory entry on `support.directory.v1`: `<kind>:<id>`, e.g. `team:billing`. */
export function directoryKey(kind: DirectoryKind, id: string): string {
  return `${directoryKindName(kind)}:${id}`;
}

/** Reads a directory key back, e.g. to apply a tombstone (a record with a null value). */
export function parseDirectoryKey(key: string): { kind: DirectoryKind; id: string } {
  const colon = key.indexOf(':');
  const kind: unknown =
    DirectoryKind[key.slice(0, colon).toUpperCase() as keyof typeof DirectoryKind];
  if (colon < 1 || typeof kind !== 'number' || kind === DirectoryKind.UNSPECIFIED) {
    throw new Error(`not a directory key: "${key}"`);
  }
  return { kind: kind as DirectoryKind, id: key.slice(colon + 1) };
}

/** Every topic Firstline uses. Topic names carry the major version of what they carry. */
export const TOPICS = {
  inbound: topic('support.inbound.v1', InboundMessageSchema, byConversation),
  routing: topic('support.routing.v1', RoutingDecisionSchema, byTicket),
  routingCommands: topic('support.routing-commands.v1', RoutingCommandSchema, byTicket),
  ticketEvents: topic('support.ticket-events.v1', TicketEventSchema, byTicket),
  customerEvents: topic('support.customer-events.v1', CustomerEventSchema, (event) => {
    switch (event.details.case) {
      case 'merged':
        return event.details.value.duplicateCustomerId;
      case 'profileChanged':
      case 'identityVerified':
        return event.details.value.customerId;
      default:
        return event.eventId;
    }
  }),
  identityProofs: topic('support.identity-proofs.v1', IdentityProofSchema, byConversation),
  outboundEmail: topic('support.outbound.email.v1', OutboundMessageSchema, byConversation),
  outboundTelegram: topic('support.outbound.telegram.v1', OutboundMessageSchema, byConversation),
  outboundVk: topic('support.outbound.vk.v1', OutboundMessageSchema, byConversation),
  outboundWebform: topic('support.outbound.webform.v1', OutboundMessageSchema, byConversation),
  outboundOk: topic('support.outbound.ok.v1', OutboundMessageSchema, byConversation),
  outboundChat: topic('support.outbound.chat.v1', OutboundMessageSchema, byConversation),
  /** Typing and read marks of live chats: ephemeral, published without an outbox. */
  chatActivity: topic('support.chat-activity.v1', ChatActivitySchema, byConversation),
  deliveryReceipts: topic(
    'support.delivery-receipts.v1',
    DeliveryReceiptSchema,
    (receipt) => receipt.outboundId,
  ),
  directory: compactedTopic('support.directory.v1', DirectoryRecordSchema, (record) =>
    directoryKey(record.kind, record.id),
  ),
  /**
   * Dead letters: the failed record unchanged (value, key and headers) plus headers saying
   * where it came from and why it failed. It has no schema of its own.
   */
  dlq: { name: 'support.dlq.v1', schema: null, key: null, compacted: false },
} as const;

/** Where outbound messages for each channel go; every channel has one. */
const OUTBOUND_TOPICS: Record<
  Exclude<Channel, Channel.UNSPECIFIED>,
  Topic<typeof OutboundMessageSchema>
> = {
  [Channel.EMAIL]: TOPICS.outboundEmail,
  [Channel.TELEGRAM]: TOPICS.outboundTelegram,
  [Channel.VK]: TOPICS.outboundVk,
  [Channel.WEBFORM]: TOPICS.outboundWebform,
  [Channel.OK]: TOPICS.outboundOk,
  [Channel.CHAT]: TOPICS.outboundChat,
};

/** The topic an outbound message for `channel` goes to. */
export function outboundTopic(channel: Channel): Topic<typeof OutboundMessageSchema> {
  const found = (OUTBOUND_TOPICS as Partial<Record<Channel, Topic<typeof OutboundMessageSchema>>>)[
    channel
  ];
  if (!found) throw new Error(`no outbound topic for channel ${Channel[channel] ?? channel}`);
  return found;
}
