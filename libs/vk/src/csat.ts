/**
 * The CSAT survey as VK callback buttons: one inline row of scores 1–5, each button carrying the
 * ticket and the score, so the press arrives as a `message_event` that names both.
 */

const SCORES = [1, 2, 3, 4, 5] as const;
/** VK refuses a button payload longer than this. */
const MAX_PAYLOAD_LENGTH = 255;

export interface CsatChoice {
  ticketId: string;
  score: number;
}

/** The `keyboard` parameter of messages.send for a survey about `ticketId`. */
export function csatKeyboard(ticketId: string): string {
  const buttons = SCORES.map((score) => {
    const payload = JSON.stringify({ csat: score, ticket: ticketId });
    if (payload.length > MAX_PAYLOAD_LENGTH) {
      throw new RangeError(`ticket id "${ticketId}" is too long for a VK button payload`);
    }
    return {
      action: { type: 'callback', label: '★'.repeat(score), payload },
      color: score >= 4 ? 'positive' : score <= 2 ? 'negative' : 'secondary',
    };
  });
  return JSON.stringify({ inline: true, buttons: [buttons] });
}

/** The score and ticket a pressed survey button carried; undefined for any other payload. */
export function parseCsatPayload(payload: unknown): CsatChoice | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const { csat, ticket } = (value ?? {}) as { csat?: unknown; ticket?: unknown };
  if (typeof ticket !== 'string' || !ticket || !SCORES.includes(csat as 1)) return undefined;
  return { ticketId: ticket, score: csat as number };
}
