import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGE_BUS, SourceFencedError } from '@firstline/bus';
import type { CheckpointedSource, MessageBus } from '@firstline/bus';
import { replicaId } from '@firstline/config';
import { DATABASE_SCHEMA, LeaseLostError, Leases, loopWhileLeased } from '@firstline/persistence';
import type { Lease } from '@firstline/persistence';
import { Bots, type Bot } from '../bots';
import { TELEGRAM_CONFIG, type TelegramConfig } from '../config';
import { TelegramInbound } from './telegram-inbound';

/** The updates a support bot needs; Telegram leaves the rest (polls, member changes) out. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

const MAX_BACKOFF_MS = 30_000;

/**
 * getUpdates loops for the bots in polling mode, each bot polled by one replica at a time (its
 * lease): Telegram answers one getUpdates per bot, and two pollers would end each other's calls.
 * Each bot's long poll is a source of the bus (`MessageBus.openSource`): the offset past a batch
 * is committed with the batch's records, both or neither, so whoever resumes the bot after a
 * crash asks Telegram for exactly what is not on the bus. A copy goes to the database (forward
 * only, while the lease holds) for a bot the bus has no offset of.
 */
@Injectable()
export class LongPolling implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LongPolling.name);
  private readonly leases: Leases;

  constructor(
    private readonly bots: Bots,
    private readonly inbound: TelegramInbound,
    private readonly dataSource: DataSource,
    @Inject(MESSAGE_BUS) private readonly bus: Pick<MessageBus, 'openSource'>,
    @Inject(DATABASE_SCHEMA) private readonly schema: string,
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
  ) {
    const polled = bots.all().filter((bot) => bot.config.mode === 'polling');
    this.leases = new Leases(
      dataSource,
      { replica: replicaId(), resources: polled.map((bot) => bot.config.name), kind: 'bot' },
      loopWhileLeased((lease, signal) => this.poll(this.bots.get(lease.resource)!, lease, signal)),
    );
  }

  onApplicationBootstrap(): void {
    this.leases.start();
  }

  /** A poll in flight is dropped, a publish in flight finished; the bots go to other replicas. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.leases.stop();
  }

  private async poll(bot: Bot, lease: Lease, signal: AbortSignal): Promise<void> {
    // grammy types its signal with a polyfill's class; at run time it only needs addEventListener.
    const apiSignal = signal as unknown as Parameters<Bot['api']['getUpdates']>[1];
    let webhookCleared = false;
    let offset: number | undefined;
    let source: CheckpointedSource | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        // getUpdates is refused while a webhook is set.
        if (!webhookCleared) webhookCleared = await bot.api.deleteWebhook({}, apiSignal);
        if (!source) {
          // Opening fences the bot's previous poller, wherever it runs, before the offset is read.
          source = await this.bus.openSource(`telegram:${bot.config.name}`);
          offset =
            source.checkpoint === undefined
              ? await this.loadOffset(bot)
              : Number(source.checkpoint);
        }
        const updates = await bot.api.getUpdates(
          {
            offset,
            timeout: this.config.pollTimeoutSeconds,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          apiSignal,
        );
        if (updates.length > 0) {
          const next = updates[updates.length - 1].update_id + 1;
          await this.inbound.accept(bot, updates, { source, nextOffset: next });
          offset = next;
          await this.saveOffset(lease, next);
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        // Opened again elsewhere, or its transaction timed out: open it anew, reading the offset
        // again; if the bot has gone to another replica, the lease stops this loop.
        if (error instanceof SourceFencedError) source = undefined;
        if (error instanceof LeaseLostError) {
          this.logger.warn(`bot ${bot.config.name}: ${error.message}; polling stops here`);
          break;
        }
        failures += 1;
        const delayMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (failures - 1));
        this.logger.warn(
          `polling bot ${bot.config.name} failed (${String(error)}); retrying in ${delayMs} ms`,
        );
        await sleep(delayMs, signal);
      }
    }
    await source?.close();
  }

  private async loadOffset(bot: Bot): Promise<number | undefined> {
    const rows: Array<{ next_update_id: string }> = await this.dataSource.query(
      `SELECT next_update_id FROM "${this.schema}".polling_offset WHERE bot = $1`,
      [bot.config.name],
    );
    return rows.length ? Number(rows[0].next_update_id) : undefined;
  }

  /** Forward only, and only while the lease holds (else LeaseLostError). */
  private async saveOffset(lease: Lease, nextUpdateId: number): Promise<void> {
    await lease.write(
      `INSERT INTO "${this.schema}".polling_offset AS saved (bot, next_update_id)
       SELECT $1, $3 FROM held
       ON CONFLICT (bot) DO UPDATE SET next_update_id = EXCLUDED.next_update_id, updated_at = now()
         WHERE saved.next_update_id <= EXCLUDED.next_update_id
       RETURNING 1`,
      [nextUpdateId],
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
