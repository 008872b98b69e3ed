import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RUN_MODE, type RunMode } from '@firstline/runtime';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { SCHEMA } from '../migrations';
import type { ChatEntry } from './conversation.store';

/**
 * Told what changed: the conversation's messages (given the message when it is one this process
 * stored) or the visitor's place in line.
 */
export type Listener = (what: Change, stored?: ChatEntry) => void;
export type Change = 'messages' | 'queue';

/**
 * The Postgres notification channel of the service's replicas: "<origin> <visitor id>" for a
 * message, "<origin> <visitor id> queue" for a new place in line.
 */
export const SIGNAL_CHANNEL = SCHEMA;
/** The longest a replica waits before connecting its listening connection again. */
const MAX_RECONNECT_DELAY_MS = 10_000;

/**
 * Who is waiting for a visitor's conversation to change: the open WebSockets and long-poll
 * requests on this replica. Whoever stores a message calls `changed` after the commit; each
 * listener then reads what is new from the database itself, so a missed or doubled signal loses
 * or doubles nothing.
 *
 * The visitor's socket may be on another replica than the one storing the message (the outbound
 * consumer that took the partition, or the replica holding the visitor's other tab). So the
 * storing statement also notifies the other replicas (`notification`, Postgres NOTIFY, sent at
 * commit), and every replica LISTENs on one connection of its own. A replica whose listening
 * connection was lost wakes all its listeners once it is back: what was stored in between is read
 * after each listener's cursor. Embedded mode is one process: there is no other replica to tell,
 * and PGlite's one shared session would hand a notification to whichever connection is reading.
 */
@Injectable()
export class VisitorListeners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(VisitorListeners.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Tells this process's own notifications (already signalled locally) from the others'. */
  private readonly origin = randomUUID();
  private readonly replicated: boolean;
  private client: Client | undefined;
  private reconnectDelayMs = 250;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(RUN_MODE) mode: RunMode,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {
    this.replicated = mode === 'standalone';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.replicated) await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  /**
   * Returns the call that stops listening; undefined when the visitor already has
   * CHAT_CONNECTIONS_PER_VISITOR listening here (each holds a socket or a request open).
   */
  listen(visitorId: string, listener: Listener): (() => void) | undefined {
    let set = this.listeners.get(visitorId);
    if (!set) this.listeners.set(visitorId, (set = new Set()));
    if (set.size >= this.config.connectionsPerVisitor) return undefined;
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(visitorId) === set) this.listeners.delete(visitorId);
    };
  }

  /**
   * Wakes this replica's listeners of the visitor; call it after the message committed, with the
   * message, which spares a listener that is up to date reading it back.
   */
  changed(visitorId: string, stored?: ChatEntry): void {
    for (const listener of this.listeners.get(visitorId) ?? []) listener('messages', stored);
  }

  /** Wakes this replica's listeners of the visitor to read its place in line; after the commit. */
  queueMoved(visitorId: string): void {
    for (const listener of this.listeners.get(visitorId) ?? []) listener('queue');
  }

  /**
   * The `pg_notify` arguments (channel, payload) for the statement storing a visitor's message
   * or place: the other replicas hear of it when it commits. None in embedded mode.
   */
  notification(visitorId: string, what: Change = 'messages'): [string, string] | undefined {
    if (!this.replicated) return undefined;
    const payload = `${this.origin} ${visitorId}`;
    return [SIGNAL_CHANNEL, what === 'queue' ? `${payload} queue` : payload];
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string; applicationName?: string };
    const client = new Client({
      connectionString: options.url,
      application_name: `${options.applicationName ?? 'firstline-channel-chat'}-signals`,
      connectionTimeoutMillis: 5_000,
      // A connection dropped without a word (a proxy, a network cut) is noticed and replaced.
      keepAlive: true,
    });
    client.on('notification', ({ payload }) => {
      const [origin, visitorId, what] = (payload ?? '').split(' ');
      if (origin === this.origin || !visitorId) return;
      if (what === 'queue') this.queueMoved(visitorId);
      else this.changed(visitorId);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${SIGNAL_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.reconnectDelayMs = 250;
  }

  private lost(client: Client, error: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.logger.warn(`Listening for other replicas' chat messages stopped: ${error.message}`);
    this.reconnect();
  }

  private reconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          this.logger.log("Listening for other replicas' chat messages again");
          // What other replicas stored meanwhile was never signalled: every listener looks again.
          for (const visitorId of [...this.listeners.keys()]) {
            this.changed(visitorId);
            this.queueMoved(visitorId);
          }
        },
        (error: unknown) => {
          this.logger.warn(`Reconnecting to listen failed: ${String(error)}`);
          this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, MAX_RECONNECT_DELAY_MS);
          if (!this.stopped) this.reconnect();
        },
      );
    }, this.reconnectDelayMs);
  }
}
