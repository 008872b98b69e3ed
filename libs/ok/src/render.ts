import { conversationOf, replyText } from '@firstline/channel';
import type { Attachment, OutboundMessage } from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import { CONVERSATION_KEY_FORM, parseConversationKey } from './conversation';
import { csatKeyboard } from './csat';
import type { OkAttachment, OkSendBody, OkSendResult, OkUploadType } from './ok-api';

/**
 * The longest text the adapter puts in one OK message. OK's pages do not state a limit; this is
 * the one the Bot API OK shares its message format with documents (docs/adr/0018-ok.md). Longer
 * replies go out as several messages rather than being refused.
 */
export const MAX_TEXT_LENGTH = 4000;
/** "Maximum number of attachments is 5" (graph.user.messages). The keyboard is one of them. */
export const MAX_ATTACHMENTS = 5;
/**
 * The multipart field of an IMAGE upload: graph.user.fileUploadUrl sends images through OK's photo
 * upload, whose documented form posts the file as `pic1` and answers `photos.<id>.token`.
 */
export const IMAGE_UPLOAD_FIELD = 'pic1';

/** One POST /graph/me/messages/{chat_id} of an outbound message. */
export interface OkPart {
  /** `<outboundId>:<n>`: which parts already went out survives a retry of the whole message. */
  partId: string;
  /** The request body, without the files below, which need uploading first. */
  body: OkSendBody;
  /** Firstline attachments to upload (see `uploadTypeOf`) and add with `withUploadedFiles`. */
  files: Attachment[];
}

/** The Graph API calls for one outbound message, made with the group's token in this order. */
export interface OkSend {
  groupId: string;
  /** "chat:C3ecb9d02a600", for the request path. */
  chatId: string;
  parts: OkPart[];
}

/**
 * The parts of an outbound message: its text split at MAX_TEXT_LENGTH (at a line break or space
 * where there is one), the survey keyboard and the first files on the last text part, further
 * files five to a part.
 */
export function renderMessage(outbound: OutboundMessage): OkSend {
  const conversation = conversationOf(outbound, parseConversationKey, CONVERSATION_KEY_FORM);
  const text = replyText(outbound);
  const unreadable = outbound.attachments.find((file) => !file.storageKey && !file.url);
  if (unreadable) {
    throw new BadInputError(
      `outbound ${outbound.outboundId}: attachment "${unreadable.fileName}" has neither a storage key nor a URL`,
    );
  }
  const keyboard = outbound.csatSurvey ? surveyKeyboard(outbound) : undefined;
  const bodies = splitText(text).map((chunk) => ({
    text: chunk,
    attachments: [] as OkAttachment[],
  }));
  const last = bodies.at(-1)!;
  if (keyboard) last.attachments.push(keyboard);
  const files = [...outbound.attachments];
  const groups: Attachment[][] = [files.splice(0, MAX_ATTACHMENTS - last.attachments.length)];
  while (files.length > 0) groups.push(files.splice(0, MAX_ATTACHMENTS));
  const parts = bodies.map((body, index) => ({
    message: body,
    files: index === bodies.length - 1 ? groups[0] : [],
  }));
  for (const group of groups.slice(1))
    parts.push({ message: { text: '', attachments: [] }, files: group });
  return {
    groupId: conversation.groupId,
    chatId: conversation.chatId,
    parts: parts.map(({ message, files: partFiles }, index) => ({
      partId: `${outbound.outboundId}:${index + 1}`,
      body: {
        recipient: { chat_id: conversation.chatId },
        message: {
          ...(message.text ? { text: message.text } : {}),
          ...(message.attachments.length > 0 ? { attachments: message.attachments } : {}),
        },
      },
      files: partFiles,
    })),
  };
}

function surveyKeyboard(outbound: OutboundMessage): OkAttachment {
  try {
    return csatKeyboard(outbound.ticketId);
  } catch (error) {
    throw new BadInputError(`outbound ${outbound.outboundId}: ${(error as Error).message}`);
  }
}

/** Chunks of at most MAX_TEXT_LENGTH characters (code points), cut at a line break or space when one is near. */
export function splitText(text: string): string[] {
  const chunks: string[] = [];
  let rest = [...text];
  while (rest.length > MAX_TEXT_LENGTH) {
    const window = rest.slice(0, MAX_TEXT_LENGTH).join('');
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    // A break in the last quarter keeps words whole; a text without one is cut where it must be.
    const at =
      cut >= (MAX_TEXT_LENGTH * 3) / 4 ? [...window.slice(0, cut)].length : MAX_TEXT_LENGTH;
    chunks.push(rest.slice(0, at).join('').trimEnd());
    rest = [...rest.slice(at).join('').trimStart()];
  }
  chunks.push(rest.join(''));
  return chunks;
}

/** The `type` to ask GET /graph/me/fileUploadUrl for, and to attach the file as. */
export function uploadTypeOf(file: Attachment): OkUploadType {
  const type = file.contentType.toLowerCase();
  if (type.startsWith('image/')) return 'IMAGE';
  if (type.startsWith('video/')) return 'VIDEO';
  if (type.startsWith('audio/')) return 'AUDIO';
  return 'FILE';
}

/** A part's body with its uploaded files attached by the tokens the upload returned. */
export function withUploadedFiles(
  body: OkSendBody,
  uploaded: Array<{ type: OkUploadType; token: string }>,
): OkSendBody {
  const attachments = [
    ...(body.message.attachments ?? []),
    ...uploaded.map(({ type, token }) => ({ type, payload: { token } })),
  ];
  return { ...body, message: { ...body.message, attachments } };
}

/**
 * The channel message id of a sent part: the mid OK answered with. OK documents no answer body for
 * a send to one chat (docs/adr/0018-ok.md), so without a mid the part's own id stands in.
 */
export function sentMessageId(answer: OkSendResult | undefined, part: OkPart): string {
  const mid = answer?.message_id;
  return typeof mid === 'string' && mid ? mid : part.partId;
}
