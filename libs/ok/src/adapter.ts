import type { ChannelAdapter } from '@firstline/channel';
import { Channel } from '@firstline/contracts';
import { classifyOkError } from './errors';
import { normaliseWebhook, type OkContext } from './normalise';
import type { OkWebhook } from './ok-api';
import { renderMessage, type OkSend } from './render';
import { verifyWebhook } from './verify';

/** The OK channel as the adapter contract (libs/channel) describes it. */
export const okAdapter: ChannelAdapter<OkWebhook, OkContext, OkSend> = {
  channel: Channel.OK,
  normalise: async (payload, context, receivedAt) => normaliseWebhook(payload, context, receivedAt),
  render: (message) => renderMessage(message),
  verify: verifyWebhook,
  classifyError: classifyOkError,
};
