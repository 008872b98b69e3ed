import { conversationOf, replyText } from '@firstline/channel';
import { createHash } from 'node:crypto';
import type { Attachment, OutboundMessage } from '@firstline/contracts';
import { BadInputError, PermanentError } from '@firstline/errors';
import { CONVERSATION_KEY_FORM, parseConversationKey } from './conversation';
import { csatKeyboard } from './csat';
import type { MessagesSendParams } from './vk-api';

/** VK's limit on one message's text. */
export const MAX_MESSAGE_LENGTH = 4096;

/**
 * VK's limits on what a message carries (https://dev.vk.com/en/method/messages.send and the
 * upload pages, https://dev.vk.com/en/api/upload/): at most 10 attachments; a photo for a message
 * (JPG, PNG or GIF) of at most 50 MB; a document of at most 200 MB, any format except MP3 and
 * executable files.
 */
export const MAX_ATTACHMENTS = 10;
export const PHOTO_LIMIT_BYTES = 50 * 1024 * 1024;
export const DOCUMENT_LIMIT_BYTES = 200 * 1024 * 1024;

const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif']);
/** What VK refuses as a document: MP3 audio and programs a click would run. */
const REFUSED_DOCUMENT = /\.(mp3|exe|msi|bat|cmd|com|scr)$/i;

/** A message to send: which community sends it and the parameters of messages.send. */
export interface VkSend {
  groupId: number;
  params: MessagesSendParams;
  /**
   * Files to upload first, each through its upload flow, and name in `params.attachment`, in
   * this order: photos by photos.getMessagesUploadServer → POST `photo` →
   * photos.saveMessagesPhoto, documents by docs.getMessagesUploadServer → POST `file` → docs.save.
   */
  files: VkFile[];
}

export interface VkFile {
  attachment: Attachment;
  kind: 'photo' | 'doc';
  /** PHOTO_LIMIT_BYTES or DOCUMENT_LIMIT_BYTES: checked again on the bytes once they are read. */
  limitBytes: number;
}

/**
 * The random_id for an outbound message: the first 31 bits of SHA-256 of its id, never 0 (which
 * disables VK's de-duplication). Every retry of the same outbound message sends the same value,
 * and VK drops a repeated random_id to the same peer, so a retry can never send twice.
 */
export function randomIdFor(outboundId: string): number {
  const hash = createHash('sha256').update(outboundId).digest();
  return hash.readUInt32BE(0) & 0x7fffffff || 1;
}

/**
 * messages.send parameters for an outbound message, and the files to upload for it. Throws
 * BadInputError for a message VK cannot take as given, PermanentError for files beyond VK's
 * limits.
 */
export function render(outbound: OutboundMessage): VkSend {
  const conversation = conversationOf(outbound, parseConversationKey, CONVERSATION_KEY_FORM);
  const text = replyText(outbound);
  if (text.length > MAX_MESSAGE_LENGTH) {
    throw new BadInputError(
      `outbound ${outbound.outboundId} has ${text.length} characters; VK takes at most ${MAX_MESSAGE_LENGTH}`,
    );
  }
  const params: MessagesSendParams = {
    peer_id: conversation.peerId,
    random_id: randomIdFor(outbound.outboundId),
    message: text,
  };
  if (outbound.csatSurvey) {
    try {
      params.keyboard = csatKeyboard(outbound.ticketId);
    } catch (error) {
      throw new BadInputError(`outbound ${outbound.outboundId}: ${(error as Error).message}`);
    }
  }
  const replyTo = Number(outbound.threadRefs.reply_to);
  if (Number.isInteger(replyTo) && replyTo > 0) params.reply_to = replyTo;
  if (outbound.attachments.length > MAX_ATTACHMENTS) {
    throw new PermanentError(
      `outbound ${outbound.outboundId} has ${outbound.attachments.length} files; a VK message carries at most ${MAX_ATTACHMENTS}`,
    );
  }
  const files = outbound.attachments.map((attachment) => vkFile(outbound, attachment));
  return { groupId: conversation.groupId, params, files };
}

/** A photo when VK shows the type as one and it is small enough, else a document. */
function vkFile(outbound: OutboundMessage, attachment: Attachment): VkFile {
  const name = attachment.fileName;
  if (!attachment.storageKey && !attachment.url) {
    throw new BadInputError(
      `outbound ${outbound.outboundId}: attachment "${name}" has neither a storage key nor a URL`,
    );
  }
  const type = attachment.contentType.toLowerCase();
  if (PHOTO_TYPES.has(type) && attachment.sizeBytes <= PHOTO_LIMIT_BYTES) {
    return { attachment, kind: 'photo', limitBytes: PHOTO_LIMIT_BYTES };
  }
  if (attachment.sizeBytes > DOCUMENT_LIMIT_BYTES) {
    throw new PermanentError(
      `outbound ${outbound.outboundId}: "${name}" is ${megabytes(attachment.sizeBytes)}; VK takes documents of at most ${megabytes(DOCUMENT_LIMIT_BYTES)}`,
    );
  }
  if (type === 'audio/mpeg' || REFUSED_DOCUMENT.test(name)) {
    throw new PermanentError(
      `outbound ${outbound.outboundId}: VK does not take "${name}" as a document (MP3 and executable files are refused)`,
    );
  }
  return { attachment, kind: 'doc', limitBytes: DOCUMENT_LIMIT_BYTES };
}

function megabytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}

/**
 * The `attachment` reference of an uploaded photo or document, `<type><owner_id>_<media_id>`,
 * with `_<access_key>` when VK gave one (https://dev.vk.com/en/method/messages.send).
 */
export function attachmentReference(
  kind: 'photo' | 'doc',
  saved: { owner_id: number; id: number; access_key?: string },
): string {
  const reference = `${kind}${saved.owner_id}_${saved.id}`;
  return saved.access_key ? `${reference}_${saved.access_key}` : reference;
}
