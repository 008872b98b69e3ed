import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  UnknownVisitorError,
  type ChatRating,
  type ChatReply,
  type ChatReplyFile,
  type SurveyedTicket,
  type TranscriptLine,
} from '@firstline/chat';
import { SCHEMA } from '../migrations';

/** One message of a conversation as the widget receives it. */
export interface ChatEntry {
  /** The visitor's cursor: resume after the last one seen. */
  seq: number;
  /** A visitor's message: its client message id; an agent's: the outbound id. */
  id: string;
  from: 'visitor' | 'agent';
  text: string;
  /** The agent's name as signed ("Ann from Support"); empty for the visitor. */
  author: string;
  files: ChatReplyFile[];
  automatic: boolean;
  /** A visitor's message: the broker took it, on its way to an agent. */
  delivered: boolean;
  at: string;
  /** The chat ended here: the widget offers the rating (until given) and the transcript. */
  survey?: { score: number | null; transcriptSent: boolean };
}

/** A chat's survey and what the visitor did with it. */
export interface StoredSurvey extends SurveyedTicket {
  score: number | null;
  transcriptTo: string | null;
}

interface Row {
  seq: string;
  local_id: string;
  author_kind: 'visitor' | 'agent';
  author: string;
  text: string;
  files: ChatEntry['files'];
  automatic: boolean;
  delivered: boolean;
  created_at: Date;
  /** Joined from the survey table where the message is a survey. */
  survey_ticket?: string | null;
  survey_score?: number | null;
  transcript_to?: string | null;
}

/** The most a (re)connecting widget is sent at once: a long conversation pages in from its end. */
export const HISTORY_PAGE = 200;

/** Visitors and their conversations in channel_chat (migrations.ts). */
@Injectable()
export class ConversationStore {
  constructor(private readonly dataSource: DataSource) {}

  async createVisitor(locale: string): Promise<string> {
    const visitorId = randomUUID();
    await this.dataSource.query(
      `INSERT INTO ${SCHEMA}.visitor (visitor_id, locale) VALUES ($1, $2)`,
      [visitorId, locale],
    );
    return visitorId;
  }

  async exists(visitorId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM ${SCHEMA}.visitor WHERE visitor_id = $1`,
      [visitorId],
    );
    return rows.length === 1;
  }

  /** The visitor's message, stored once however often the widget sends it. */
  addVisitorMessage(visitorId: string, clientMessageId: string, text: string): Promise<ChatEntry> {
    return this.add(visitorId, 'visitor', clientMessageId, { text, files: [] });
  }

  /** An agent's reply, stored once however often it is delivered; a survey with its ticket. */
  addReply(reply: ChatReply): Promise<ChatEntry> {
    return this.add(reply.visitorId, 'agent', reply.id, reply);
  }

  /** The survey at `seq` of the visitor's conversation, if that message is one. */
  async surveyAt(visitorId: string, seq: number): Promise<StoredSurvey | undefined> {
    const rows: Array<{
      ticket_id: string;
      ticket_number: string;
      score: number | null;
      transcript_to: string | null;
    }> = await this.dataSource.query(
      `SELECT ticket_id, ticket_number, score, transcript_to FROM ${SCHEMA}.survey
        WHERE visitor_id = $1 AND seq = $2`,
      [visitorId, seq],
    );
    const row = rows[0];
    return (
      row && {
        ticketId: row.ticket_id,
        ticketNumber: row.ticket_number,
        score: row.score,
        transcriptTo: row.transcript_to,
      }
    );
  }

  /** Records the rating unless one is; answers the one recorded. */
  async recordRating(visitorId: string, seq: number, rating: ChatRating): Promise<number> {
    // TypeORM answers an UPDATE with [returned rows, affected count].
    const [rows]: [Array<{ score: number }>, number] = await this.dataSource.query(
      `UPDATE ${SCHEMA}.survey SET score = coalesce(score, $3),
              comment = CASE WHEN score IS NULL THEN $4 ELSE comment END
        WHERE visitor_id = $1 AND seq = $2 RETURNING score`,
      [visitorId, seq, rating.score, rating.comment],
    );
    return rows[0].score;
  }

  /**
   * Sets where the chat's transcript goes, once, in the caller's transaction; answers the address
   * it goes to (an earlier one when it was set before).
   */
  async recordTranscriptAddress(
    manager: EntityManager,
    visitorId: string,
    seq: number,
    address: string,
  ): Promise<{ address: string; first: boolean }> {
    const [row]: Array<{ transcript_to: string | null }> = await manager.query(
      `SELECT transcript_to FROM ${SCHEMA}.survey WHERE visitor_id = $1 AND seq = $2 FOR UPDATE`,
      [visitorId, seq],
    );
    if (row.transcript_to !== null) return { address: row.transcript_to, first: false };
    await manager.query(
      `UPDATE ${SCHEMA}.survey SET transcript_to = $3 WHERE visitor_id = $1 AND seq = $2`,
      [visitorId, seq, address],
    );
    return { address, first: true };
  }

  /**
   * The chat that ended with the survey at `seq`: the messages either side wrote after the
   * previous survey, without Firstline's own notices.
   */
  async transcript(visitorId: string, seq: number): Promise<TranscriptLine[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM ${SCHEMA}.message m
        WHERE visitor_id = $1 AND seq < $2 AND NOT automatic
          AND seq > coalesce((SELECT max(s.seq) FROM ${SCHEMA}.survey s
                               WHERE s.visitor_id = $1 AND s.seq < $2), 0)
        ORDER BY seq`,
      [visitorId, seq],
    );
    return rows.map((row) => ({
      from: row.author_kind,
      author: row.author,
      text: row.text,
      at: row.created_at,
    }));
  }

  async markDelivered(visitorId: string, seq: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${SCHEMA}.message SET delivered = true WHERE visitor_id = $1 AND seq = $2`,
      [visitorId, seq],
    );
  }

  /**
   * The messages after `seq`, oldest first; for a first connection (`seq` 0) the last
   * HISTORY_PAGE of them.
   */
  async after(visitorId: string, seq: number): Promise<ChatEntry[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT page.*, s.ticket_id AS survey_ticket, s.score AS survey_score, s.transcript_to
         FROM (
           SELECT * FROM ${SCHEMA}.message WHERE visitor_id = $1 AND seq > $2
           ORDER BY seq ${seq === 0 ? 'DESC' : 'ASC'} LIMIT ${HISTORY_PAGE}
         ) page LEFT JOIN ${SCHEMA}.survey s USING (visitor_id, seq)
        ORDER BY seq`,
      [visitorId, seq],
    );
    return rows.map(entryOf);
  }

  /**
   * Under the visitor's row lock: numbers follow commit order, and a message sent twice at once
   * is stored once.
   */
  private add(
    visitorId: string,
    kind: 'visitor' | 'agent',
    localId: string,
    content: {
      text: string;
      files: ChatEntry['files'];
      author?: string;
      automatic?: boolean;
      survey?: SurveyedTicket;
    },
  ): Promise<ChatEntry> {
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const visitor: unknown[] = await manager.query(
        `SELECT 1 FROM ${SCHEMA}.visitor WHERE visitor_id = $1 FOR UPDATE`,
        [visitorId],
      );
      if (visitor.length === 0) throw new UnknownVisitorError(visitorId);
      const existing: Row[] = await manager.query(
        `SELECT * FROM ${SCHEMA}.message
         WHERE visitor_id = $1 AND author_kind = $2 AND local_id = $3`,
        [visitorId, kind, localId],
      );
      if (existing.length > 0) return entryOf(existing[0]);
      const inserted: Row[] = await manager.query(
        `WITH next AS (
           UPDATE ${SCHEMA}.visitor SET last_seq = last_seq + 1 WHERE visitor_id = $1
           RETURNING last_seq
         )
         INSERT INTO ${SCHEMA}.message
           (visitor_id, seq, local_id, author_kind, author, text, files, automatic)
         SELECT $1, last_seq, $2, $3, $4, $5, $6, $7 FROM next
         RETURNING *`,
        [
          visitorId,
          localId,
          kind,
          content.author ?? '',
          content.text,
          JSON.stringify(content.files),
          content.automatic ?? false,
        ],
      );
      const { survey } = content;
      if (survey) {
        await manager.query(
          `INSERT INTO ${SCHEMA}.survey (visitor_id, seq, ticket_id, ticket_number)
           VALUES ($1, $2, $3, $4)`,
          [visitorId, inserted[0].seq, survey.ticketId, survey.ticketNumber],
        );
        return { ...entryOf(inserted[0]), survey: { score: null, transcriptSent: false } };
      }
      return entryOf(inserted[0]);
    });
  }
}

function entryOf(row: Row): ChatEntry {
  return {
    seq: Number(row.seq),
    id: row.local_id,
    from: row.author_kind,
    text: row.text,
    author: row.author,
    files: row.files,
    automatic: row.automatic,
    delivered: row.delivered,
    at: row.created_at.toISOString(),
    ...(row.survey_ticket
      ? {
          survey: {
            score: row.survey_score ?? null,
            transcriptSent: row.transcript_to !== null && row.transcript_to !== undefined,
          },
        }
      : {}),
  };
}
