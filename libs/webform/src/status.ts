import {
  customerTexts,
  type CustomerTextKey,
  type CustomerTextsByLanguage,
} from '@firstline/routing';
import type { Locale } from './forms';

/** Where a customer's request stands, in the words of the status page. */
export const STAGES = [
  'received',
  'queued',
  'in_progress',
  'waiting_for_you',
  'resolved',
  'closed',
] as const;
export type Stage = (typeof STAGES)[number];

/** The ticket as the webform channel learnt it from routing decisions and ticket events. */
export interface TicketProjection {
  ticketNumber?: string;
  /** TicketStatus name in lower case: new, open, pending, resolved, closed. */
  status?: string;
  agentId?: string;
}

/**
 * Before the router's decision arrives the request is only received; after it, a ticket nobody
 * has taken waits in the queue; pending means an agent asked the customer something.
 */
export function stageOf(ticket: TicketProjection): Stage {
  if (!ticket.ticketNumber && !ticket.status) return 'received';
  switch (ticket.status) {
    case 'pending':
      return 'waiting_for_you';
    case 'resolved':
      return 'resolved';
    case 'closed':
      return 'closed';
    default:
      return ticket.agentId ? 'in_progress' : 'queued';
  }
}

const STAGE_TEXTS: Record<Stage, CustomerTextKey> = {
  received: 'stageReceived',
  queued: 'stageQueued',
  in_progress: 'stageInProgress',
  waiting_for_you: 'stageWaitingForYou',
  resolved: 'stageResolved',
  closed: 'stageClosed',
};

/** The stage in the customer's words: shipped, or as the directory words it for the language. */
export function stageLabel(
  stage: Stage,
  locale: Locale,
  wording?: CustomerTextsByLanguage,
): string {
  return customerTexts(locale, wording)[STAGE_TEXTS[stage]];
}

/** "Ann" of "Ann First": customers see who helps them, not their full name. */
export function firstNameOf(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? '';
}
