import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { OutboundDelivery, OUTBOUND_RETRY } from '@firstline/channel-kit';
import { Channel, TOPICS, type OutboundMessage } from '@firstline/contracts';
import { OutboxRelay } from '@firstline/persistence';
import { webformAdapter, type StatusPageReply } from '@firstline/webform';
import { StatusPageSender } from './status-page.sender';

/**
 * Delivers messages to web-form customers through the kit's OutboundDelivery: each goes onto
 * their status page once, and its receipt (SENT, for the ticket's outbound id) commits with the
 * email copy, when the customer left an address (docs/adr/0010-webform.md).
 */
@Injectable()
export class WebformOutbound {
  private readonly delivery: OutboundDelivery<StatusPageReply>;

  constructor(dataSource: DataSource, relay: OutboxRelay, sender: StatusPageSender) {
    this.delivery = new OutboundDelivery({
      channel: Channel.WEBFORM,
      dataSource,
      relay,
      render: (message) => webformAdapter.render(message),
      send: (reply, message) => sender.send(reply, message),
      classifyError: webformAdapter.classifyError,
    });
  }

  @Consume({ topic: TOPICS.outboundWebform, retry: OUTBOUND_RETRY })
  handle(messages: Array<Received<OutboundMessage>>): Promise<void> {
    return this.delivery.handle(messages);
  }
}
