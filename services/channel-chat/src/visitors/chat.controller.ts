import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Post,
  Query,
  UnauthorizedException,
} from '@nestjs/common';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { ChatInbound, type SendAnswer } from '../inbound/chat-inbound';
import { ConversationStore, type ChatEntry } from './conversation.store';
import { VisitorAuth } from './visitor-auth';
import { VisitorListeners } from './visitor-listeners';

/**
 * The widget's HTTP side: a new visitor's token, and the fallback for networks that block
 * WebSockets — long polling for new messages and a POST to send one. Both carry the token as
 * `Authorization: Bearer <token>`.
 */
@Controller('chat')
export class ChatController {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly auth: VisitorAuth,
    private readonly store: ConversationStore,
    private readonly listeners: VisitorListeners,
    private readonly inbound: ChatInbound,
  ) {}

  /** A new visitor and the token that is their conversation from now on (the widget keeps it). */
  @Post('session')
  @HttpCode(201)
  async session(@Body() body: { locale?: unknown } | undefined): Promise<{ token: string }> {
    const locale = body?.locale === 'ru' || body?.locale === 'en' ? body.locale : '';
    const visitorId = await this.store.createVisitor(locale);
    return { token: this.auth.tokenOf(visitorId) };
  }

  /**
   * What is new after `after`; when nothing is, the request waits up to CHAT_LONG_POLL_SECONDS
   * for the next message and answers the moment one is stored.
   */
  @Get('messages')
  async poll(
    @Headers('authorization') authorization: string | undefined,
    @Query('after') after: string | undefined,
  ): Promise<{ messages: ChatEntry[] }> {
    const visitorId = await this.visitor(authorization);
    const seq = Number(after);
    const from = Number.isSafeInteger(seq) && seq > 0 ? seq : 0;
    let changed!: () => void;
    const change = new Promise<void>((resolve) => (changed = resolve));
    // Listening before reading: a message stored in between ends the wait at once.
    const stopListening = this.listeners.listen(visitorId, changed);
    try {
      const messages = await this.store.after(visitorId, from);
      if (messages.length > 0) return { messages };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        change,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.longPollMs))),
      ]);
      clearTimeout(timer);
      return { messages: await this.store.after(visitorId, from) };
    } finally {
      stopListening();
    }
  }

  /** Sends a message without a WebSocket; answered as the socket answers it. */
  @Post('messages')
  @HttpCode(200)
  async send(
    @Headers('authorization') authorization: string | undefined,
    @Headers('referer') referer: string | undefined,
    @Body() body: unknown,
  ): Promise<SendAnswer> {
    return this.inbound.accept(await this.visitor(authorization), body, referer);
  }

  private async visitor(authorization: string | undefined): Promise<string> {
    const visitorId = await this.auth.visitorOf(authorization);
    if (!visitorId) throw new UnauthorizedException('Start a chat first: POST /chat/session');
    return visitorId;
  }
}
