import { BadInputError } from '@firstline/errors';
import {
  decode,
  encode,
  messageType,
  type DescMessage,
  type MessageShape,
  type Topic,
} from '@firstline/contracts';
import type { DeliveredMessage, MessageHeaders, OutgoingMessage } from './port';

/** A record of a contract's topic as a handler receives it: decoded, beside its metadata. */
export interface Received<Message> {
  record: DeliveredMessage;
  message: Message;
}

/**
 * What a record of `T` decodes to. On a compacted topic a record without a value is a tombstone
 * (the entry named by its key is gone): its message is null.
 */
export type MessageOf<T extends Topic> =
  T extends Topic<infer Desc, infer Compacted> ? TopicMessage<Desc, Compacted> : never;

type TopicMessage<Desc extends DescMessage, Compacted extends boolean> = Compacted extends true
  ? MessageShape<Desc> | null
  : MessageShape<Desc>;

/**
 * Says what is wrong with a decoded message that no handler should act on (a command without its
 * ticket), or nothing when it is fine.
 */
export type ProblemCheck<Desc extends DescMessage> = (
  message: MessageShape<Desc>,
) => string | undefined;

/**
 * Reads records of a contract's topic for a subscription's `read`: checks the `type` header,
 * decodes the value and applies `check`. Throws BadInputError for a record of another type, bytes
 * that do not decode, or a message `check` finds a problem with: the bus dead-letters it.
 */
export function readTopic<Desc extends DescMessage, Compacted extends boolean>(
  topic: Topic<Desc, Compacted>,
  check?: ProblemCheck<Desc>,
): (record: DeliveredMessage) => Received<TopicMessage<Desc, Compacted>> {
  const expected = messageType(topic.schema);
  // The conditional type cannot be narrowed by `topic.compacted`; both branches are right by hand.
  const received = (record: DeliveredMessage, message: MessageShape<Desc> | null) =>
    ({ record, message }) as Received<TopicMessage<Desc, Compacted>>;
  return (record) => {
    if (topic.compacted && record.value.length === 0) return received(record, null);
    if (record.headers.type !== expected) {
      throw new BadInputError(
        `expected a ${expected} on ${topic.name}, got type "${record.headers.type}"`,
      );
    }
    let message: MessageShape<Desc>;
    try {
      message = decode(topic.schema, record.value);
    } catch (error) {
      throw new BadInputError(`${expected} ${record.headers.messageId} does not decode`, {
        cause: error,
      });
    }
    const problem = check?.(message);
    if (problem) throw new BadInputError(`${expected} ${record.headers.messageId}: ${problem}`);
    return received(record, message);
  };
}

/**
 * The record that publishes `message` on a contract's topic: keyed as the topic keys it, typed
 * with its schema, under the stable `messageId` every republish repeats.
 */
export function topicRecord<Desc extends DescMessage>(
  topic: Topic<Desc, boolean>,
  message: MessageShape<Desc>,
  headers: Pick<MessageHeaders, 'messageId'> & Partial<Pick<MessageHeaders, 'traceId'>>,
): OutgoingMessage {
  return {
    topic: topic.name,
    key: topic.key(message),
    value: encode(topic.schema, message),
    headers: { ...headers, type: messageType(topic.schema) },
  };
}
