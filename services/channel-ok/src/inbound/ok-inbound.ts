import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@firstline/bus';
import { InboundPublisher, type RawPayload } from '@firstline/channel-kit';
import { okAdapter, type OkContext, type OkWebhook } from '@firstline/ok';
import { OkApiClient } from '../ok-api.client';

/**
 * Turns one group's webhook bodies into inbound messages on the bus. A redelivered body carries
 * the same mid (or callbackId), so it becomes the same message id and is recognised downstream;
 * nothing needs remembering here.
 */
@Injectable()
export class OkInbound {
  private readonly logger = new Logger(OkInbound.name);
  private readonly publisher: InboundPublisher;

  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    private readonly api: OkApiClient,
  ) {
    this.publisher = new InboundPublisher({ bus, name: 'ok' });
  }

  /** Resolves once the broker acknowledged what the body became (a message or a dead letter). */
  async accept(token: string, context: OkContext, rawBody: Buffer): Promise<void> {
    const webhook = parseJson(rawBody);
    const result = await okAdapter.normalise(webhook as OkWebhook, context, new Date());
    await this.publisher.publish([{ result, payload: payloadOf(context, rawBody) }]);
    if (result.kind === 'message' && result.message.csatAnswer && webhook) {
      await this.thankForRating(token, webhook as OkWebhook);
    }
  }

  /** OK expects a pressed CALLBACK button to be answered; failing to loses nothing. */
  private async thankForRating(token: string, press: OkWebhook): Promise<void> {
    const chatId = press.recipient?.chat_id;
    if (!chatId || !press.callbackId) return;
    await this.api
      .answerButtonPress(token, chatId, press.callbackId, 'Thank you for your rating!')
      .catch((error: unknown) =>
        this.logger.warn(`answering button press ${press.callbackId} failed: ${String(error)}`),
      );
  }
}

/** What is not JSON reaches normalise as null, which rejects it with the reason. */
function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
}

/**
 * The body as OK posted it. Its id is a digest of the bytes: a body that cannot be read names
 * nothing else stable, and a repeat of it gets the same id.
 */
function payloadOf(context: OkContext, rawBody: Buffer): RawPayload {
  const digest = createHash('sha256').update(rawBody).digest('hex').slice(0, 32);
  return {
    source: `ok:${context.groupId}`,
    id: `ok:${context.groupId}:webhook:${digest}`,
    type: 'ok.Webhook',
    bytes: rawBody,
  };
}
