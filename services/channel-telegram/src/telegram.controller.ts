import {
  BadGatewayException,
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  StreamableFile,
  UnauthorizedException,
} from '@nestjs/common';
import { GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import { SECRET_TOKEN_HEADER, verifyWebhookSecret } from '@firstline/telegram';
import { Bots, type Bot } from './bots';
import { TelegramInbound } from './inbound';

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
   * bot's token (part of Telegram's file URLs) never leaves the adapter.
   */
  @Get('files/:fileId')
  async file(@Param('bot') name: string, @Param('fileId') fileId: string): Promise<StreamableFile> {
    const bot = this.bots.get(name);
    if (!bot) throw new NotFoundException(`no bot "${name}"`);
    const path = await filePath(bot, fileId);
    const response = await fetch(bot.fileDownloadUrl(path));
    if (!response.ok || !response.body) {
      throw new BadGatewayException(`Bot API file download failed: HTTP ${response.status}`);
    }
    return new StreamableFile(Buffer.from(await response.arrayBuffer()), {
      type: response.headers.get('content-type') ?? 'application/octet-stream',
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
