import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DATABASE_SCHEMA } from '@firstline/persistence';
import { Bots, type Bot } from '../bots';
import { TELEGRAM_CONFIG, type TelegramConfig } from '../config';
import { TelegramInbound } from './telegram-inbound';

/** The updates a support bot needs; Telegram leaves the rest (polls, member changes) out. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

const MAX_BACKOFF_MS = 30_000;

/**
 * getUpdates loops for the bots in polling mode. The offset lives in the database and moves past
 * a batch only after the bus acknowledged it; Telegram forgets updates below the offset we send,
 * so a crash before that repeats the batch (same message ids) and never loses one.
 */
@Injectable()
export class LongPolling implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LongPolling.name);
  private readonly stopping = new AbortController();
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly bots: Bots,
    private readonly inbound: TelegramInbound,
    private readonly dataSource: DataSource,
    @Inject(DATABASE_SCHEMA) private readonly schema: string,
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.loops = this.bots
      .all()
      .filter((bot) => bot.config.mode === 'polling')
      .map((bot) => this.poll(bot));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
  }

  private async poll(bot: Bot): Promise<void> {
    const { signal } = this.stopping;
    // grammy types its signal with a polyfill's class; at run time it only needs addEventListener.
    const apiSignal = signal as unknown as Parameters<Bot['api']['getUpdates']>[1];
    let webhookCleared = false;
    let offset: number | undefined;
    let offsetLoaded = false;
    let failures = 0;
    while (!signal.aborted) {
      try {
        // getUpdates is refused while a webhook is set.
        if (!webhookCleared) webhookCleared = await bot.api.deleteWebhook({}, apiSignal);
        if (!offsetLoaded) {
          offset = await this.loadOffset(bot);
          offsetLoaded = true;
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
          await this.inbound.accept(bot, updates);
          const next = updates[updates.length - 1].update_id + 1;
          await this.saveOffset(bot, next);
          offset = next;
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const delayMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (failures - 1));
        this.logger.warn(
          `polling bot ${bot.config.name} failed (${String(error)}); retrying in ${delayMs} ms`,
        );
        await sleep(delayMs, signal);
      }
    }
  }

  private async loadOffset(bot: Bot): Promise<number | undefined> {
    const rows: Array<{ next_update_id: string }> = await this.dataSource.query(
      `SELECT next_update_id FROM "${this.schema}".polling_offset WHERE bot = $1`,
      [bot.config.name],
    );
    return rows.length ? Number(rows[0].next_update_id) : undefined;
  }

  private async saveOffset(bot: Bot, nextUpdateId: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "${this.schema}".polling_offset (bot, next_update_id) VALUES ($1, $2)
       ON CONFLICT (bot) DO UPDATE SET next_update_id = EXCLUDED.next_update_id, updated_at = now()`,
      [bot.config.name, nextUpdateId],
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
