import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { backoffDelayMs } from '@firstline/vk';
import { VK_CONFIG, type Community, type VkConfig } from '../config';
import { VkInbound } from './inbound.service';
import { VkApiClient, type LongPollServer } from '../vk-api.client';

const ERROR_DELAY_MS = 1_000;
const MAX_ERROR_DELAY_MS = 30_000;

/**
 * Bots Long Poll for every community in long-poll mode. The position (`ts`) lives in
 * channel_vk.long_poll_cursor and moves only after the events before it are on the bus, so a
 * restart resumes where the bus left off; `failed` answers are handled as VK documents them.
 */
@Injectable()
export class LongPoll implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LongPoll.name);
  private readonly stopping = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    @Inject(VK_CONFIG) private readonly config: VkConfig,
    private readonly api: VkApiClient,
    private readonly inbound: VkInbound,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.loops = this.config.communities
      .filter((community) => community.mode === 'longpoll')
      .map((community) => this.run(community));
  }

  /** Before the bus stops: a poll in flight is dropped, a publish in flight is finished. */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.loops);
  }

  private async run(community: Community): Promise<void> {
    const { signal } = this.stopping;
    let server: LongPollServer | undefined;
    let ts: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!server) {
          server = await this.api.longPollServer(community.token, community.groupId);
          ts ??= (await this.storedTs(community.groupId)) ?? server.ts;
        }
        const answer = await this.api.checkLongPoll(
          server,
          ts!,
          this.config.longPollWaitSeconds,
          signal,
        );
        failures = 0;
        switch (answer.failed) {
          case undefined:
            await this.inbound.accept(community, answer.updates);
            ts = answer.ts;
            break;
          case 1: // history is out of date or partly lost: go on from the ts VK gives
            this.logger.warn(
              `community ${community.groupId}: long poll history lost before ts ${answer.ts}`,
            );
            ts = answer.ts;
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
            break;
          default:
            throw new Error(`unknown long poll answer ${JSON.stringify(answer)}`);
        }
        await this.storeTs(community.groupId, ts);
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const delay = backoffDelayMs(failures, ERROR_DELAY_MS, MAX_ERROR_DELAY_MS);
        this.logger.error(
          `community ${community.groupId}: long poll failed, retrying in ${delay} ms: ${describe(error)}`,
        );
        await sleep(delay, signal);
      }
    }
  }

  private async storedTs(groupId: number): Promise<string | undefined> {
    const rows: Array<{ ts: string }> = await this.dataSource.query(
      'SELECT ts FROM channel_vk.long_poll_cursor WHERE group_id = $1',
      [groupId],
    );
    return rows[0]?.ts;
  }

  private async storeTs(groupId: number, ts: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO channel_vk.long_poll_cursor (group_id, ts) VALUES ($1, $2)
       ON CONFLICT (group_id) DO UPDATE SET ts = EXCLUDED.ts, updated_at = now()`,
      [groupId, ts],
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
