import { isStorageKey } from '@firstline/attachments';
import { conversationOf, replyText } from '@firstline/channel';
import type { OutboundMessage } from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import type { SurveyedTicket } from './closing';
import { visitorOfConversation } from './conversation';
import type { ChatFile } from './normalise';

/** An agent's reply (or Firstline's own message) as the widget shows it. */
export interface ChatReply {
  visitorId: string;
  /** The outbound id: a reply delivered twice is recognised and shown once. */
  id: string;
  /** Its ticket, which the receipt saying the visitor read it names. */
  ticketId: string;
  text: string;
  /** The sender's name as the tickets service signs it ("Ann from Support"). */
  author: string;
  /** Kept in the conversation; the visitor downloads them from the chat service, by token. */
  files: ChatFile[];
  /** Sent by Firstline itself (an acknowledgement, the out-of-hours notice), not by an agent. */
  automatic: boolean;
  /** The chat ended: the widget asks for stars and a comment about this ticket. */
  survey?: SurveyedTicket;
}

/** The reply to show the visitor of the message's conversation. */
export function renderReply(message: OutboundMessage): ChatReply {
  const visitorId = conversationOf(message, visitorOfConversation, 'a live-chat conversation');
  const files = message.attachments.map((file) => {
    // The visitor's download is checked against the conversation's own files, so it is served
    // from the store: a file known only by a URL elsewhere cannot be.
    if (!isStorageKey(file.storageKey)) {
      throw new BadInputError(
        `outbound ${message.outboundId}: attachment "${file.fileName}" is not in the attachment store`,
      );
    }
    return {
      storageKey: file.storageKey,
      fileName: file.fileName,
      contentType: file.contentType,
      sizeBytes: file.sizeBytes,
    };
  });
  const text = replyText(message);
  return {
    visitorId,
    id: message.outboundId,
    ticketId: message.ticketId,
    text,
    author: message.senderDisplayName,
    files,
    automatic: message.automatic,
    ...(message.csatSurvey
      ? { survey: { ticketId: message.ticketId, ticketNumber: message.ticketNumber } }
      : {}),
  };
}
