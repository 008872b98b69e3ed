import type { ServerResponse } from 'node:http';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Ip,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ATTACHMENT_LIMITS } from '@firstline/channel';
import { RateLimiter } from '@firstline/channel-kit';
import { Channel } from '@firstline/contracts';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { prechatForm, readProfile, siteOf } from '@firstline/chat';
import { ChatActivityRelay } from '../activity/chat-activity';
import { AvailabilityService } from '../availability/availability.service';
import { ChatInbound, type SendAnswer } from '../inbound/chat-inbound';
import { ConversationStore, type ChatEntry, type QueuePlace } from './conversation.store';
import { VisitorAuth } from './visitor-auth';
import { VisitorCues, type VisitorCue } from './visitor-cues';
import { VisitorListeners } from './visitor-listeners';

/** When a visitor holding all the connections it may is told to try again: a tab may close. */
const FULL_RETRY_SECONDS = 15;

/** The pre-chat form's fields as a 400 names them; the widget says it in the visitor's language. */
const PROBLEMS = {
  name: 'name is required',
  email: 'email must be an email address (and is required here)',
  topic: 'topic must be one of the offered topics',
} as const;

/**
 * A long poll's answer: what is new, how far an agent has read, the chat's place in line, and an
 * agent typing now.
 */
export interface PollAnswer {
  messages: ChatEntry[];
  agentRead: number;
  queue: QueuePlace;
  typing?: { author: string; until: string };
}

/**
 * The widget's HTTP side: a new visitor's token, and the fallback for networks that block
 * WebSockets — long polling for new messages and a POST to send one. Both carry the token as
 * `Authorization: Bearer <token>`.
 */
@Controller('chat')
export class ChatController {
  /** New visitors per client address: tokens are free to make, their rows are not. */
  private readonly sessionsPerAddress: RateLimiter;

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly auth: VisitorAuth,
    private readonly store: ConversationStore,
    private readonly listeners: VisitorListeners,
    private readonly inbound: ChatInbound,
    private readonly cues: VisitorCues,
    private readonly activity: ChatActivityRelay,
    private readonly availability: AvailabilityService,
  ) {
    this.sessionsPerAddress = new RateLimiter(config.sessionsPerMinute, 60_000);
  }

  /**
   * What the widget of a site (`data-site`) shows before a chat: its pre-chat form, in the
   * widget's language, and whether anyone can chat now (`open`, `closed` with when it opens,
   * `no_agent`), and which files a visitor may send (checked again on upload). Asked when the
   * window opens; needs no token.
   */
  @Get('site')
  async site(@Query('site') id: string | undefined, @Query('locale') locale: string | undefined) {
    const site = siteOf(this.config.sites, id);
    const now = await this.availability.of(site);
    return {
      prechat: prechatForm(site, locale === 'ru' ? 'ru' : 'en') ?? null,
      availability: {
        state: now.state,
        opensAt: now.state === 'closed' && now.opensAt ? now.opensAt.toISOString() : null,
      },
      files: {
        maxFileBytes: ATTACHMENT_LIMITS[Channel.CHAT].maxFileBytes,
        types: this.config.attachmentTypes,
      },
    };
  }

  /**
   * The pre-chat form's answers, kept with the visitor and sent with each of their messages;
   * 400 with `fields` naming what to correct.
   */
  @Post('profile')
  @HttpCode(204)
  async profile(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: { site?: unknown; name?: unknown; email?: unknown; topic?: unknown } | undefined,
  ): Promise<void> {
    const visitorId = await this.auth.required(authorization);
    const read = readProfile(siteOf(this.config.sites, body?.site), body);
    if ('problems' in read) {
      throw new BadRequestException({
        message: read.problems.map((field) => PROBLEMS[field]).join('; '),
        details: {
          fields: read.problems.map((field) => ({
            field,
            problem: 'invalid',
            message: PROBLEMS[field],
          })),
        },
      });
    }
    await this.store.setProfile(visitorId, read.profile);
  }

  /**
   * A message left while nobody can chat: it becomes a ticket answered by email. Answered like
   * a chat message: delivered once the broker has it, or rejected with the reason.
   */
  @Post('left-messages')
  @HttpCode(200)
  async leave(
    @Headers('authorization') authorization: string | undefined,
    @Headers('referer') referer: string | undefined,
    @Body() body: { site?: unknown } | undefined,
  ): Promise<SendAnswer> {
    const visitorId = await this.auth.required(authorization);
    return this.inbound.leave(visitorId, body, siteOf(this.config.sites, body?.site), referer);
  }

  /**
   * A new visitor and the token that is their conversation from now on (the widget keeps it).
   * An address over CHAT_SESSIONS_PER_MINUTE is answered 429 with Retry-After.
   */
  @Post('session')
  @HttpCode(201)
  async session(
    @Ip() address: string,
    @Res({ passthrough: true }) response: ServerResponse,
    @Body() body: { locale?: unknown } | undefined,
  ): Promise<{ token: string }> {
    const decision = this.sessionsPerAddress.take(address, Date.now());
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds, response);
    const locale = body?.locale === 'ru' || body?.locale === 'en' ? body.locale : '';
    const visitorId = await this.store.createVisitor(locale);
    return { token: this.auth.tokenOf(visitorId) };
  }

  /**
   * What is new after `after`, with the read mark; when nothing is, the request waits up to
   * CHAT_LONG_POLL_SECONDS and answers the moment a message is stored, an agent types or reads,
   * or the chat moves in the queue. `place` is the place the widget shows (`<position> <promise>`).
   */
  @Get('messages')
  async poll(
    @Headers('authorization') authorization: string | undefined,
    @Query('after') after: string | undefined,
    @Query('read') read: string | undefined,
    @Query('place') place: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<PollAnswer> {
    const visitorId = await this.auth.required(authorization);
    const seq = Number(after);
    const from = Number.isSafeInteger(seq) && seq > 0 ? seq : 0;
    const known = Number(read);
    let changed!: () => void;
    const change = new Promise<void>((resolve) => (changed = resolve));
    let typing: PollAnswer['typing'];
    // Listening before reading: a message stored in between ends the wait at once.
    const stopListening = this.listeners.listen(visitorId, changed);
    if (!stopListening) throw tooManyRequests(FULL_RETRY_SECONDS, response);
    const stopCues = this.cues.listen(visitorId, (cue: VisitorCue) => {
      if (cue.type === 'typing') typing = { author: cue.author, until: cue.until };
      changed();
    });
    try {
      const answer = async (): Promise<PollAnswer> => ({
        messages: await this.store.after(visitorId, from),
        agentRead: (await this.store.readMarks(visitorId)).agentRead,
        queue: await this.store.queuePlace(visitorId),
        ...(typing ? { typing } : {}),
      });
      const now = await answer();
      // The widget names the read mark it has: a newer one is news too.
      const moved =
        place !== undefined &&
        place !== `${now.queue.position} ${now.queue.expectedAnswerAt ?? ''}`;
      if (
        now.messages.length > 0 ||
        (Number.isSafeInteger(known) && now.agentRead > known) ||
        moved
      ) {
        return now;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        change,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.longPollMs))),
      ]);
      clearTimeout(timer);
      return await answer();
    } finally {
      stopListening();
      stopCues();
    }
  }

  /** The visitor is typing, without a WebSocket. */
  @Post('typing')
  @HttpCode(204)
  async typing(@Headers('authorization') authorization: string | undefined): Promise<void> {
    await this.activity.visitorTyping(await this.auth.required(authorization));
  }

  /** The widget showed the conversation up to `seq` while visible, without a WebSocket. */
  @Post('read')
  @HttpCode(204)
  async read(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: { seq?: unknown } | undefined,
  ): Promise<void> {
    await this.activity.visitorRead(await this.auth.required(authorization), body?.seq);
  }

  /** Sends a message without a WebSocket; answered as the socket answers it. */
  @Post('messages')
  @HttpCode(200)
  async send(
    @Headers('authorization') authorization: string | undefined,
    @Headers('referer') referer: string | undefined,
    @Body() body: unknown,
  ): Promise<SendAnswer> {
    const visitorId = await this.auth.required(authorization);
    const answer = await this.inbound.accept(visitorId, body, referer);
    this.activity.forgetTyping(visitorId);
    return answer;
  }
}

/** The answer to a request over a limit: 429, with Retry-After for the client to wait. */
function tooManyRequests(retryAfterSeconds: number, response: ServerResponse): HttpException {
  response.setHeader('Retry-After', String(retryAfterSeconds));
  return new HttpException(
    `Too many requests: try again in ${retryAfterSeconds} s`,
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
