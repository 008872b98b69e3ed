import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError, PermanentError, RetryableError } from '@firstline/errors';
import { deliveryReceipt } from '@firstline/channel';
import {
  Channel,
  decode,
  encode,
  messageType,
  OutboundMessageSchema,
  TOPICS,
  type DeliveryReceipt,
  type OutboundMessage,
} from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import {
  isRateLimit,
  rateLimitDelayMs,
  toFirstlineError,
  vkAdapter,
  VkApiError,
  type VkSend,
} from '@firstline/vk';
import { VK_CONFIG, type Community, type VkConfig } from './config';
import { VkApiClient } from './vk-api.client';

const MAX_RATE_LIMIT_DELAY_MS = 30_000;

/**
 * Sends agents' replies and Firstline's own messages to VK, once per outbound id: a record seen
 * before is skipped, and a send retried after a crash or a lost answer carries the same
 * random_id, which VK ignores when repeated. Every outcome is reported as a DeliveryReceipt.
 */
@Injectable()
export class VkOutbound {
  private readonly logger = new Logger(VkOutbound.name);
  private readonly communities: Map<number, Community>;

  constructor(
    @Inject(VK_CONFIG) private readonly config: VkConfig,
    private readonly api: VkApiClient,
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {
    this.communities = new Map(
      config.communities.map((community) => [community.groupId, community]),
    );
  }

  @Consume({ topics: [TOPICS.outboundVk.name] })
  async handle(messages: DeliveredMessage[]): Promise<void> {
    for (const message of messages) {
      const outbound = readOutbound(message);
      if (await this.handled(outbound.outboundId)) continue;
      const send = vkAdapter.render(outbound);
      const community = this.communities.get(send.groupId);
      if (!community) {
        throw new PermanentError(
          `outbound ${outbound.outboundId}: VK community ${send.groupId} is not configured`,
        );
      }
      try {
        const attachment = await this.uploadAttachments(community, send, outbound);
        if (attachment) send.params.attachment = attachment;
        const vkMessageId = await this.sendPacingRateLimits(community, send);
        const sent = { sent: true as const, channelMessageId: String(vkMessageId) };
        await this.record(
          outbound,
          send,
          { vkMessageId },
          deliveryReceipt(Channel.VK, outbound, sent, new Date()),
        );
      } catch (error) {
        if (!(error instanceof VkApiError)) throw error;
        const failure = vkAdapter.classifyError(error);
        if (failure.kind !== 'permanent') throw toFirstlineError(failure, error);
        this.logger.warn(`outbound ${outbound.outboundId} failed for good: ${failure.reason}`);
        await this.record(
          outbound,
          send,
          { failure: failure.reason },
          deliveryReceipt(Channel.VK, outbound, { sent: false, failure }, new Date()),
        );
      }
    }
    this.relay.nudge();
  }

  /**
   * messages.send, waiting out rate-limit errors (6, 9, 29) with growing pauses. Once the
   * attempts are spent the bus retries the record later; the random_id stays the same throughout.
   */
  private async sendPacingRateLimits(community: Community, send: VkSend): Promise<number> {
    const { attempts, initialDelayMs } = this.config.rateLimit;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.api.sendMessage(community.token, send.params);
      } catch (error) {
        if (!isRateLimit(error)) throw error;
        if (attempt >= attempts)
          throw new RetryableError(`VK kept rate-limiting: ${error.message}`, { cause: error });
        await new Promise((resolve) =>
          setTimeout(resolve, rateLimitDelayMs(attempt, initialDelayMs, MAX_RATE_LIMIT_DELAY_MS)),
        );
      }
    }
  }

  /** Files reach VK through its upload flow; Firstline keeps none itself, so each needs a URL. */
  private async uploadAttachments(
    community: Community,
    send: VkSend,
    outbound: OutboundMessage,
  ): Promise<string | undefined> {
    const references: string[] = [];
    for (const attachment of outbound.attachments) {
      if (!attachment.url) {
        throw new BadInputError(
          `outbound ${outbound.outboundId}: attachment "${attachment.fileName}" has no URL to fetch it from`,
        );
      }
      const response = await fetch(attachment.url, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok)
        throw new Error(`fetching attachment ${attachment.url}: HTTP ${response.status}`);
      references.push(
        await this.api.uploadDocument(community.token, send.params.peer_id, {
          fileName: attachment.fileName || 'file',
          contentType: attachment.contentType || 'application/octet-stream',
          bytes: await response.blob(),
        }),
      );
    }
    return references.length > 0 ? references.join(',') : undefined;
  }

  private async handled(outboundId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM channel_vk.sent_message WHERE outbound_id = $1',
      [outboundId],
    );
    return rows.length > 0;
  }

  /** The outcome and its receipt in one transaction: reported if and only if remembered. */
  private async record(
    outbound: OutboundMessage,
    send: VkSend,
    outcome: { vkMessageId?: number; failure?: string },
    receipt: DeliveryReceipt,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO channel_vk.sent_message (outbound_id, group_id, peer_id, random_id, vk_message_id, failure)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING outbound_id`,
        [
          outbound.outboundId,
          send.groupId,
          send.params.peer_id,
          send.params.random_id,
          outcome.vkMessageId ?? null,
          outcome.failure ?? null,
        ],
      );
      if (inserted.length === 0) return; // another replica got there first
      await enqueueOutbox(manager, [
        {
          topic: TOPICS.deliveryReceipts.name,
          key: TOPICS.deliveryReceipts.key(receipt),
          value: encode(TOPICS.deliveryReceipts.schema, receipt),
          headers: {
            messageId: receipt.receiptId,
            type: messageType(TOPICS.deliveryReceipts.schema),
          },
        },
      ]);
    });
  }
}

function readOutbound(message: DeliveredMessage): OutboundMessage {
  const expected = messageType(OutboundMessageSchema);
  if (message.headers.type !== expected) {
    throw new BadInputError(
      `expected a ${expected} on ${message.topic}, got "${message.headers.type}"`,
    );
  }
  try {
    return decode(OutboundMessageSchema, message.value);
  } catch (error) {
    throw new BadInputError(`unreadable ${expected} at offset ${message.offset}`, { cause: error });
  }
}
