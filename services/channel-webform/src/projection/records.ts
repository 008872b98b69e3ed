import { type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import { decode, messageType, type DescMessage, type MessageShape } from '@firstline/contracts';

/** Reads a record of the expected type; anything else is poison for the dead-letter topic. */
export function readRecord<Desc extends DescMessage>(
  schema: Desc,
  record: DeliveredMessage,
): MessageShape<Desc> {
  if (record.headers.type !== messageType(schema)) {
    throw new BadInputError(`expected ${messageType(schema)}, got ${record.headers.type}`);
  }
  try {
    return decode(schema, record.value);
  } catch (error) {
    throw new BadInputError(`unreadable ${messageType(schema)}: ${String(error)}`, {
      cause: error,
    });
  }
}

const PREFIX = 'webform:';

/** The status token of a web-form conversation key, or undefined for other channels' keys. */
export function statusTokenOf(conversationKey: string): string | undefined {
  return conversationKey.startsWith(PREFIX) ? conversationKey.slice(PREFIX.length) : undefined;
}
