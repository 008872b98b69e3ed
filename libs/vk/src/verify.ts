import { timingSafeEqual } from 'node:crypto';
import type { VkEvent } from './vk-api';

/** A community as the Callback API needs it. */
export interface CallbackCommunity {
  groupId: number;
  /** The string VK expects back from the confirmation request. */
  confirmationCode: string;
  /** The secret key set in the community's Callback API settings. */
  secret: string;
}

export type CallbackVerdict =
  | { kind: 'confirmation'; answer: string }
  | { kind: 'event'; event: VkEvent }
  | { kind: 'rejected'; status: 400 | 403; reason: string };

/**
 * Checks a Callback API request body: the confirmation request gets the code; any other event
 * must name this community and carry its secret, or it did not come from VK. An event that did
 * come from VK passes even when it is unreadable (no type): normalising rejects it, so it is
 * dead-lettered and VK hears "ok" rather than repeating it.
 */
export function verifyCallback(body: unknown, community: CallbackCommunity): CallbackVerdict {
  const event = body as Partial<VkEvent> | undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    return { kind: 'rejected', status: 400, reason: 'not a VK Callback API event' };
  }
  if (Number(event.group_id) !== community.groupId) {
    return {
      kind: 'rejected',
      status: 403,
      reason: `event for community ${event.group_id}, expected ${community.groupId}`,
    };
  }
  if (event.type === 'confirmation')
    return { kind: 'confirmation', answer: community.confirmationCode };
  if (!sameSecret(event.secret, community.secret)) {
    return { kind: 'rejected', status: 403, reason: 'wrong or missing secret' };
  }
  return { kind: 'event', event: event as VkEvent };
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
