import { Injectable } from '@nestjs/common';
import {
  highlightFragments,
  highlightWithin,
  rankSearchHits,
  readSearchQuery,
  type HighlightFragment,
  type SearchHit,
  type SearchMatch,
  type SearchQuery,
} from '@firstline/ticketing';
import type { SignedInAgent } from '../auth/auth.service';
import { teamsVisibleTo } from '../api/ticket-access';
import { channelName, priorityName } from '../tickets/ticket';
import type { SearchResultsView } from './search.dto';
import {
  MATCH_START,
  MATCH_STOP,
  SearchRepository,
  type CustomerHit,
  type FoundTicket,
} from './search.repository';

/** Hits each reading of a query may bring, per requested result: enough to fill the page. */
const CANDIDATES_PER_RESULT = 5;

/** The agents' search: one box for numbers, customers and words. */
@Injectable()
export class SearchService {
  constructor(private readonly repository: SearchRepository) {}

  async search(agent: SignedInAgent, typed: string, limit: number): Promise<SearchResultsView> {
    const query = readSearchQuery(typed);
    const teams = teamsVisibleTo(agent);
    const candidates = limit * CANDIDATES_PER_RESULT;
    const [byNumber, byCustomer, byWords] = await Promise.all([
      query.ticketNumber ? this.repository.byNumber(query.ticketNumber, teams) : [],
      this.repository.byCustomer(query, teams, candidates),
      query.words ? this.repository.byWords(query.words, teams, candidates) : [],
    ]);
    const ranked = rankSearchHits([...byNumber, ...byCustomer, ...byWords], limit);
    if (ranked.length === 0) return { results: [] };
    const textHits = ranked.filter((hit) => hit.messageId);
    const [tickets, headlines] = await Promise.all([
      this.repository.tickets(ranked.map((hit) => hit.ticketId)),
      textHits.length > 0
        ? this.repository.headlines(
            query.words,
            textHits.map((hit) => hit.messageId!),
          )
        : new Map<string, { subject: string; text: string }>(),
    ]);
    const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
    return {
      results: ranked.flatMap((hit) => {
        const ticket = byId.get(hit.ticketId);
        if (!ticket) return [];
        const headline = hit.messageId ? headlines.get(hit.messageId) : undefined;
        return [
          {
            ...summary(ticket),
            matchedBy: hit.match,
            highlight: highlightOf(hit, ticket, headline, query),
          },
        ];
      }),
    };
  }
}

function summary(ticket: FoundTicket) {
  return {
    id: ticket.id,
    number: ticket.number,
    subject: ticket.subject,
    status: ticket.status,
    priority: priorityName(ticket.priority),
    channel: channelName(ticket.channel),
    teamId: ticket.teamId,
    assigneeId: ticket.assigneeId,
    updatedAt: ticket.updatedAt,
    customer: { id: ticket.customerId, name: ticket.customerName },
  };
}

/**
 * What to show of a hit: the passage of the message with the words marked (its subject when
 * only the subject had them), the matched address, phone, account or name, or the subject of a
 * ticket found by its number.
 */
function highlightOf(
  hit: SearchHit,
  ticket: FoundTicket,
  headline: { subject: string; text: string } | undefined,
  query: SearchQuery,
): HighlightFragment[] {
  if (headline) {
    const text = highlightFragments(headline.text, MATCH_START, MATCH_STOP);
    if (text.some((fragment) => fragment.match)) return text;
    return highlightFragments(headline.subject, MATCH_START, MATCH_STOP);
  }
  if (hit.match === 'number') return [{ text: ticket.subject, match: false }];
  const { value } = hit as CustomerHit;
  return highlightWithin(value, foundPart(hit.match, value, query));
}

/** The part of a customer's value the query named. */
function foundPart(match: SearchMatch, value: string, query: SearchQuery): string {
  if (match === 'email') return query.email ?? '';
  // Stored numbers are E.164: the digits typed are its end.
  if (match === 'phone') return value.slice(-(query.phoneDigits ?? '').length);
  if (match === 'name') return query.namePrefixes[0] ?? '';
  return value;
}
