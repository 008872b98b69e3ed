import { createHash } from 'node:crypto';
import { BadInputError } from '@firstline/errors';
import type { OutboundMessage } from '@firstline/contracts';
import { parseConversationKey } from './conversation';
import { csatKeyboard } from './csat';
import type { MessagesSendParams } from './vk-api';

/** VK's limit on one message's text. */
export const MAX_MESSAGE_LENGTH = 4096;

/** A message to send: which community sends it and the parameters of messages.send. */
export interface VkSend {
  groupId: number;
  params: MessagesSendParams;
  /**
   * Files to upload first (docs.getMessagesUploadServer → upload → docs.save) and name in
   * `params.attachment`, fetched from their URL: Firstline keeps no files of its own for VK.
   */
  documents: VkDocument[];
}

export interface VkDocument {
  url: string;
  fileName: string;
  contentType: string;
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

/** messages.send parameters for an outbound message, and the files to upload for it. */
export function render(outbound: OutboundMessage): VkSend {
  const conversation = parseConversationKey(outbound.conversationKey);
  if (!conversation) {
    throw new BadInputError(
      `outbound ${outbound.outboundId}: "${outbound.conversationKey}" is not a VK conversation key (vk:<group>:<peer>)`,
    );
  }
  const text = outbound.textBody.trim();
  if (!text && outbound.attachments.length === 0) {
    throw new BadInputError(`outbound ${outbound.outboundId} has neither text nor attachments`);
  }
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
  const documents = outbound.attachments.map((attachment) => {
    if (!attachment.url) {
      throw new BadInputError(
        `outbound ${outbound.outboundId}: attachment "${attachment.fileName}" has no URL to fetch it from`,
      );
    }
    return {
      url: attachment.url,
      fileName: attachment.fileName || 'file',
      contentType: attachment.contentType || 'application/octet-stream',
    };
  });
  return { groupId: conversation.groupId, params, documents };
}
