import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VK_CONFIG, type VkConfig } from './config';

/** Rows deleted per statement, so a large backlog never holds locks for long. */
const BATCH = 5_000;

/**
 * Forgets on a schedule what the adapter no longer needs, so its tables stay small:
 * - ids of published events (`seen_event`) past VK_SEEN_EVENT_RETENTION_HOURS: VK repeats a
 *   callback event for minutes, and long poll never goes back before the stored `ts`;
 * - users' names (`vk_user`) older than VK_USER_NAME_TTL_HOURS: the customer's next message asks
 *   users.get again, so a renamed customer is shown under the new name;
 * - outbound messages the channel kit has handled (`outbound_delivery`), untouched for
 *   VK_SENT_MESSAGE_RETENTION_HOURS: by then the outbound topic no longer holds their records.
 * Every replica may purge; the deletes are idempotent.
 */
@Injectable()
export class VkHousekeeping implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(VkHousekeeping.name);
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<unknown>;

  constructor(
    @Inject(VK_CONFIG) private readonly config: VkConfig,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.scheduled(), this.config.housekeeping.intervalMs);
    this.timer.unref();
    this.scheduled();
  }

  /** Before the database closes: no new purge, and the one running finishes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /** Deletes expired event ids, names and handled outbound messages; returns how many of each. */
  async purge(): Promise<{ seenEvents: number; userNames: number; sentMessages: number }> {
    const { seenEventRetentionMs, userNameTtlMs, sentMessageRetentionMs } =
      this.config.housekeeping;
    return {
      seenEvents: await this.deleteOlderThan('seen_event', 'seen_at', seenEventRetentionMs),
      userNames: await this.deleteOlderThan('vk_user', 'fetched_at', userNameTtlMs),
      sentMessages: await this.deleteOlderThan(
        'outbound_delivery',
        'updated_at',
        sentMessageRetentionMs,
      ),
    };
  }

  private scheduled(): void {
    if (this.inFlight) return; // the previous purge is still running
    this.inFlight = this.purge()
      .then(({ seenEvents, userNames, sentMessages }) => {
        if (seenEvents + userNames + sentMessages > 0) {
          this.logger.log(
            `purged ${seenEvents} event id(s), ${userNames} user name(s) and ${sentMessages} handled outbound message(s)`,
          );
        }
      })
      .catch((error: unknown) => this.logger.warn(`purge failed: ${String(error)}`))
      .finally(() => (this.inFlight = undefined));
  }

  private async deleteOlderThan(
    table: 'seen_event' | 'vk_user' | 'outbound_delivery',
    column: 'seen_at' | 'fetched_at' | 'updated_at',
    ageMs: number,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const [{ deleted }] = await this.dataSource.query<Array<{ deleted: number }>>(
        `WITH deleted AS (
           DELETE FROM channel_vk.${table} WHERE ctid IN (
             SELECT ctid FROM channel_vk.${table}
              WHERE ${column} < now() - $1 * interval '1 millisecond' LIMIT ${BATCH})
           RETURNING 1
         )
         SELECT count(*)::int AS deleted FROM deleted`,
        [ageMs],
      );
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }
}
