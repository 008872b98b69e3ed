import {
  BadGatewayException,
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  GoneException,
  Header,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  StreamableFile,
  UnauthorizedException,
} from '@nestjs/common';
import { GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  SECRET_TOKEN_HEADER,
  servedFile,
  verifyFileLink,
  verifyWebhookSecret,
} from '@firstline/telegram';
import { Bots, type Bot } from '../bots';
import { TelegramInbound } from './telegram-inbound';

@Controller('telegram/:bot')
export class TelegramController {
  constructor(
    private readonly bots: Bots,
    private readonly inbound: TelegramInbound,
  ) {}

  /**
   * Telegram's webhook for a bot in webhook mode. Answers 200 only once the update is on the bus:
   * any other answer makes Telegram deliver it again.
   */
  @Post('webhook')
  @HttpCode(200)
  async webhook(
    @Param('bot') name: string,
    @Headers(SECRET_TOKEN_HEADER) secret: string | undefined,
    @Body() update: Update,
  ): Promise<{ ok: true }> {
    const bot = this.bots.get(name);
    if (bot?.config.mode !== 'webhook' || !bot.config.secret) {
      throw new NotFoundException(`no bot "${name}" in webhook mode`);
    }
    if (!verifyWebhookSecret(bot.config.secret, secret)) {
      throw new UnauthorizedException(`wrong or missing ${SECRET_TOKEN_HEADER}`);
    }
    if (typeof update?.update_id !== 'number') {
      throw new BadRequestException('not a Telegram update: update_id is missing');
    }
    await this.inbound.accept(bot, [update]);
    return { ok: true };
  }

  /**
   * A file a customer sent, fetched through the Bot API on demand: attachments link here, so the
   * bot's token (part of Telegram's file URLs) never leaves the adapter. Only a link the adapter
   * signed opens it, until it expires; the bytes are passed on as they arrive, under a type of
   * our choosing (servedFile), never sniffed.
   */
  @Get('files/:fileId')
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'private, max-age=3600')
  async file(
    @Param('bot') name: string,
    @Param('fileId') fileId: string,
    @Query() query: Record<string, string | undefined>,
  ): Promise<StreamableFile> {
    const bot = this.bots.get(name);
    if (!bot) throw new NotFoundException(`no bot "${name}"`);
    const link = verifyFileLink(
      { bot: name, fileId, name: query.name, expires: query.expires, signature: query.signature },
      bot.context.fileLinkKey,
      new Date(),
    );
    if (link.kind === 'forged') throw new ForbiddenException(`file link refused: ${link.reason}`);
    if (link.kind === 'expired') throw new GoneException('this file link has expired');
    const path = await filePath(bot, fileId);
    const response = await fetch(bot.fileDownloadUrl(path));
    if (!response.ok || !response.body) {
      throw new BadGatewayException(`Bot API file download failed: HTTP ${response.status}`);
    }
    const served = servedFile(link.fileName);
    const length = Number(response.headers.get('content-length') ?? NaN);
    return new StreamableFile(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), {
      type: served.contentType,
      disposition: served.disposition,
      length: Number.isInteger(length) ? length : undefined,
    });
  }
}

async function filePath(bot: Bot, fileId: string): Promise<string> {
  try {
    const file = await bot.api.getFile(fileId);
    if (!file.file_path) throw new BadGatewayException('Bot API gave no file_path for this file');
    return file.file_path;
  } catch (error) {
    // 400 covers an unknown file id and files over the Bot API's 20 MB download limit.
    if (error instanceof GrammyError && error.error_code === 400) {
      throw new NotFoundException(error.description);
    }
    throw error;
  }
}
