import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import type { SendFailure } from '@firstline/channel';
import { OUTBOUND_RETRY, OutboundDelivery } from '@firstline/channel-kit';
import { Channel, TOPICS, type OutboundMessage } from '@firstline/contracts';
import { FirstlineError } from '@firstline/errors';
import { okAdapter, parseConversationKey, type OkSend } from '@firstline/ok';
import { OutboxRelay } from '@firstline/persistence';
import { OkGroups } from '../groups';
import { OkSender } from './ok-sender';

/** Agents' replies and Firstline's own messages to OK chats, each reported in a DeliveryReceipt. */
@Injectable()
export class OkOutbound {
  private readonly delivery: OutboundDelivery<OkSend>;

  constructor(dataSource: DataSource, relay: OutboxRelay, groups: OkGroups, sender: OkSender) {
    this.delivery = new OutboundDelivery({
      channel: Channel.OK,
      dataSource,
      relay,
      render: (message) =>
        okAdapter.render(
          message,
          groups.contextOf(parseConversationKey(message.conversationKey)?.groupId ?? ''),
        ),
      send: (rendered) => sender.send(rendered),
      classifyError,
    });
  }

  @Consume({ topic: TOPICS.outboundOk, retry: OUTBOUND_RETRY })
  handle(messages: Array<Received<OutboundMessage>>): Promise<void> {
    return this.delivery.handle(messages);
  }
}

/**
 * What OK answered is the adapter's to judge; the service's own failures (a group it does not
 * have, a file without a URL) already carry their kind.
 */
function classifyError(error: unknown): SendFailure {
  if (error instanceof FirstlineError) {
    return { kind: error.kind, reason: error.message, recipientUnreachable: false };
  }
  return okAdapter.classifyError(error);
}
