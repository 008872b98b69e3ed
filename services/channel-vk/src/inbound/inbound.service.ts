import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGE_BUS, type CheckpointedSource, type MessageBus } from '@firstline/bus';
import type { Normalised } from '@firstline/channel';
import { errorKind } from '@firstline/errors';
import { InboundPublisher, jsonPayload } from '@firstline/channel-kit';
import { usersNamedIn, vkAdapter, type VkEvent, type VkMessageEvent } from '@firstline/vk';
import type { Community } from '../config';
import { VkApiClient } from '../vk-api.client';
import { SenderNames } from './sender-names';

interface NormalisedEvent {
  event: VkEvent;
  result: Normalised;
}

/** Callback events waiting for the batch in flight of their community to finish. */
interface WaitingCallback {
  event: VkEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Events per batch of callbacks: one users.get names at most 1,000 users. */
const MAX_CALLBACK_BATCH = 500;

/**
 * Turns VK events of one community into InboundMessages on the bus, once per event: events
 * already published are skipped, and an event counts as published only after the bus
 * acknowledged it. Both the Callback API and Bots Long Poll come through here.
 */
@Injectable()
export class VkInbound {
  private readonly logger = new Logger(VkInbound.name);
  private readonly publisher: InboundPublisher;
  /** Per community: callbacks that arrived while one of its batches was being accepted. */
  private readonly waitingCallbacks = new Map<number, WaitingCallback[]>();
  private readonly acceptingCallbacks = new Set<number>();

  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    private readonly dataSource: DataSource,
    private readonly names: SenderNames,
    private readonly api: VkApiClient,
  ) {
    this.publisher = new InboundPublisher({ bus, name: 'vk' });
  }

  /**
   * Resolves once every customer message among `events` is durably on the bus. A malformed event
   * goes to the dead-letter topic with its reason instead: refusing it would only make VK repeat
   * it, and VK switches off a callback server that keeps failing. `polled`: the community's long
   * poll as a source of the bus, and the position past these events, published with them.
   */
  async accept(
    community: Community,
    events: VkEvent[],
    polled?: { source: CheckpointedSource; ts: string },
  ): Promise<void> {
    const fresh = await this.unseen(community.groupId, events);
    if (fresh.length === 0) {
      // Nothing to publish; the long poll's position moves on all the same.
      if (polled) await polled.source.publish([], polled.ts);
      return;
    }
    const context = {
      groupId: community.groupId,
      userNames: await this.names.resolve(community.token, fresh.flatMap(usersNamedIn)),
    };
    const receivedAt = new Date();
    const normalised: NormalisedEvent[] = [];
    for (const event of fresh) {
      normalised.push({ event, result: await vkAdapter.normalise(event, context, receivedAt) });
    }
    const payloads = normalised.map(({ event, result }) => ({
      result,
      payload: rawEvent(community.groupId, event),
    }));
    if (polled) await this.publisher.publishWithCheckpoint(polled.source, payloads, polled.ts);
    else await this.publisher.publish(payloads);
    await this.markSeen(community.groupId, fresh);
    await this.answerButtonPresses(community, normalised);
  }

  /**
   * One Callback API event, resolved once it is accepted as `accept` does. The Callback API sends
   * one event per request, and accepting each alone costs four Postgres round trips, a publish
   * and a users.get call; events of one community that arrive while a batch of its callbacks is
   * being accepted go together in the next one, so the costs are paid per batch.
   */
  acceptCallback(community: Community, event: VkEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting = this.waitingCallbacks.get(community.groupId) ?? [];
      this.waitingCallbacks.set(community.groupId, waiting);
      waiting.push({ event, resolve, reject });
      if (!this.acceptingCallbacks.has(community.groupId)) void this.acceptCallbacks(community);
    });
  }

  private async acceptCallbacks(community: Community): Promise<void> {
    this.acceptingCallbacks.add(community.groupId);
    const waiting = this.waitingCallbacks.get(community.groupId)!;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, MAX_CALLBACK_BATCH);
      try {
        await this.accept(community, onceEach(batch.map(({ event }) => event)));
        for (const callback of batch) callback.resolve();
      } catch (error) {
        // The broker or Postgres away fails every event alike: VK repeats them all later.
        if (batch.length === 1 || errorKind(error) === 'unavailable') {
          for (const callback of batch) callback.reject(error);
          continue;
        }
        // Each alone, as if they had come one at a time: an event that cannot be accepted fails
        // its own request only, and VK repeats just that one.
        for (const callback of batch) {
          await this.accept(community, [callback.event]).then(callback.resolve, callback.reject);
        }
      }
    }
    this.waitingCallbacks.delete(community.groupId);
    this.acceptingCallbacks.delete(community.groupId);
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
    normalised: NormalisedEvent[],
  ): Promise<void> {
    for (const { event, result } of normalised) {
      if (event.type !== 'message_event' || result.kind !== 'message') continue;
      if (!result.message.csatAnswer) continue;
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

/** A repeat that arrives while its event waits in the same batch is accepted with it, once. */
function onceEach(events: VkEvent[]): VkEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (!event.event_id) return true;
    if (seen.has(event.event_id)) return false;
    seen.add(event.event_id);
    return true;
  });
}

/**
 * The event as VK sent it, for the dead-letter topic, without the community's secret: whoever
 * reads dead letters must not learn how to forge callbacks.
 */
function rawEvent(groupId: number, event: VkEvent) {
  return jsonPayload(
    `vk:${groupId}`,
    `vk:${groupId}:event:${event.event_id ?? 'unknown'}`,
    'vk.CallbackEvent',
    { ...event, secret: undefined },
  );
}
