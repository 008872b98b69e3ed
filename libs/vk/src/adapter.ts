import { Channel, type OutboundMessage } from '@firstline/contracts';
import type { ChannelAdapter, SignedRequest, Verdict } from '@firstline/channel';
import type { UserNames } from './content';
import { classifyError } from './errors';
import { normaliseEvent } from './normalise';
import { render, type VkSend } from './render';
import { verifyCallback } from './verify';
import type { VkEvent } from './vk-api';

/** What the adapter knows beside a VK event: the community it came to, and who is who. */
export interface VkContext {
  groupId: number;
  /** The community's Callback API settings; without them no callback request is accepted. */
  callback?: { confirmationCode: string; secret: string };
  /** Names of the users the event names (usersNamedIn), from users.get; display only. */
  userNames?: UserNames;
}

/**
 * The VK channel as the adapter contract (libs/channel) describes it; `satisfies` keeps it known
 * that VK, unlike a mailbox, has a verify.
 */
export const vkAdapter = {
  channel: Channel.VK,
  normalise: async (event: VkEvent, context: VkContext, receivedAt: Date) =>
    normaliseEvent(event, context, receivedAt),
  render: (message: OutboundMessage) => render(message),
  verify: verifyRequest,
  classifyError,
} satisfies ChannelAdapter<VkEvent, VkContext, VkSend>;

/**
 * A Callback API request: the confirmation request is answered with the code; any other event
 * must name this community and carry its secret, or it did not come from VK.
 */
function verifyRequest(request: SignedRequest, context: VkContext): Verdict {
  if (!context.callback) {
    return {
      kind: 'rejected',
      status: 403,
      reason: `community ${context.groupId} takes no callbacks`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return { kind: 'rejected', status: 400, reason: 'the body is not JSON' };
  }
  const verdict = verifyCallback(body, { groupId: context.groupId, ...context.callback });
  switch (verdict.kind) {
    case 'confirmation':
      return { kind: 'handshake', body: verdict.answer };
    case 'event':
      return { kind: 'accepted' };
    case 'rejected':
      return verdict;
  }
}
