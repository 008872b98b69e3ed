import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdentityKind } from '@firstline/contracts';
import type { SearchHit, SearchMatch, SearchQuery, TicketStatus } from '@firstline/ticketing';

/** Which tickets a search may return: those of these teams, or every team's (undefined). */
export type VisibleTeams = string[] | undefined;

/** A hit on a customer's identity or name, with the value it matched. */
export interface CustomerHit extends SearchHit {
  value: string;
}

export interface FoundTicket {
  id: string;
  number: string;
  subject: string;
  status: TicketStatus;
  priority: number;
  channel: number;
  teamId: string;
  assigneeId: string | null;
  customerId: string;
  customerName: string;
  updatedAt: Date;
}

/** A message whose words matched, as byWords reads it (JSON from the first query). */
interface WordHitRow {
  ticket_id: string;
  message_id: string;
  rank: number;
  updated_at: Date | string;
  /** How many matches were ranked. */
  ranked: number;
}

/**
 * Marks around the words ts_headline found. Private-use characters, removed from the text before
 * it is highlighted, so a message cannot forge a match and no markup is ever produced.
 */
export const MATCH_START = '\uE000';
export const MATCH_STOP = '\uE001';
const HEADLINE_OPTIONS = `StartSel=${MATCH_START}, StopSel=${MATCH_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

/** Words as both stemmers read them, like the messages' documents (search.migration.ts). */
const WORDS_QUERY = `(SELECT websearch_to_tsquery('russian', $1) || websearch_to_tsquery('english', $1)
  AS query) AS typed`;

/**
 * How many of the newest matching messages are ranked (`byWords`): a few pages' worth. Finding
 * them costs reading messages newest first until this many matched, so this bounds the time of
 * a common word: 1,000 had a two-word query read 18,000 messages of a million (140 ms).
 */
const RANKED_MESSAGES = 300;
/** Words matched in at most this many messages have every match sorted by time (`byWords`). */
const ALL_MATCHES = 5000;
/**
 * Words the planner's statistics put in at least this share of messages are looked for among
 * the newest COMMON_WALK_MESSAGES messages first (`byWords`), without counting their matches.
 */
const COMMON_SHARE = 0.03;
const COMMON_WALK_MESSAGES = 20_000;

const EMAIL_KINDS = [IdentityKind.EMAIL, IdentityKind.WEBFORM_EMAIL];
const PHONE_KINDS = [IdentityKind.PHONE, IdentityKind.WEBFORM_PHONE];
const ACCOUNT_KINDS = [IdentityKind.TELEGRAM_USER, IdentityKind.VK_USER, IdentityKind.OK_USER];

/** A LIKE pattern that matches `text` literally at the start. */
const startsWith = (text: string) => `${text.replace(/[\\%_]/g, '\\$&')}%`;
const reversed = (text: string) => [...text].reverse().join('');

/** SQL of the agents' search: each reading of a query finds hits, ranked in libs/ticketing. */
@Injectable()
export class SearchRepository {
  constructor(private readonly dataSource: DataSource) {}

  async byNumber(number: string, teams: VisibleTeams): Promise<SearchHit[]> {
    const rows = await this.dataSource.query<Array<{ id: string; updated_at: Date }>>(
      `SELECT id, updated_at FROM tickets.ticket
       WHERE number = $1 AND ($2::text[] IS NULL OR team_id = ANY($2))`,
      [number, teams ?? null],
    );
    return rows.map((row) => ({
      ticketId: row.id,
      match: 'number',
      exact: true,
      rank: 0,
      updatedAt: row.updated_at,
    }));
  }

  /**
   * Tickets of the customers an identity or a name of the query points at: addresses by their
   * start, phone numbers by their end, account ids and Telegram usernames whole, names word by
   * word from their starts. The most recently changed tickets first, `limit` at most.
   */
  async byCustomer(query: SearchQuery, teams: VisibleTeams, limit: number): Promise<CustomerHit[]> {
    const parameters: unknown[] = [];
    const bind = (value: unknown) => `$${parameters.push(value)}`;
    const found: string[] = [];
    if (query.email) {
      found.push(`SELECT customer_id, 'email' AS match, lower(value) = ${bind(query.email)} AS exact, value
        FROM tickets.customer_identity
        WHERE lower(value) LIKE ${bind(startsWith(query.email))} AND kind IN (${EMAIL_KINDS.join(', ')})`);
    }
    if (query.phoneDigits) {
      found.push(`SELECT customer_id, 'phone', value = ${bind(`+${query.phoneDigits}`)}, value
        FROM tickets.customer_identity
        WHERE reverse(value) LIKE ${bind(startsWith(reversed(query.phoneDigits)))}
          AND kind IN (${PHONE_KINDS.join(', ')})`);
    }
    if (query.accountId) {
      found.push(`SELECT customer_id, 'account', true, value FROM tickets.customer_identity
        WHERE lower(value) = ${bind(query.accountId)} AND kind IN (${ACCOUNT_KINDS.join(', ')})`);
    }
    if (query.telegramUsername) {
      found.push(`SELECT DISTINCT t.customer_id, 'account', true, '@' || (m.channel_metadata ->> 'username')
        FROM tickets.message m JOIN tickets.ticket t ON t.id = m.ticket_id
        WHERE lower(m.channel_metadata ->> 'username') = ${bind(query.telegramUsername)}
          AND m.channel_metadata ? 'username'`);
    }
    if (query.namePrefixes.length > 0) {
      // Letters and digits only (readSearchQuery), so the words need no quoting in a tsquery.
      const names = bind(query.namePrefixes.map((word) => `${word}:*`).join(' & '));
      found.push(`SELECT id, 'name', false, display_name FROM tickets.customer
        WHERE to_tsvector('simple', display_name) @@ to_tsquery('simple', ${names})`);
      found.push(`SELECT customer_id, 'name', false, display_name FROM tickets.customer_identity
        WHERE to_tsvector('simple', display_name) @@ to_tsquery('simple', ${names})`);
    }
    if (found.length === 0) return [];
    const visible = bind(teams ?? null);
    // Without parallel workers: guessing thousands of name matches, the planner started two for
    // scans that find a handful, and starting them took 60-90 ms on a busy machine, the scans 20.
    const rows = await this.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL max_parallel_workers_per_gather = 0');
      return manager.query<
        Array<{ id: string; match: SearchMatch; exact: boolean; value: string; updated_at: Date }>
      >(
        // Each found customer's tickets through ticket_customer (OFFSET 0 keeps it so): the planner
        // cannot tell how many customers a name matches, guessed thousands for any word, and read
        // every ticket for a hash join, 200 ms at 200,000 tickets even when no name matched.
        `WITH found (customer_id, match, exact, value) AS (${found.join(' UNION ALL ')})
       SELECT t.id, found.match, found.exact, found.value, t.updated_at
       FROM found CROSS JOIN LATERAL (
         SELECT id, updated_at FROM tickets.ticket
         WHERE customer_id = found.customer_id
           AND (${visible}::text[] IS NULL OR team_id = ANY(${visible}))
         OFFSET 0
       ) t
       ORDER BY found.exact DESC, t.updated_at DESC
       LIMIT ${bind(limit)}`,
        parameters,
      );
    });
    return rows.map((row) => ({
      ticketId: row.id,
      match: row.match,
      exact: row.exact,
      rank: 0,
      updatedAt: row.updated_at,
      value: row.value,
    }));
  }

  /**
   * Messages (not automatic replies) whose subject or text has the words, stemmed, best ranked
   * (ts_rank_cd, subjects weigh more) first: `limit` messages at most, so one ticket with many
   * matching messages can take several of the places.
   *
   * Only the newest RANKED_MESSAGES matches are ranked: ranking every match of a word found in a
   * fifth of a million messages took seconds, and for a common word the recent conversations are
   * the ones an agent looks for (more words narrow the search to older ones). Which way finds the
   * newest matches fastest depends on how common the words are, which the planner guessed wrong
   * for combinations of words; so up to ALL_MATCHES matches are read through the GIN index and
   * sorted, and only words matched more often than that are read along `message_newest`, where
   * their matches lie close together. Counting those matches through the GIN index intersects
   * whole posting lists (50 ms for two words in 5 % of a million messages), so words the
   * statistics call common are first looked for among the newest COMMON_WALK_MESSAGES messages
   * only; when these hold fewer than `limit` matches (the statistics were wrong, or the agent's
   * teams have few of them), the search goes on as above.
   */
  async byWords(words: string, teams: VisibleTeams, limit: number): Promise<SearchHit[]> {
    const newest = (matches: string, condition = 'true') => `
      SELECT ticket_id, message_id, rank, updated_at, count(*) OVER ()::int AS ranked FROM (
        SELECT m.ticket_id, m.id AS message_id, ts_rank_cd(m.search_document, typed.query) AS rank,
               t.updated_at
        -- Each match's ticket by its key (OFFSET 0 keeps it so): the planner, unable to guess
        -- how many messages have the words, otherwise read every ticket for a hash join.
        FROM ${matches} m
        CROSS JOIN LATERAL (
          SELECT updated_at, team_id FROM tickets.ticket WHERE id = m.ticket_id OFFSET 0
        ) t
        WHERE ${condition} AND ($2::text[] IS NULL OR t.team_id = ANY($2))
        ORDER BY m.created_at DESC
        LIMIT ${RANKED_MESSAGES}
      ) newest
      ORDER BY rank DESC, updated_at DESC
      LIMIT $3`;
    const parameters = [words, teams ?? null, limit];
    if ((await this.expectedShare(words)) >= COMMON_SHARE) {
      const recent = await this.dataSource.query<WordHitRow[]>(
        newest(
          `${WORDS_QUERY}, (
             SELECT id, ticket_id, created_at, search_document FROM tickets.message
             WHERE NOT automatic ORDER BY created_at DESC LIMIT ${COMMON_WALK_MESSAGES}
           )`,
          'm.search_document @@ typed.query',
        ),
        parameters,
      );
      if (recent.length > 0 && recent[0].ranked >= limit) return wordHits(recent);
    }
    // A MATERIALIZED CTE is planned apart: Postgres reads at most ALL_MATCHES + 1 matches, and
    // ranks them only when they are all (CASE runs its subquery only then).
    const [few] = await this.dataSource.query<
      Array<{ count: number; hits: Array<WordHitRow> | null }>
    >(
      `WITH matches AS MATERIALIZED (
         SELECT m.id, m.ticket_id, m.created_at, m.search_document
         FROM ${WORDS_QUERY}, tickets.message m
         WHERE m.search_document @@ typed.query AND NOT m.automatic
         LIMIT ${ALL_MATCHES + 1}
       )
       SELECT count, CASE WHEN count <= ${ALL_MATCHES} THEN
                (SELECT json_agg(hit) FROM (${newest(`${WORDS_QUERY}, matches`)}) hit) END AS hits
       FROM (SELECT count(*)::int AS count FROM matches) counted`,
      parameters,
    );
    const rows =
      few.count <= ALL_MATCHES
        ? (few.hits ?? [])
        : await this.dataSource.query<WordHitRow[]>(
            newest(
              `${WORDS_QUERY}, tickets.message`,
              'm.search_document @@ typed.query AND NOT m.automatic',
            ),
            parameters,
          );
    return wordHits(rows);
  }

  /** The share of messages the planner expects to have the words, from the index's statistics. */
  private async expectedShare(words: string): Promise<number> {
    const [explained] = await this.dataSource.query<
      Array<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>
    >(
      `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${WORDS_QUERY}, tickets.message m
       WHERE m.search_document @@ typed.query AND NOT m.automatic`,
      [words],
    );
    const [{ messages }] = await this.dataSource.query<Array<{ messages: number }>>(
      `SELECT greatest(reltuples, 1)::float8 AS messages FROM pg_class
       WHERE oid = 'tickets.message'::regclass`,
    );
    return explained['QUERY PLAN'][0].Plan['Plan Rows'] / messages;
  }

  /** Subject and text of each message with the words marked (MATCH_START … MATCH_STOP). */
  async headlines(
    words: string,
    messageIds: string[],
  ): Promise<Map<string, { subject: string; text: string }>> {
    const rows = await this.dataSource.query<Array<{ id: string; subject: string; text: string }>>(
      `SELECT m.id,
              ts_headline('russian', translate(m.subject, $3, ''), query, $4) AS subject,
              ts_headline('russian', translate(left(m.text_body, 100000), $3, ''), query, $4) AS text
       FROM ${WORDS_QUERY}, tickets.message m
       WHERE m.id = ANY($2)`,
      [words, messageIds, MATCH_START + MATCH_STOP, HEADLINE_OPTIONS],
    );
    return new Map(rows.map((row) => [row.id, { subject: row.subject, text: row.text }]));
  }

  async tickets(ids: string[]): Promise<FoundTicket[]> {
    const rows = await this.dataSource.query<
      Array<Omit<FoundTicket, 'updatedAt'> & { updatedAt: Date }>
    >(
      `SELECT t.id, t.number::text AS number, t.subject, t.status, t.priority, t.channel,
              t.team_id AS "teamId", t.assignee_id AS "assigneeId", t.customer_id AS "customerId",
              t.updated_at AS "updatedAt",
              coalesce(nullif(c.display_name, ''), (
                SELECT i.display_name FROM tickets.customer_identity i
                WHERE i.customer_id = c.id AND i.display_name <> ''
                ORDER BY i.kind, i.value LIMIT 1), '') AS "customerName"
       FROM tickets.ticket t JOIN tickets.customer c ON c.id = t.customer_id
       WHERE t.id = ANY($1)`,
      [ids],
    );
    return rows;
  }
}

function wordHits(rows: WordHitRow[]): SearchHit[] {
  return rows.map((row) => ({
    ticketId: row.ticket_id,
    messageId: row.message_id,
    match: 'text',
    exact: false,
    rank: Number(row.rank),
    updatedAt: new Date(row.updated_at),
  }));
}
