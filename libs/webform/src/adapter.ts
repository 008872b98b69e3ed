import type { ChannelAdapter } from '@firstline/channel';
import { Channel, type OutboundMessage } from '@firstline/contracts';
import { classifyError } from './errors';
import { normalisePost, type WebformContext, type WebformPayload } from './inbound';
import { renderReply, type StatusPageReply } from './outbound';

/**
 * The web-form channel as the adapter contract (libs/channel) describes it. It has no `verify`:
 * the form is public, anyone may post to it, and nothing in a post can prove who sent it — what
 * keeps robots out (honeypot, rates, CORS) is anti-abuse, not authenticity (ADR 0010).
 * `satisfies` keeps the field errors of a rejected post known to the service, which answers them.
 */
export const webformAdapter = {
  channel: Channel.WEBFORM,
  normalise: async (payload: WebformPayload, context: WebformContext, receivedAt: Date) =>
    normalisePost(payload, context, receivedAt),
  render: (message: OutboundMessage) => renderReply(message),
  classifyError,
} satisfies ChannelAdapter<WebformPayload, WebformContext, StatusPageReply>;
