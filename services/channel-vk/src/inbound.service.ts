import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DEAD_LETTER_HEADER,
  DEAD_LETTER_TOPIC,
  MESSAGE_BUS,
  type MessageBus,
  type OutgoingMessage,
} from '@firstline/bus';
import { encode, messageType, TOPICS, type InboundMessage } from '@firstline/contracts';
import { usersNamedIn, vkAdapter, type VkEvent, type VkMessageEvent } from '@firstline/vk';
import { BatchingPublisher } from './batching-publisher';
import type { Community } from './config';
import { SenderNames } from './sender-names';
import { VkApiClient } from './vk-api.client';

/**
 * Turns VK events of one community into InboundMessages on the bus, once per event: events
 * already published are skipped, and an event counts as published only after the bus
 * acknowledged it. Both the Callback API and Bots Long Poll come through here.
 */
@Injectable()
export class VkInbound {
  private readonly logger = new Logger(VkInbound.name);
  private readonly publisher: BatchingPublisher;

  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    private readonly dataSource: DataSource,
    private readonly names: SenderNames,
    private readonly api: VkApiClient,
  ) {
    this.publisher = new BatchingPublisher(bus);
  }

  /**
   * Resolves once every customer message among `events` is durably on the bus. A malformed event
   * goes to the dead-letter topic with its reason instead: refusing it would only make VK repeat
   * it, and VK switches off a callback server that keeps failing.
   */
  async accept(community: Community, events: VkEvent[]): Promise<void> {
    const fresh = await this.unseen(community.groupId, events);
    if (fresh.length === 0) return;
    const context = {
      groupId: community.groupId,
      userNames: await this.names.resolve(community.token, fresh.flatMap(usersNamedIn)),
    };
    const receivedAt = new Date();
    const published: Array<{ event: VkEvent; inbound: InboundMessage }> = [];
    const records: OutgoingMessage[] = [];
    for (const event of fresh) {
      const result = await vkAdapter.normalise(event, context, receivedAt);
      if (result.kind === 'message') {
        published.push({ event, inbound: result.message });
        records.push(toRecord(result.message));
      } else if (result.kind === 'rejected') {
        this.logger.warn(`dead-lettering VK event ${event.event_id}: ${result.reason}`);
        records.push(deadLetter(community.groupId, event, result.reason));
      } else {
        this.logger.debug(`ignoring VK event ${event.event_id}: ${result.reason}`);
      }
    }
    await this.publisher.publish(records);
    await this.markSeen(community.groupId, fresh);
    await this.answerButtonPresses(community, published);
  }

  /** Events without an id cannot be recognised when repeated; they go through every time. */
  private async unseen(groupId: number, events: VkEvent[]): Promise<VkEvent[]> {
    const ids = events.flatMap((event) => (event.event_id ? [event.event_id] : []));
    if (ids.length === 0) return events;
    const rows: Array<{ event_id: string }> = await this.dataSource.query(
      'SELECT event_id FROM channel_vk.seen_event WHERE group_id = $1 AND event_id = ANY($2::text[])',
      [groupId, ids],
    );
    const seen = new Set(rows.map((row) => row.event_id));
    return events.filter((event) => !event.event_id || !seen.has(event.event_id));
  }

  private async markSeen(groupId: number, events: VkEvent[]): Promise<void> {
    const ids = events.flatMap((event) => (event.event_id ? [event.event_id] : []));
    if (ids.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO channel_vk.seen_event (group_id, event_id)
       SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
      [groupId, ids],
    );
  }

  /** The customer's button keeps spinning until VK hears back; failing to stop it loses nothing. */
  private async answerButtonPresses(
    community: Community,
    published: Array<{ event: VkEvent; inbound: InboundMessage }>,
  ): Promise<void> {
    for (const { event, inbound } of published) {
      if (event.type !== 'message_event' || !inbound.csatAnswer) continue;
      const { event_id, user_id, peer_id } = event.object as VkMessageEvent;
      await this.api
        .answerButtonPress(
          community.token,
          { event_id, user_id, peer_id },
          'Thank you for your rating!',
        )
        .catch((error: unknown) =>
          this.logger.warn(`sendMessageEventAnswer for ${event_id} failed: ${String(error)}`),
        );
    }
  }
}

function toRecord(inbound: InboundMessage): OutgoingMessage {
  return {
    topic: TOPICS.inbound.name,
    key: TOPICS.inbound.key(inbound),
    value: encode(TOPICS.inbound.schema, inbound),
    headers: { messageId: inbound.messageId, type: messageType(TOPICS.inbound.schema) },
  };
}

/** The raw event, as VK sent it, with the reason it could not be read. */
function deadLetter(groupId: number, event: VkEvent, reason: string): OutgoingMessage {
  return {
    topic: DEAD_LETTER_TOPIC,
    key: `vk:${groupId}`,
    value: Buffer.from(JSON.stringify(event)),
    headers: {
      messageId: `vk:${groupId}:event:${event.event_id ?? 'unknown'}`,
      type: 'vk.CallbackEvent',
    },
    extraHeaders: {
      [DEAD_LETTER_HEADER.error]: reason,
      [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
    },
  };
}
