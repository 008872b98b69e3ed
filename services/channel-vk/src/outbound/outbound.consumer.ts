import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import {
  assertWithinLimit,
  OUTBOUND_RETRY,
  OutboundDelivery,
  READ_ATTACHMENT,
  readOutboundFile,
  type ReadAttachment,
  type SentMessage,
} from '@firstline/channel-kit';
import { Channel, TOPICS, type OutboundMessage } from '@firstline/contracts';
import { PermanentError } from '@firstline/errors';
import { OutboxRelay } from '@firstline/persistence';
import { vkAdapter, type VkFile, type VkSend } from '@firstline/vk';
import { VK_CONFIG, type Community, type VkConfig } from '../config';
import { VkApiClient } from '../vk-api.client';

/**
 * Sends agents' replies and Firstline's own messages to VK through the channel kit, which sends
 * each outbound id once and reports it in a DeliveryReceipt. The one gap it leaves — a crash
 * after VK took the message and before its outcome was recorded — VK closes: every attempt
 * carries the random_id derived from the outbound id, and VK drops a repeated one. Files are
 * uploaded again on every attempt: an upload is no message, and only messages.send, once, names
 * them to the customer.
 */
@Injectable()
export class VkOutbound {
  private readonly communities: Map<number, Community>;
  private readonly delivery: OutboundDelivery<VkSend>;

  constructor(
    @Inject(VK_CONFIG) config: VkConfig,
    private readonly api: VkApiClient,
    dataSource: DataSource,
    relay: OutboxRelay,
    @Inject(READ_ATTACHMENT) private readonly readAttachment: ReadAttachment,
  ) {
    this.communities = new Map(
      config.communities.map((community) => [community.groupId, community]),
    );
    this.delivery = new OutboundDelivery({
      channel: Channel.VK,
      dataSource,
      relay,
      render: (message) => {
        const send = vkAdapter.render(message);
        this.communityOf(send); // a community without a token here fails the message at once
        return send;
      },
      send: (send) => this.send(send),
      classifyError: vkAdapter.classifyError,
    });
  }

  // One record per call: the bus counts its attempts per call and the kit per message, and only
  // alone do they agree, so that the kit reports a message failed before the bus dead-letters it.
  @Consume({ topic: TOPICS.outboundVk, retry: OUTBOUND_RETRY, maxBatchSize: 1 })
  handle(messages: Array<Received<OutboundMessage>>): Promise<void> {
    return this.delivery.handle(messages);
  }

  /** The files through VK's upload flow, then messages.send naming them. */
  private async send(send: VkSend): Promise<SentMessage> {
    const { token } = this.communityOf(send);
    const uploaded: string[] = [];
    for (const file of send.files)
      uploaded.push(await this.upload(token, send.params.peer_id, file));
    const params =
      uploaded.length > 0 ? { ...send.params, attachment: uploaded.join(',') } : send.params;
    return { channelMessageId: String(await this.api.sendMessage(token, params)) };
  }

  private async upload(token: string, peerId: number, file: VkFile): Promise<string> {
    const read = await readOutboundFile(file.attachment, this.readAttachment);
    assertWithinLimit(read, file.limitBytes, file.kind === 'photo' ? 'VK photos' : 'VK documents');
    return file.kind === 'photo'
      ? this.api.uploadPhoto(token, peerId, read)
      : this.api.uploadDocument(token, peerId, read);
  }

  private communityOf(send: VkSend): Community {
    const community = this.communities.get(send.groupId);
    if (!community) throw new PermanentError(`VK community ${send.groupId} is not configured`);
    return community;
  }
}
