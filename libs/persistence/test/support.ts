import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { MessageBus, OutgoingMessage } from '@firstline/bus';
import {
  enqueueOutbox,
  openDatabase,
  persistenceMigrations,
  type MigrationClass,
} from '@firstline/persistence';

/** A bus that acknowledges in memory, and can be told to fail or to run something after acknowledging. */
export class FakeBus implements Pick<MessageBus, 'publish'> {
  readonly published: OutgoingMessage[] = [];
  /** Publish calls still to reject, as a broker that is down would. */
  failures = 0;
  /** Time each publish takes before it is acknowledged. */
  delayMs = 0;
  /** Runs once the records are acknowledged, before publish returns. */
  afterPublish?: () => Promise<void>;

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker unavailable');
    }
    if (this.delayMs > 0) await sleep(this.delayMs);
    this.published.push(...messages);
    await this.afterPublish?.();
  }

  messageIds(): string[] {
    return this.published.map((message) => message.headers.messageId);
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger whose lines the test can read. */
export function recordingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

export function openSchema(
  url: string,
  schema: string,
  options: { migrations?: MigrationClass[]; logger?: pino.Logger; applicationName?: string } = {},
): Promise<DataSource> {
  return openDatabase({
    url,
    schema,
    migrations: [...persistenceMigrations(schema), ...(options.migrations ?? [])],
    poolSize: 2,
    applicationName: options.applicationName,
    logger: options.logger ?? recordingLogger().logger,
  });
}

/** A ticket event as the tickets service would announce it. */
export function ticketEvent(n: number, extraHeaders?: Record<string, string>): OutgoingMessage {
  return {
    topic: 'support.ticket-events.v1',
    key: `ticket-${n % 3}`,
    value: Buffer.from(`event ${n}`),
    headers: { messageId: `ticket-event-${n}`, type: 'firstline.v1.TicketEvent' },
    extraHeaders,
  };
}

export function ticketEventIds(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `ticket-event-${from + i}`);
}

/** Commits `messages` to the outbox in one transaction per call. */
export function commitOutbox(dataSource: DataSource, messages: OutgoingMessage[]): Promise<void> {
  return dataSource.transaction((manager) => enqueueOutbox(manager, messages));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { waitFor } from '@firstline/testing';
