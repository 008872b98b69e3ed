import type { Normalised } from '@firstline/channel';
import {
  Channel,
  create,
  IdentityKind,
  InboundMessageSchema,
  timestampFromDate,
} from '@firstline/contracts';
import { isClientMessageId, isVisitorId } from './conversation';
import { MAX_TEXT_LENGTH } from './normalise';
import { isEmailAddress, type ChatLocale, type ChatSite } from './site';

/** What the widget's "leave a message" form sent, with the visitor of the verified token. */
export interface LeftMessage {
  visitorId: string;
  /** The widget's name for it: sending it again is the same message. */
  clientMessageId: string;
  name?: string;
  email: string;
  text: string;
  topic?: string;
  pageUrl?: string;
  locale?: string;
}

const SUBJECT: Record<ChatLocale, string> = {
  en: 'Message left in the chat',
  ru: 'Сообщение из чата',
};

/**
 * A message left while nobody could chat, as the email conversation it becomes: the visitor
 * left an address so that the answer reaches them after they have gone, so the ticket's channel
 * is email and its customer the typed address (unproven, like a web form's). The agent's reply
 * goes out by mail, and the visitor's answer to it threads back by its headers like any mail.
 * Never throws.
 */
export function leftMessage(payload: LeftMessage, site: ChatSite, receivedAt: Date): Normalised {
  if (!isVisitorId(payload?.visitorId)) {
    return { kind: 'rejected', reason: 'a left message needs the visitor id of its token' };
  }
  if (!isClientMessageId(payload.clientMessageId)) {
    return {
      kind: 'rejected',
      reason: 'clientMessageId must be 1 to 64 letters, digits, "-" or "_"',
    };
  }
  const email = typeof payload.email === 'string' ? payload.email.trim().toLowerCase() : '';
  if (!isEmailAddress(email)) {
    return { kind: 'rejected', reason: 'a left message needs an email address to answer' };
  }
  const text = typeof payload.text === 'string' ? payload.text.trim() : '';
  if (!text) return { kind: 'rejected', reason: 'a left message has no text' };
  if (text.length > MAX_TEXT_LENGTH) {
    return {
      kind: 'rejected',
      reason: `a left message holds at most ${MAX_TEXT_LENGTH} characters`,
    };
  }
  const topic = site.prechat?.topics.find((offered) => offered.value === payload.topic);
  if (payload.topic && !topic) {
    return { kind: 'rejected', reason: `"${String(payload.topic)}" is not a topic of this site` };
  }
  const locale: ChatLocale = payload.locale === 'ru' ? 'ru' : 'en';
  const name = typeof payload.name === 'string' ? payload.name.trim().slice(0, 200) : '';
  const id = `chat-left:${payload.visitorId}:${payload.clientMessageId}`;
  const metadata: Record<string, string> = { source: 'chat', visitor_id: payload.visitorId };
  if (typeof payload.pageUrl === 'string' && payload.pageUrl) metadata.page_url = payload.pageUrl;
  return {
    kind: 'message',
    message: create(InboundMessageSchema, {
      messageId: id,
      channel: Channel.EMAIL,
      sender: { kind: IdentityKind.WEBFORM_EMAIL, value: email, displayName: name },
      // Its own conversation: a new ticket, continued by mail.
      conversationKey: id,
      subject: topic
        ? `${SUBJECT[locale]}: ${topic.label[locale] ?? topic.label.en}`
        : SUBJECT[locale],
      textBody: text,
      replyText: text,
      channelMetadata: metadata,
      formTopic: topic?.value,
      language: payload.locale === 'ru' || payload.locale === 'en' ? payload.locale : '',
      receivedAt: timestampFromDate(receivedAt),
    }),
  };
}
