import { Inject, Injectable } from '@nestjs/common';
import { InputFile } from 'grammy';
import { DataSource } from 'typeorm';
import {
  assertWithinLimit,
  READ_ATTACHMENT,
  readOutboundFile,
  type ReadAttachment,
  type SentMessage,
} from '@firstline/channel-kit';
import {
  chatMessageId,
  telegramAdapter,
  telegramFileName,
  type BotApiCall,
  type OutboundFile,
  type RenderedMessage,
} from '@firstline/telegram';
import type { Bot } from '../bots';
import { SCHEMA } from '../migrations';

/** How often one call waits out a 429 before the failure goes back to OutboundDelivery. */
const RATE_LIMIT_ATTEMPTS = 5;

/**
 * Makes a rendered message's Bot API calls, in order, within Telegram's rate limits (the Bot API
 * FAQ's), uploading its files as multipart/form-data (grammY's InputFile, referenced by
 * `attach://`). The Bot API has no de-duplication key, so every call Telegram took is recorded at
 * once and a retry of the message makes only the calls not recorded: a text already sent is not
 * sent again because the upload after it failed. A 429 is waited out here, call by call; whatever
 * else fails is thrown for `classifyError` to read.
 */
@Injectable()
export class BotApiSender {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(READ_ATTACHMENT) private readonly readAttachment: ReadAttachment,
  ) {}

  async send(bot: Bot, message: RenderedMessage): Promise<SentMessage> {
    const partIds = message.calls.map((_, index) => `${message.outboundId}:${index + 1}`);
    const sent = await this.sentParts(partIds);
    const telegramMessageIds: number[] = [];
    for (const [index, call] of message.calls.entries()) {
      const partId = partIds[index];
      let messageId = sent.get(partId);
      if (messageId === undefined) {
        messageId = await this.callWithinLimits(bot, message.chatId, await this.withFiles(call));
        await this.recordPart(partId, messageId);
      }
      telegramMessageIds.push(messageId);
    }
    // The first part is the one a customer's reply most likely quotes.
    const first = telegramMessageIds[0];
    return {
      channelMessageId: String(first),
      sentMessageId: chatMessageId(message.bot, message.chatId, first),
    };
  }

  /** The call with each file's bytes read and checked against the call's limit. */
  private async withFiles(call: BotApiCall): Promise<BotApiCall<InputFile>> {
    const upload = async (file: OutboundFile) => {
      const read = await readOutboundFile(file.attachment, this.readAttachment);
      assertWithinLimit(read, file.limitBytes, `Telegram ${file.kind}s`);
      return new InputFile(read.bytes, telegramFileName(read.fileName));
    };
    switch (call.method) {
      case 'sendMessage':
        return call;
      case 'sendPhoto':
        return { ...call, payload: { ...call.payload, photo: await upload(call.payload.photo) } };
      case 'sendDocument':
        return {
          ...call,
          payload: { ...call.payload, document: await upload(call.payload.document) },
        };
      case 'sendMediaGroup': {
        const media = [];
        for (const item of call.payload.media)
          media.push({ ...item, media: await upload(item.media) });
        return { ...call, payload: { ...call.payload, media } };
      }
    }
  }

  private async callWithinLimits(
    bot: Bot,
    chatId: string,
    call: BotApiCall<InputFile>,
  ): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      await sleep(bot.sendLimits.reserve(chatId, Date.now()));
      try {
        return await this.call(bot, call);
      } catch (error) {
        const { retryAfterMs } = telegramAdapter.classifyError(error);
        if (retryAfterMs === undefined || attempt >= RATE_LIMIT_ATTEMPTS) throw error;
        await sleep(retryAfterMs);
      }
    }
  }

  /** The id of the message the call made; an album's first. */
  private async call(bot: Bot, call: BotApiCall<InputFile>): Promise<number> {
    switch (call.method) {
      case 'sendMessage':
        return (await bot.api.raw.sendMessage(call.payload)).message_id;
      case 'sendPhoto':
        return (await bot.api.raw.sendPhoto(call.payload)).message_id;
      case 'sendDocument':
        return (await bot.api.raw.sendDocument(call.payload)).message_id;
      case 'sendMediaGroup':
        // render() makes an album of photos or of documents, never both, as sendMediaGroup wants.
        return (await bot.api.raw.sendMediaGroup(call.payload as MediaGroupPayload))[0].message_id;
    }
  }

  private async sentParts(partIds: string[]): Promise<Map<string, number>> {
    const rows: Array<{ part_id: string; message_id: string }> = await this.dataSource.query(
      `SELECT part_id, message_id FROM "${SCHEMA}".sent_part WHERE part_id = ANY($1::text[])`,
      [partIds],
    );
    return new Map(rows.map((row) => [row.part_id, Number(row.message_id)]));
  }

  /** Committed at once, on its own: the call is made, whatever happens to the rest. */
  private async recordPart(partId: string, messageId: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "${SCHEMA}".sent_part (part_id, message_id) VALUES ($1, $2)
       ON CONFLICT (part_id) DO NOTHING`,
      [partId, messageId],
    );
  }
}

type MediaGroupPayload = Parameters<Bot['api']['raw']['sendMediaGroup']>[0];

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
