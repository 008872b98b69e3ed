import { randomUUID } from 'node:crypto';
import { HEADER, type DeliveredMessage, type OutgoingMessage } from './port';

/** A record as both buses store it: headers in their wire form, every value a string. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as the broker stamped it. */
  timestamp: number;
}

export function newTraceId(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * The wire headers of an outgoing record, with the defaults filled in; standard names win over
 * extra ones. `now` is the publish call's instant, shared by the records it publishes.
 */
export function wireHeaders(message: OutgoingMessage, now: string): Record<string, string> {
  const { messageId, type, schemaVersion, traceId, producedAt } = message.headers;
  if (!messageId || !type) {
    throw new Error(
      `A record for ${message.topic} needs headers.messageId and headers.type (its stable id and its message type)`,
    );
  }
  return {
    ...message.extraHeaders,
    [HEADER.messageId]: messageId,
    [HEADER.type]: type,
    [HEADER.schemaVersion]: String(schemaVersion ?? 1),
    [HEADER.traceId]: traceId || newTraceId(),
    [HEADER.producedAt]: producedAt ?? now,
  };
}

/**
 * A stored record as a handler sees it. Records written by producers outside Firstline may lack
 * the standard headers; the message id then falls back to the record's position, which a
 * redelivery repeats, so idempotent handlers still recognise it.
 */
export function toDelivered(record: StoredRecord): DeliveredMessage {
  const {
    [HEADER.messageId]: messageId,
    [HEADER.type]: type,
    [HEADER.schemaVersion]: schemaVersion,
    [HEADER.traceId]: traceId,
    [HEADER.producedAt]: producedAt,
    ...extraHeaders
  } = record.headers;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    value: record.value,
    headers: {
      messageId: messageId ?? `${record.topic}/${record.partition}/${record.offset}`,
      type: type ?? '',
      schemaVersion: schemaVersion ? Number(schemaVersion) : 1,
      traceId: traceId || newTraceId(),
      producedAt: producedAt ?? new Date(record.timestamp).toISOString(),
    },
    extraHeaders,
  };
}
