import type { OkAttachment, OkButton } from './ok-api';

/**
 * The CSAT survey as an OK inline keyboard: one row of CALLBACK buttons scoring 1–5, each
 * carrying the ticket and the score, so the press arrives as a MESSAGE_CALLBACK that names both.
 */

const SCORES = [1, 2, 3, 4, 5] as const;
/**
 * The longest button payload the adapter sends. OK's pages do not state a limit; this is the one
 * the Bot API OK shares its message format with documents (docs/adr/0018-ok.md).
 */
export const MAX_PAYLOAD_LENGTH = 1024;

export interface CsatChoice {
  ticketId: string;
  score: number;
}

/** The INLINE_KEYBOARD attachment of a survey about `ticketId`. Throws RangeError for an id too long. */
export function csatKeyboard(ticketId: string): OkAttachment {
  const buttons: OkButton[] = SCORES.map((score) => {
    const payload = csatPayload(score, ticketId);
    if (payload.length > MAX_PAYLOAD_LENGTH) {
      throw new RangeError(`ticket id "${ticketId}" is too long for an OK button payload`);
    }
    return {
      type: 'CALLBACK',
      text: '★'.repeat(score),
      payload,
      intent: score >= 4 ? 'POSITIVE' : score <= 2 ? 'NEGATIVE' : 'DEFAULT',
    };
  });
  return { type: 'INLINE_KEYBOARD', payload: { buttons: [buttons] } };
}

/** `csat:<score>:<ticket>`: short, and a ticket id may hold colons of its own. */
function csatPayload(score: number, ticketId: string): string {
  return `csat:${score}:${ticketId}`;
}

/** The score and ticket a pressed survey button carried; undefined for any other payload. */
export function parseCsatPayload(payload: unknown): CsatChoice | undefined {
  if (typeof payload !== 'string') return undefined;
  const match = /^csat:([1-5]):(.+)$/.exec(payload);
  return match ? { score: Number(match[1]), ticketId: match[2] } : undefined;
}
