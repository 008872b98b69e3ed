import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGE_BUS, type MessageBus } from '@firstline/bus';
import { InboundPublisher, jsonPayload } from '@firstline/channel-kit';
import { ratingMessage, readRating, readTranscriptAddress, transcriptMail } from '@firstline/chat';
import {
  encode,
  messageType,
  OutboundMessageSchema,
  outboundTopic,
  Channel,
} from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { ConversationStore, type StoredSurvey } from '../visitors/conversation.store';
import { VisitorAuth } from '../visitors/visitor-auth';

/**
 * The end of a chat, as the widget offers it under the survey message of a resolved chat (by an
 * agent or for inactivity): the visitor's stars and comment, recorded as CSAT on the ticket, and
 * the transcript by email. Both name the survey by its place in the conversation (`seq`), so a
 * visitor can only rate and ask about their own chats; both happen once per chat.
 */
@Controller('chat/surveys')
export class ChatClosingController {
  private readonly publisher: InboundPublisher;

  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly auth: VisitorAuth,
    private readonly store: ConversationStore,
  ) {
    this.publisher = new InboundPublisher({ bus, name: 'chat' });
  }

  /**
   * Published as a survey answer first, then recorded: a crash in between publishes it again
   * under the same id, which the router recognises. A second rating of the same chat is answered
   * with the first.
   */
  @Post(':seq/rating')
  @HttpCode(200)
  async rate(
    @Headers('authorization') authorization: string | undefined,
    @Param('seq', ParseIntPipe) seq: number,
    @Body() body: unknown,
  ): Promise<{ score: number }> {
    const visitorId = await this.auth.required(authorization);
    const survey = await this.survey(visitorId, seq);
    if (survey.score !== null) return { score: survey.score };
    const rating = readRating(body);
    if (typeof rating === 'string') throw new BadRequestException(rating);
    const locale = (body as { locale?: unknown }).locale;
    const message = ratingMessage(
      visitorId,
      seq,
      survey,
      rating,
      typeof locale === 'string' ? locale : '',
      new Date(),
    );
    await this.publisher.publish([
      {
        result: { kind: 'message', message },
        payload: jsonPayload(message.conversationKey, message.messageId, 'chat.Rating', rating),
      },
    ]);
    return { score: await this.store.recordRating(visitorId, seq, rating) };
  }

  /**
   * The chat's messages by mail, through the email channel's outbound topic (its outbox row is
   * written with the address, so the mail leaves once the address is recorded). Once per chat:
   * asking again answers where it went.
   */
  @Post(':seq/transcript')
  @HttpCode(202)
  async transcript(
    @Headers('authorization') authorization: string | undefined,
    @Param('seq', ParseIntPipe) seq: number,
    @Body() body: unknown,
  ): Promise<{ sentTo: string }> {
    const visitorId = await this.auth.required(authorization);
    const survey = await this.survey(visitorId, seq);
    const address = readTranscriptAddress(body);
    if (typeof address !== 'string') throw new BadRequestException(address.problem);
    const locale = (body as { locale?: unknown }).locale;
    const lines = await this.store.transcript(visitorId, seq);
    const sentTo = await this.dataSource.transaction(async (manager) => {
      const recorded = await this.store.recordTranscriptAddress(manager, visitorId, seq, address);
      if (!recorded.first) return recorded.address;
      const mail = transcriptMail(
        visitorId,
        seq,
        survey,
        address,
        lines,
        typeof locale === 'string' ? locale : '',
        new Date(),
      );
      await enqueueOutbox(manager, [
        {
          topic: outboundTopic(Channel.EMAIL).name,
          key: mail.conversationKey,
          value: encode(OutboundMessageSchema, mail),
          headers: { messageId: mail.outboundId, type: messageType(OutboundMessageSchema) },
        },
      ]);
      return address;
    });
    this.relay.nudge();
    return { sentTo };
  }

  private async survey(visitorId: string, seq: number): Promise<StoredSurvey> {
    const survey = await this.store.surveyAt(visitorId, seq);
    if (!survey) throw new NotFoundException(`message ${seq} of this chat is not its survey`);
    return survey;
  }
}
