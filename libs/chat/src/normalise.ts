import { isStorageKey } from '@firstline/attachments';
import {
  ATTACHMENT_LIMITS,
  fileAttachment,
  identity,
  inboundMessage,
  type Normalised,
} from '@firstline/channel';
import { Channel, IdentityKind, type Attachment } from '@firstline/contracts';
import { conversationKey, isClientMessageId, isVisitorId, messageId } from './conversation';
import type { VisitorProfile } from './site';

/** The longest message a visitor may write; the widget's text box stops there too. */
export const MAX_TEXT_LENGTH = 4000;
/** Files per message, as libs/channel limits live chat either way. */
export const MAX_ATTACHMENTS = ATTACHMENT_LIMITS[Channel.CHAT].maxFiles;

/** A file of a conversation (the visitor's upload or an agent's), in Firstline's attachment store. */
export interface ChatFile {
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

/**
 * One message a visitor wrote, as the chat service received it over the WebSocket or the
 * long-poll fallback: the visitor id comes from the verified token, the rest from the widget.
 */
export interface ChatVisitorMessage {
  visitorId: string;
  /** The widget's name for the message, kept when it sends the message again after reconnecting. */
  clientMessageId: string;
  text?: string;
  attachments?: ChatFile[];
  /** The page of the site the visitor wrote from. */
  pageUrl?: string;
  /** The widget's language: "ru" or "en". */
  locale?: string;
  /** What the visitor gave the pre-chat form (checked when it was given: site.ts readProfile). */
  profile?: VisitorProfile;
}

/** What the adapter knows beside a message: the secret visitor tokens are signed with. */
export interface ChatContext {
  tokenSecret: Buffer;
}

/** A visitor's message as what Firstline should do with it. Never throws. */
export function normaliseVisitorMessage(payload: ChatVisitorMessage, receivedAt: Date): Normalised {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    return { kind: 'rejected', reason: 'a chat message must be an object' };
  }
  if (!isVisitorId(payload.visitorId)) {
    return { kind: 'rejected', reason: 'a chat message needs the visitor id of its token' };
  }
  if (!isClientMessageId(payload.clientMessageId)) {
    return {
      kind: 'rejected',
      reason: 'clientMessageId must be 1 to 64 letters, digits, "-" or "_"',
    };
  }
  const text = typeof payload.text === 'string' ? payload.text.trim() : '';
  if (text.length > MAX_TEXT_LENGTH) {
    return {
      kind: 'rejected',
      reason: `a chat message holds at most ${MAX_TEXT_LENGTH} characters`,
    };
  }
  const attachments = readFiles(payload.attachments);
  if (typeof attachments === 'string') return { kind: 'rejected', reason: attachments };
  if (!text && attachments.length === 0) {
    return { kind: 'rejected', reason: 'a chat message has neither text nor files' };
  }
  const metadata: Record<string, string> = { client_message_id: payload.clientMessageId };
  if (typeof payload.pageUrl === 'string' && payload.pageUrl) metadata.page_url = payload.pageUrl;
  const profile = payload.profile ?? {};
  return {
    kind: 'message',
    message: inboundMessage({
      messageId: messageId(payload.visitorId, payload.clientMessageId),
      channel: Channel.CHAT,
      sender: identity(IdentityKind.CHAT_VISITOR, payload.visitorId, profile.name),
      // An address typed into the pre-chat form is theirs as far as anyone typed it: a claim the
      // router keeps, proven by nothing, which lets an agent (or a transcript) write to it.
      sharedIdentities: profile.email
        ? [identity(IdentityKind.WEBFORM_EMAIL, profile.email, profile.name)]
        : [],
      formTopic: profile.topic,
      conversationKey: conversationKey(payload.visitorId),
      textBody: text,
      replyText: text,
      attachments,
      channelMetadata: metadata,
      language: payload.locale === 'ru' || payload.locale === 'en' ? payload.locale : '',
      receivedAt,
    }),
  };
}

/** The files as contract attachments, or why they cannot be. */
function readFiles(files: unknown): Attachment[] | string {
  if (files === undefined) return [];
  if (!Array.isArray(files)) return 'attachments must be a list';
  if (files.length > MAX_ATTACHMENTS)
    return `a chat message carries at most ${MAX_ATTACHMENTS} files`;
  const read: Attachment[] = [];
  for (const file of files as Array<Partial<ChatFile> | null>) {
    if (
      !file ||
      typeof file.storageKey !== 'string' ||
      !isStorageKey(file.storageKey) ||
      typeof file.fileName !== 'string' ||
      typeof file.contentType !== 'string' ||
      !Number.isInteger(file.sizeBytes) ||
      (file.sizeBytes as number) < 0
    ) {
      return 'every attachment needs a storageKey (sha256/<hex>), fileName, contentType and sizeBytes';
    }
    read.push(
      fileAttachment({
        storageKey: file.storageKey,
        fileName: file.fileName,
        contentType: file.contentType,
        sizeBytes: file.sizeBytes,
      }),
    );
  }
  return read;
}
