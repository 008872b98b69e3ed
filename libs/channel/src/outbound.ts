import type { OutboundMessage } from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';

/**
 * The conversation an outbound message goes to, as the channel reads its key; BadInputError when
 * the key is not the channel's (`expected` names its form, e.g. "a VK conversation key").
 */
export function conversationOf<Conversation>(
  outbound: OutboundMessage,
  parse: (key: string) => Conversation | undefined,
  expected: string,
): Conversation {
  const conversation = parse(outbound.conversationKey);
  if (!conversation) {
    throw new BadInputError(
      `outbound ${outbound.outboundId}: "${outbound.conversationKey}" is not ${expected}`,
    );
  }
  return conversation;
}

/** The reply's text, trimmed; BadInputError when it carries neither text nor files. */
export function replyText(outbound: OutboundMessage): string {
  const text = outbound.textBody.trim();
  if (!text && outbound.attachments.length === 0) {
    throw new BadInputError(`outbound ${outbound.outboundId} has neither text nor files`);
  }
  return text;
}
