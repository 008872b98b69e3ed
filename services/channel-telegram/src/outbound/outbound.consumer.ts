import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { OUTBOUND_RETRY, OutboundDelivery } from '@firstline/channel-kit';
import { TOPICS, type OutboundMessage } from '@firstline/contracts';
import { PermanentError } from '@firstline/errors';
import { OutboxRelay } from '@firstline/persistence';
import { render, telegramAdapter, type RenderedMessage } from '@firstline/telegram';
import { Bots, type Bot } from '../bots';
import { BotApiSender } from './bot-api-sender';

/**
 * Sends the agents' replies and Firstline's own messages to Telegram and reports each in a
 * DeliveryReceipt, once per outbound id (OutboundDelivery). The SENT receipt names the message
 * in the chat, so a customer's reply to it threads to its ticket.
 */
@Injectable()
export class TelegramOutbound {
  private readonly delivery: OutboundDelivery<{ bot: Bot; message: RenderedMessage }>;

  constructor(bots: Bots, sender: BotApiSender, dataSource: DataSource, relay: OutboxRelay) {
    this.delivery = new OutboundDelivery({
      channel: telegramAdapter.channel,
      dataSource,
      relay,
      // telegramAdapter.render without a context: the conversation key names the bot.
      render: (outbound) => {
        const message = render(outbound);
        const bot = bots.get(message.bot);
        // A bot taken out of TELEGRAM_BOTS does not come back by retrying.
        if (!bot) {
          throw new PermanentError(`no Telegram bot "${message.bot}" is configured any more`);
        }
        return { bot, message };
      },
      send: ({ bot, message }) => sender.send(bot, message),
      classifyError: (error) => telegramAdapter.classifyError(error),
    });
  }

  @Consume({ topic: TOPICS.outboundTelegram, retry: OUTBOUND_RETRY })
  handle(messages: Array<Received<OutboundMessage>>): Promise<void> {
    return this.delivery.handle(messages);
  }
}
