import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGE_BUS, SourceFencedError } from '@firstline/bus';
import type { CheckpointedSource, MessageBus } from '@firstline/bus';
import { replicaId } from '@firstline/config';
import { LeaseLostError, Leases, loopWhileLeased, type Lease } from '@firstline/persistence';
import { backoffDelayMs } from '@firstline/vk';
import { VK_CONFIG, type Community, type VkConfig } from '../config';
import { VkInbound } from './inbound.service';
import { VkApiClient, type LongPollServer } from '../vk-api.client';

const ERROR_DELAY_MS = 1_000;
const MAX_ERROR_DELAY_MS = 30_000;

/**
 * Bots Long Poll for every community in long-poll mode, each community polled by one replica at a
 * time (its lease). Each community's long poll is a source of the bus (`MessageBus.openSource`):
 * the position (`ts`) past a batch is committed with the batch's records, both or neither, so a
 * restart or a takeover resumes exactly where the bus left off. A copy goes to
 * channel_vk.long_poll_cursor (forward only, while the lease holds) for a community the bus has
 * no position of. `failed` answers are handled as VK documents them.
 */
@Injectable()
export class LongPoll implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LongPoll.name);
  private readonly communities: Map<string, Community>;
  private readonly leases: Leases;

  constructor(
    @Inject(VK_CONFIG) private readonly config: VkConfig,
    private readonly api: VkApiClient,
    private readonly inbound: VkInbound,
    private readonly dataSource: DataSource,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
  ) {
    this.communities = new Map(
      config.communities
        .filter((community) => community.mode === 'longpoll')
        .map((community) => [String(community.groupId), community]),
    );
    this.leases = new Leases(
      dataSource,
      { replica: replicaId(), resources: [...this.communities.keys()], kind: 'community' },
      loopWhileLeased((lease, signal) =>
        this.run(this.communities.get(lease.resource)!, lease, signal),
      ),
    );
  }

  onApplicationBootstrap(): void {
    this.leases.start();
  }

  /** Before the bus stops: a poll in flight is dropped, a publish in flight is finished. */
  async onModuleDestroy(): Promise<void> {
    await this.leases.stop();
  }

  private async run(community: Community, lease: Lease, signal: AbortSignal): Promise<void> {
    let server: LongPollServer | undefined;
    let ts: string | undefined;
    let source: CheckpointedSource | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!source) {
          // Opening fences the community's previous poller, wherever it runs, before ts is read.
          source = await this.bus.openSource(`vk:${community.groupId}`);
          ts = source.checkpoint ?? (await this.storedTs(community.groupId));
        }
        if (!server) {
          server = await this.api.longPollServer(community.token, community.groupId);
          ts ??= server.ts;
        }
        // Only a `failed: 3` answer may set the position back: VK starts a new history then.
        let restarted = false;
        const answer = await this.api.checkLongPoll(
          server,
          ts!,
          this.config.longPollWaitSeconds,
          signal,
        );
        failures = 0;
        switch (answer.failed) {
          case undefined:
            await this.inbound.accept(community, answer.updates, { source, ts: answer.ts });
            ts = answer.ts;
            break;
          case 1: // history is out of date or partly lost: go on from the ts VK gives
            this.logger.warn(
              `community ${community.groupId}: long poll history lost before ts ${answer.ts}`,
            );
            ts = answer.ts;
            await source.publish([], ts);
            break;
          case 2: // the key expired: a new key, the same ts
            server = undefined;
            continue;
          case 3: // the information was lost: a new key and a new ts
            this.logger.warn(
              `community ${community.groupId}: long poll information lost; starting afresh`,
            );
            server = await this.api.longPollServer(community.token, community.groupId);
            ts = server.ts;
            restarted = true;
            await source.publish([], ts);
            break;
          default:
            throw new Error(`unknown long poll answer ${JSON.stringify(answer)}`);
        }
        await this.storeTs(lease, ts!, restarted);
      } catch (error) {
        if (signal.aborted) break;
        // Opened again elsewhere, or its transaction timed out: open it anew, reading ts again;
        // if the community has gone to another replica, the lease stops this loop.
        if (error instanceof SourceFencedError) source = undefined;
        if (error instanceof LeaseLostError) {
          this.logger.warn(`community ${community.groupId}: ${error.message}; polling stops here`);
          break;
        }
        failures += 1;
        const delay = backoffDelayMs(failures, ERROR_DELAY_MS, MAX_ERROR_DELAY_MS);
        this.logger.error(
          `community ${community.groupId}: long poll failed, retrying in ${delay} ms: ${describe(error)}`,
        );
        await sleep(delay, signal);
      }
    }
    await source?.close();
  }

  private async storedTs(groupId: number): Promise<string | undefined> {
    const rows: Array<{ ts: string }> = await this.dataSource.query(
      'SELECT ts FROM channel_vk.long_poll_cursor WHERE group_id = $1',
      [groupId],
    );
    return rows[0]?.ts;
  }

  /** Forward only (VK's ts is a growing number), unless VK restarted the history. */
  private async storeTs(lease: Lease, ts: string, restarted: boolean): Promise<void> {
    await lease.write(
      `INSERT INTO channel_vk.long_poll_cursor AS saved (group_id, ts)
       SELECT $1::bigint, $3 FROM held
       ON CONFLICT (group_id) DO UPDATE SET ts = EXCLUDED.ts, updated_at = now()
         WHERE $4 OR saved.ts::numeric <= EXCLUDED.ts::numeric
       RETURNING 1`,
      [ts, restarted],
    );
  }
}

/** fetch hides why it failed (refused, DNS, reset) in its cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
