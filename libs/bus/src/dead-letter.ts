import { errorKind } from '@firstline/errors';
import { DEAD_LETTER_HEADER, DEAD_LETTER_TOPIC, type OutgoingMessage } from './port';

/** Something that could not be handled, and why: a bus record, or a platform's payload. */
export interface DeadLetter {
  /** The input as it came: its key, its bytes and the headers it had (or would have had). */
  key: string;
  value: Uint8Array;
  headers: OutgoingMessage['headers'];
  extraHeaders?: Record<string, string>;
  /** The topic it was read from; for a platform payload, its origin, e.g. `telegram:<bot>`. */
  source: string;
  /** Where on the source topic, and which consumer group gave up; a platform payload has none. */
  position?: { partition: number; offset: string; group: string };
  error: unknown;
  /** Attempts made at handling it, the first included. */
  attempts: number;
}

/**
 * The record that carries a dead letter: the input unchanged plus the `DEAD_LETTER_HEADER`s, the
 * same set whoever gave up on it (the bus, an adapter reading a platform payload).
 */
export function deadLetterRecord(
  deadLetter: DeadLetter,
  topic: string = DEAD_LETTER_TOPIC,
): OutgoingMessage {
  const { position } = deadLetter;
  return {
    topic,
    key: deadLetter.key,
    value: deadLetter.value,
    headers: deadLetter.headers,
    extraHeaders: {
      ...deadLetter.extraHeaders,
      [DEAD_LETTER_HEADER.error]: describeError(deadLetter.error),
      [DEAD_LETTER_HEADER.errorKind]: errorKind(deadLetter.error),
      [DEAD_LETTER_HEADER.sourceTopic]: deadLetter.source,
      ...(position && {
        [DEAD_LETTER_HEADER.sourcePartition]: String(position.partition),
        [DEAD_LETTER_HEADER.sourceOffset]: position.offset,
        [DEAD_LETTER_HEADER.group]: position.group,
      }),
      [DEAD_LETTER_HEADER.attempts]: String(deadLetter.attempts),
    },
  };
}

const MAX_ERROR_LENGTH = 1_000;

export function describeError(error: unknown): string {
  const text =
    error instanceof Error
      ? error.name === 'Error'
        ? error.message
        : `${error.name}: ${error.message}`
      : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
