import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { SignedRequest, Verdict } from '@firstline/channel';
import { PermanentError, RetryableError } from '@firstline/errors';
import { bareId, okAdapter, webhookPath, type OkContext } from '@firstline/ok';
import { OK_CONFIG, type GroupConfig, type OkConfig } from './config';
import { OkApiClient } from './ok-api.client';

/** How soon a group whose start-up calls failed (OK unreachable, say) is tried again. */
const RECONNECT_MS = 30_000;

/** A configured group and, once OK has told it, its id. */
interface Group {
  config: GroupConfig;
  /** Set once GET /graph/me/info answered; until then the group can neither receive nor send. */
  context?: OkContext;
}

/**
 * The groups of OK_GROUPS. At start each asks OK which group its token belongs to
 * (GET /graph/me/info) and makes sure its webhook is subscribed (graph.user.subscriptions, then
 * graph.user.subscribe when missing, so a restart adds nothing twice). A group OK could not be
 * asked about yet is tried again in the background: the service still starts, and the others
 * work meanwhile.
 */
@Injectable()
export class OkGroups implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OkGroups.name);
  private readonly groups: Group[];
  private reconnect?: NodeJS.Timeout;

  constructor(
    @Inject(OK_CONFIG) private readonly config: OkConfig,
    private readonly api: OkApiClient,
  ) {
    this.groups = config.groups.map((group) => ({ config: group }));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connectWaiting();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.reconnect);
  }

  /**
   * The group whose webhook a request came to, or why it is refused. Every group's secret is
   * compared (each in constant time), so the answer does not tell which secrets exist.
   */
  receiving(request: SignedRequest): { group: Group } | Extract<Verdict, { kind: 'rejected' }> {
    let refusal: Extract<Verdict, { kind: 'rejected' }> | undefined;
    let found: Group | undefined;
    for (const group of this.groups) {
      const context = group.context ?? { groupId: '', webhookSecret: group.config.secret };
      const verdict = okAdapter.verify!(request, context);
      if (verdict.kind === 'accepted') found = group;
      else if (verdict.kind === 'rejected') refusal = verdict;
    }
    if (found) return { group: found };
    return refusal ?? { kind: 'rejected', status: 403, reason: 'wrong webhook secret in the path' };
  }

  /** The token a reply in `groupId`'s chats is sent with. */
  tokenOf(groupId: string): string {
    const group = this.groups.find(({ context }) => context?.groupId === groupId);
    if (group) return group.config.token;
    if (this.groups.every(({ context }) => context)) {
      throw new PermanentError(`OK group ${groupId} is not among the configured groups`);
    }
    throw new RetryableError(`OK group ${groupId} may be one whose id OK has not told yet`);
  }

  /** The context a reply in `groupId`'s chats renders with. */
  contextOf(groupId: string): OkContext {
    return (
      this.groups.find(({ context }) => context?.groupId === groupId)?.context ?? {
        groupId,
        webhookSecret: '',
      }
    );
  }

  private async connectWaiting(): Promise<void> {
    for (const group of this.groups.filter(({ context }) => !context)) {
      try {
        group.context = await this.connect(group.config);
      } catch (error) {
        this.logger.error(`an OK group could not be set up, trying again soon: ${String(error)}`);
      }
    }
    if (this.groups.some(({ context }) => !context)) {
      this.reconnect = setTimeout(() => void this.connectWaiting(), RECONNECT_MS).unref();
    }
  }

  private async connect(config: GroupConfig): Promise<OkContext> {
    const { group_id } = await this.api.info(config.token);
    const groupId = bareId(String(group_id ?? ''));
    if (!groupId) throw new Error('GET /graph/me/info named no group_id');
    const url = `${this.config.publicUrl}${webhookPath(config.secret)}`;
    const { subscriptions = [] } = await this.api.subscriptions(config.token);
    if (!subscriptions.some((subscription) => subscription.url === url)) {
      await this.api.subscribe(config.token, url);
    }
    // The URL holds the secret: the log names only where the webhooks go.
    this.logger.log(
      `OK group ${groupId} receives webhooks at ${this.config.publicUrl}/ok/webhook/…`,
    );
    return { groupId, webhookSecret: config.secret };
  }
}
