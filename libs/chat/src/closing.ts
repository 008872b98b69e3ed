import {
  Channel,
  create,
  CsatAnswerSchema,
  IdentityKind,
  IdentitySchema,
  InboundMessageSchema,
  OutboundMessageSchema,
  timestampFromDate,
  type InboundMessage,
  type OutboundMessage,
} from '@firstline/contracts';
import { customerTexts } from '@firstline/routing';
import { createHash } from 'node:crypto';
import { conversationKey } from './conversation';

/**
 * The end of a chat: the survey a resolved chat shows (stars and a comment, recorded as CSAT on
 * the ticket) and the transcript the visitor may ask for by email.
 */

/** The longest rating comment; the widget's box stops there too. */
export const MAX_COMMENT_LENGTH = 2000;

/** The ticket a chat's survey asks about, as the tickets service named it. */
export interface SurveyedTicket {
  ticketId: string;
  ticketNumber: string;
}

export interface ChatRating {
  score: number;
  comment: string;
}

/** The visitor's stars and comment, or why they cannot be recorded. */
export function readRating(body: unknown): ChatRating | string {
  const { score, comment } = (body ?? {}) as Partial<Record<string, unknown>>;
  if (!Number.isInteger(score) || (score as number) < 1 || (score as number) > 5) {
    return 'score must be a whole number from 1 to 5';
  }
  if (comment !== undefined && typeof comment !== 'string') return 'comment must be text';
  const text = (comment ?? '').trim();
  if (text.length > MAX_COMMENT_LENGTH) {
    return `comment holds at most ${MAX_COMMENT_LENGTH} characters`;
  }
  return { score: score as number, comment: text };
}

// Deliberately loose: one "@", something either side, no spaces. The mail server is the judge.
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

/** The address the visitor wants the transcript at, or why it is not one. */
export function readTranscriptAddress(body: unknown): string | { problem: string } {
  const { email } = (body ?? {}) as Partial<Record<string, unknown>>;
  const address = typeof email === 'string' ? email.trim() : '';
  return EMAIL.test(address) ? address : { problem: 'email must be an email address' };
}

/**
 * The rating as a survey answer on the inbound topic, like a pressed Telegram button: the router
 * files it on the rated ticket (the visitor's own, or it refuses) and never reopens it. One
 * rating per survey: its id is the survey's place in the conversation, so a second press is the
 * same message.
 */
export function ratingMessage(
  visitorId: string,
  surveySeq: number,
  ticket: SurveyedTicket,
  rating: ChatRating,
  locale: string,
  receivedAt: Date,
): InboundMessage {
  return create(InboundMessageSchema, {
    messageId: `${conversationKey(visitorId)}:rating-${surveySeq}`,
    channel: Channel.CHAT,
    sender: create(IdentitySchema, { kind: IdentityKind.CHAT_VISITOR, value: visitorId }),
    conversationKey: conversationKey(visitorId),
    textBody: rating.comment ? `${rating.score}/5 ${rating.comment}` : `${rating.score}/5`,
    csatAnswer: create(CsatAnswerSchema, {
      ticketId: ticket.ticketId,
      score: rating.score,
      comment: rating.comment,
    }),
    language: locale === 'ru' || locale === 'en' ? locale : '',
    receivedAt: timestampFromDate(receivedAt),
  });
}

/** One line of the conversation as the transcript shows it. */
export interface TranscriptLine {
  from: 'visitor' | 'agent';
  /** The agent's signature; unused for the visitor. */
  author: string;
  text: string;
  at: Date;
}

/** The conversation as plain text, one message a paragraph with who wrote it and when (UTC). */
export function transcriptText(lines: readonly TranscriptLine[], locale: string): string {
  const you = customerTexts(locale).transcriptYou;
  return lines
    .map((line) => {
      const who = line.from === 'visitor' ? you : line.author;
      const when = line.at.toISOString().slice(0, 16).replace('T', ' ');
      return `${who}, ${when} UTC:\n${line.text}`;
    })
    .join('\n\n');
}

/**
 * The transcript as a mail for the email channel's outbound topic. Its id derives from the chat
 * (the visitor and the survey's place), so asking again, or a redelivery, sends nothing twice: one
 * transcript per chat, which also keeps the form from mailing strangers over and over.
 */
export function transcriptMail(
  visitorId: string,
  surveySeq: number,
  ticket: SurveyedTicket,
  address: string,
  lines: readonly TranscriptLine[],
  locale: string,
  now: Date,
): OutboundMessage {
  const texts = customerTexts(locale);
  return create(OutboundMessageSchema, {
    outboundId: stableId(`chat-transcript:${visitorId}:${surveySeq}`),
    ticketId: ticket.ticketId,
    ticketNumber: ticket.ticketNumber,
    channel: Channel.EMAIL,
    recipient: create(IdentitySchema, { kind: IdentityKind.EMAIL, value: address }),
    conversationKey: conversationKey(visitorId),
    subject: texts.transcriptSubject,
    textBody: transcriptText(lines, locale),
    automatic: true,
    senderDisplayName: texts.team,
    createdAt: timestampFromDate(now),
  });
}

/** A UUID-shaped id derived from what caused the mail. */
function stableId(cause: string): string {
  const hex = createHash('sha256').update(cause).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
