/**
 * What a pipeline run promised and what came of it, counted per message: every customer message
 * and every agent reply carries a marker of its own in its text, so what a store or a fake holds
 * can be matched to what was sent, whatever ids the services gave it.
 */
export interface Reconciliation {
  /** Messages a channel's entry point accepted (HTTP 2xx, SMTP 250, an update Telegram holds). */
  accepted: number;
  /** Accepted messages stored in tickets, each counted once. */
  stored: number;
  lost: number;
  /** Copies stored beyond the first. */
  duplicated: number;
  /** Replies the agents' API accepted. */
  replies: number;
  repliesLost: number;
  repliesDuplicated: number;
  /** The markers behind the counts, for the report. */
  lostMarkers: string[];
  duplicatedMarkers: string[];
  lostReplyMarkers: string[];
  duplicatedReplyMarkers: string[];
}

export interface LedgerInput {
  accepted: Iterable<string>;
  /** How many times tickets stored each marker. */
  stored: ReadonlyMap<string, number>;
  replies: Iterable<string>;
  /** How many times the customers' side (fakes, mailboxes, status pages) received each reply. */
  received: ReadonlyMap<string, number>;
}

export function reconcile(input: LedgerInput): Reconciliation {
  const inbound = compare(input.accepted, input.stored);
  const outbound = compare(input.replies, input.received);
  return {
    accepted: inbound.promised,
    stored: inbound.arrived,
    lost: inbound.lost.length,
    duplicated: inbound.extraCopies,
    replies: outbound.promised,
    repliesLost: outbound.lost.length,
    repliesDuplicated: outbound.extraCopies,
    lostMarkers: inbound.lost,
    duplicatedMarkers: inbound.doubled,
    lostReplyMarkers: outbound.lost,
    duplicatedReplyMarkers: outbound.doubled,
  };
}

function compare(promised: Iterable<string>, arrived: ReadonlyMap<string, number>) {
  const markers = [...new Set(promised)];
  const lost = markers.filter((marker) => !arrived.get(marker));
  const doubled = markers.filter((marker) => (arrived.get(marker) ?? 0) > 1);
  return {
    promised: markers.length,
    arrived: markers.length - lost.length,
    lost,
    doubled,
    extraCopies: doubled.reduce((sum, marker) => sum + arrived.get(marker)! - 1, 0),
  };
}

/** The one line `npm run chaos` ends with. */
export function chaosLine(result: Reconciliation): string {
  return (
    `chaos: ${result.accepted} accepted, ${result.stored} stored, ${result.lost} lost, ` +
    `${result.duplicated} duplicated; ${result.replies} replies, ${result.repliesLost} lost, ` +
    `${result.repliesDuplicated} duplicated`
  );
}
