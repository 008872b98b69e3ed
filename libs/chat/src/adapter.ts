import type { ChannelAdapter } from '@firstline/channel';
import { Channel } from '@firstline/contracts';
import { classifyChatError } from './errors';
import { normaliseVisitorMessage, type ChatContext, type ChatVisitorMessage } from './normalise';
import { renderReply, type ChatReply } from './render';
import { verifyVisitor } from './token';

/** Live chat as the adapter contract (libs/channel) describes it. */
export const chatAdapter: ChannelAdapter<ChatVisitorMessage, ChatContext, ChatReply> = {
  channel: Channel.CHAT,
  normalise: async (payload, _context, receivedAt) => normaliseVisitorMessage(payload, receivedAt),
  render: (message) => renderReply(message),
  verify: verifyVisitor,
  classifyError: classifyChatError,
};
