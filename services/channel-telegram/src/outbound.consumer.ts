import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { deliveryReceipt, type SendOutcome } from '@firstline/channel';
import { BadInputError } from '@firstline/errors';
import {
  Channel,
  decode,
  DeliveryReceiptSchema,
  encode,
  messageType,
  OutboundMessageSchema,
  TOPICS,
  type OutboundMessage,
} from '@firstline/contracts';
import { claimMessage, DATABASE_SCHEMA, enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { render } from '@firstline/telegram';
import { Bots } from './bots';
import { TelegramSender } from './telegram-sender';

/** Name of this consumer in processed_message. */
const CONSUMER = 'telegram-outbound';

/**
 * Sends the agents' replies and Firstline's own messages to Telegram and reports each in a
 * DeliveryReceipt. Idempotent by outbound id: a message already reported is not sent again. The
 * send cannot share a transaction with the claim, so a crash between the two sends it twice;
 * nothing else does.
 */
@Injectable()
export class TelegramOutbound {
  private readonly logger = new Logger(TelegramOutbound.name);

  constructor(
    private readonly bots: Bots,
    private readonly sender: TelegramSender,
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(DATABASE_SCHEMA) private readonly schema: string,
  ) {}

  @Consume({ topics: [TOPICS.outboundTelegram.name] })
  async handle(records: DeliveredMessage[]): Promise<void> {
    for (const record of records) {
      const message = readOutbound(record);
      if (await this.alreadyHandled(message.outboundId)) continue;
      const outcome = await this.send(message);
      if (!outcome.sent) {
        this.logger.warn(`outbound ${message.outboundId} failed: ${outcome.failure.reason}`);
      }
      await this.dataSource.transaction(async (manager) => {
        if (!(await claimMessage(manager, CONSUMER, message.outboundId))) return;
        // A message is failed at most once (the send is claimed before the receipt goes out).
        const delivery = deliveryReceipt(Channel.TELEGRAM, message, outcome, new Date());
        await enqueueOutbox(manager, [
          {
            topic: TOPICS.deliveryReceipts.name,
            key: TOPICS.deliveryReceipts.key(delivery),
            value: encode(DeliveryReceiptSchema, delivery),
            headers: {
              messageId: delivery.receiptId,
              type: messageType(DeliveryReceiptSchema),
              traceId: record.headers.traceId,
            },
          },
        ]);
      });
      this.relay.nudge();
    }
  }

  /** Render and send; a message that cannot be sent as given is a failure to report, not to retry. */
  private async send(message: OutboundMessage): Promise<SendOutcome> {
    try {
      const rendered = render(message);
      const bot = this.bots.get(rendered.bot);
      if (!bot) {
        return fail('permanent', `no Telegram bot "${rendered.bot}" is configured any more`);
      }
      return await this.sender.send(bot, rendered);
    } catch (error) {
      if (error instanceof BadInputError) return fail('bad-input', error.message);
      throw error;
    }
  }

  private async alreadyHandled(outboundId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "${this.schema}".processed_message WHERE consumer = $1 AND message_id = $2`,
      [CONSUMER, outboundId],
    );
    return rows.length > 0;
  }
}

function readOutbound(record: DeliveredMessage): OutboundMessage {
  if (record.headers.type !== messageType(OutboundMessageSchema)) {
    throw new BadInputError(
      `expected ${messageType(OutboundMessageSchema)}, got ${record.headers.type}`,
    );
  }
  try {
    return decode(OutboundMessageSchema, record.value);
  } catch (error) {
    throw new BadInputError(`unreadable OutboundMessage: ${String(error)}`, { cause: error });
  }
}

function fail(kind: 'permanent' | 'bad-input', reason: string): SendOutcome {
  return { sent: false, failure: { kind, reason, recipientUnreachable: false } };
}
