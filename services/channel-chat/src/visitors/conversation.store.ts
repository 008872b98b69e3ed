import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { storageKeyOf } from '@firstline/attachments';
import type { WaitInLine } from '@firstline/channel-kit';
import {
  conversationKey,
  UnknownVisitorError,
  type ChatFile,
  type ChatRating,
  type ChatReply,
  type SurveyedTicket,
  type TranscriptLine,
  type VisitorProfile,
} from '@firstline/chat';
import { waitingText } from '@firstline/routing';
import { SCHEMA } from '../migrations';
import { VisitorListeners } from './visitor-listeners';

/**
 * A file of a message as the widget shows it: the digest names it at GET /chat/files/<digest>,
 * which serves the conversation's own files only.
 */
export interface ChatEntryFile {
  digest: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

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
  files: ChatEntryFile[];
  automatic: boolean;
  /** A visitor's message: the broker took it, on its way to an agent. */
  delivered: boolean;
  at: string;
  /**
   * The chat ended here: the widget offers the rating (until given) and the transcript, to the
   * address the visitor gave in the pre-chat form (`email`) unless they type another.
   */
  survey?: { score: number | null; transcriptSent: boolean; email?: string };
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
  files: ChatFile[];
  automatic: boolean;
  delivered: boolean;
  created_at: Date;
  /** Joined from the survey table where the message is a survey. */
  survey_ticket?: string | null;
  survey_score?: number | null;
  transcript_to?: string | null;
  /** The pre-chat form's address, joined where the message is a survey. */
  survey_email?: string | null;
}

/** How far each side has read: the last `seq` of the other side's messages seen (0: none). */
export interface ReadMarks {
  /** An agent saw the visitor's messages up to this one. */
  agentRead: number;
  /** The visitor saw the agents' messages up to this one. */
  visitorRead: number;
}

/** An agent's reply the visitor has now seen for the first time. */
export interface ReplyRead {
  outboundId: string;
  ticketId: string;
  channelMessageId: string;
}

/**
 * Where the visitor's chat waits for an agent, as the widget says it: "You are 2nd in line. We
 * expect to answer in about 4 minutes." `text` is null when there is nothing to say (an agent has
 * the chat, or it never waited), and the widget hides the line.
 */
export interface QueuePlace {
  position: number;
  expectedAnswerAt: string | null;
  text: string | null;
}

/** The most a (re)connecting widget is sent at once: a long conversation pages in from its end. */
export const HISTORY_PAGE = 200;

/** Visitors and their conversations in channel_chat (migrations.ts). */
@Injectable()
export class ConversationStore {
  /** Delivered marks waiting for the next write (markDelivered), and that write. */
  private readonly deliveredMarks: Array<{ visitorId: string; seq: number }> = [];
  private deliveredWrite?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly listeners: VisitorListeners,
  ) {}

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

  /**
   * The visitor's message, stored once however often the widget sends it, with their pre-chat
   * profile read by the same statement.
   */
  async addVisitorMessage(
    visitorId: string,
    clientMessageId: string,
    text: string,
    files: ChatFile[],
  ): Promise<{ entry: ChatEntry; profile: VisitorProfile }> {
    const { entry, profile } = await this.add(visitorId, 'visitor', clientMessageId, {
      text,
      files,
    });
    return { entry, profile: profile ?? {} };
  }

  /** A file the visitor uploaded, for a message to name; the same bytes again take the new name. */
  async recordUpload(visitorId: string, file: ChatFile): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${SCHEMA}.upload (visitor_id, storage_key, file_name, content_type, size_bytes)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (visitor_id, storage_key) DO UPDATE
         SET file_name = excluded.file_name, content_type = excluded.content_type`,
      [visitorId, file.storageKey, file.fileName, file.contentType, file.sizeBytes],
    );
  }

  /** The visitor's uploads of these digests, in their order; undefined for one not theirs. */
  async uploads(visitorId: string, digests: string[]): Promise<Array<ChatFile | undefined>> {
    const keys = digests.map(storageKeyOf);
    const rows: UploadRow[] = await this.dataSource.query(
      `SELECT * FROM ${SCHEMA}.upload WHERE visitor_id = $1 AND storage_key = ANY($2)`,
      [visitorId, keys],
    );
    const found = new Map(rows.map((row) => [row.storage_key, fileOf(row)]));
    return keys.map((key) => found.get(key));
  }

  /**
   * The file of this digest if it belongs to the visitor's conversation: carried by one of its
   * messages (either way) or uploaded by the visitor; undefined otherwise, whoever else has it.
   */
  async fileOf(visitorId: string, digest: string): Promise<ChatFile | undefined> {
    const storageKey = storageKeyOf(digest);
    const rows: Array<{ file: ChatFile }> = await this.dataSource.query(
      `SELECT file FROM (
         SELECT f AS file FROM ${SCHEMA}.message m, jsonb_array_elements(m.files) f
          WHERE m.visitor_id = $1 AND m.files @> $2::jsonb
         UNION ALL
         SELECT jsonb_build_object('storageKey', storage_key, 'fileName', file_name,
                                   'contentType', content_type, 'sizeBytes', size_bytes)
           FROM ${SCHEMA}.upload WHERE visitor_id = $1 AND storage_key = $3
       ) files WHERE file->>'storageKey' = $3 LIMIT 1`,
      [visitorId, JSON.stringify([{ storageKey }]), storageKey],
    );
    return rows[0]?.file;
  }

  /** An agent's reply, stored once however often it is delivered; a survey with its ticket. */
  async addReply(reply: ChatReply): Promise<ChatEntry> {
    return (await this.add(reply.visitorId, 'agent', reply.id, reply)).entry;
  }

  async setProfile(visitorId: string, profile: VisitorProfile): Promise<void> {
    await this.dataSource.query(`UPDATE ${SCHEMA}.visitor SET profile = $2 WHERE visitor_id = $1`, [
      visitorId,
      JSON.stringify(profile),
    ]);
  }

  async readMarks(visitorId: string): Promise<ReadMarks> {
    const rows: Array<{ agent_read_seq: string; visitor_read_seq: string }> =
      await this.dataSource.query(
        `SELECT agent_read_seq, visitor_read_seq FROM ${SCHEMA}.visitor WHERE visitor_id = $1`,
        [visitorId],
      );
    return {
      agentRead: Number(rows[0]?.agent_read_seq ?? 0),
      visitorRead: Number(rows[0]?.visitor_read_seq ?? 0),
    };
  }

  /**
   * An agent saw the visitor's messages up to the one the widget named `clientMessageId`: the
   * mark moves there unless it is past it already (a repeat or a late older mark). Returns the
   * mark as it now is, undefined for a message the visitor never sent.
   */
  async markAgentRead(visitorId: string, clientMessageId: string): Promise<number | undefined> {
    const rows: Array<{ agent_read_seq: string }> = await this.dataSource.query(
      // As a SELECT: an UPDATE's rows come back from TypeORM wrapped with its row count.
      `WITH moved AS (
         UPDATE ${SCHEMA}.visitor v SET agent_read_seq = GREATEST(v.agent_read_seq, m.seq)
         FROM ${SCHEMA}.message m
         WHERE v.visitor_id = $1 AND m.visitor_id = $1 AND m.author_kind = 'visitor'
           AND m.local_id = $2
         RETURNING v.agent_read_seq
       )
       SELECT agent_read_seq FROM moved`,
      [visitorId, clientMessageId],
    );
    return rows.length > 0 ? Number(rows[0].agent_read_seq) : undefined;
  }

  /**
   * The visitor saw the conversation up to `seq`. `announce` is given the agents' replies seen for
   * the first time and must publish their receipts; the mark moves only after it succeeded, so a
   * failure leaves them to the widget's next report (a repeated receipt changes nothing).
   */
  async markVisitorRead(
    visitorId: string,
    seq: number,
    announce: (replies: ReplyRead[]) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager: EntityManager) => {
      const visitor: Array<{ visitor_read_seq: string; last_seq: string }> = await manager.query(
        `SELECT visitor_read_seq, last_seq FROM ${SCHEMA}.visitor WHERE visitor_id = $1 FOR UPDATE`,
        [visitorId],
      );
      if (visitor.length === 0) return;
      const upTo = Math.min(seq, Number(visitor[0].last_seq));
      const from = Number(visitor[0].visitor_read_seq);
      if (upTo <= from) return;
      const replies: Array<{ local_id: string; ticket_id: string; seq: string }> =
        await manager.query(
          `SELECT local_id, ticket_id, seq FROM ${SCHEMA}.message
           WHERE visitor_id = $1 AND author_kind = 'agent' AND seq > $2 AND seq <= $3
             AND ticket_id <> ''
           ORDER BY seq`,
          [visitorId, from, upTo],
        );
      if (replies.length > 0) {
        await announce(
          replies.map((reply) => ({
            outboundId: reply.local_id,
            ticketId: reply.ticket_id,
            channelMessageId: `${conversationKey(visitorId)}#${reply.seq}`,
          })),
        );
      }
      await manager.query(
        `UPDATE ${SCHEMA}.visitor SET visitor_read_seq = $2 WHERE visitor_id = $1`,
        [visitorId, upTo],
      );
    });
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
      // A file-only message still says what was sent; the files stay in the chat.
      text: [row.text, ...row.files.map((file) => `[${file.fileName}]`)].filter(Boolean).join('\n'),
      at: row.created_at,
    }));
  }

  /**
   * Keeps where the router's latest decisions leave the visitors' chats: each one's place and
   * promise, or none once an agent has it; one statement for a whole batch of decisions. Answers
   * the visitors whose wait changed: a redelivered decision changes nothing and signals no one.
   * The other replicas hear of a change when it commits.
   */
  async recordWaits(waits: ReadonlyMap<string, WaitInLine>): Promise<string[]> {
    if (waits.size === 0) return [];
    // In one order, so that two batches touching the same visitors cannot deadlock.
    const visitors = [...waits.keys()].sort();
    const places = visitors.map((visitorId) => {
      const wait = waits.get(visitorId)!;
      return wait.withAgent
        ? { position: 0, promisedAt: null }
        : { position: wait.position, promisedAt: wait.promisedAt ?? null };
    });
    const signals = visitors.map((visitorId) => this.listeners.notification(visitorId, 'queue'));
    const channel = signals[0]?.[0];
    const rows: Array<{ visitor_id: string }> = await this.dataSource.query(
      `WITH wanted AS (
         SELECT * FROM unnest($1::uuid[], $2::integer[], $3::timestamptz[], $4::text[])
           AS w(visitor_id, queue_position, promised_answer_at, signal)
       ), moved AS (
         UPDATE ${SCHEMA}.visitor v
            SET queue_position = w.queue_position, promised_answer_at = w.promised_answer_at
           FROM wanted w
          WHERE v.visitor_id = w.visitor_id
            AND (v.queue_position, v.promised_answer_at)
                IS DISTINCT FROM (w.queue_position, w.promised_answer_at)
         RETURNING v.visitor_id
       )
       SELECT m.visitor_id${channel ? ', pg_notify($5, w.signal)' : ''}
         FROM moved m JOIN wanted w USING (visitor_id)`,
      [
        visitors,
        places.map((place) => place.position),
        places.map((place) => place.promisedAt),
        signals.map((signal) => signal?.[1] ?? null),
        ...(channel ? [channel] : []),
      ],
    );
    return rows.map((row) => row.visitor_id);
  }

  /** The visitor's place in line as the widget shows it now (the wait counted from `now`). */
  async queuePlace(visitorId: string, now = new Date()): Promise<QueuePlace> {
    const rows: Array<{ locale: string; queue_position: number; promised_answer_at: Date | null }> =
      await this.dataSource.query(
        `SELECT locale, queue_position, promised_answer_at FROM ${SCHEMA}.visitor
          WHERE visitor_id = $1`,
        [visitorId],
      );
    const row = rows[0];
    if (!row || (row.queue_position === 0 && !row.promised_answer_at)) {
      return { position: 0, expectedAnswerAt: null, text: null };
    }
    return {
      position: row.queue_position,
      expectedAnswerAt: row.promised_answer_at?.toISOString() ?? null,
      text:
        waitingText(row.queue_position, row.promised_answer_at ?? undefined, row.locale, now) ??
        null,
    };
  }

  /**
   * Notes that the broker has the visitor's message. The messages one publish took resume
   * together, so their marks are written in one statement.
   */
  markDelivered(visitorId: string, seq: number): Promise<void> {
    this.deliveredMarks.push({ visitorId, seq });
    this.deliveredWrite ??= new Promise((resolve) => setImmediate(resolve)).then(async () => {
      this.deliveredWrite = undefined;
      // In one order, so that two writes touching the same visitors cannot deadlock.
      const marks = this.deliveredMarks
        .splice(0)
        .sort((a, b) => a.visitorId.localeCompare(b.visitorId) || a.seq - b.seq);
      await this.dataSource.query(
        `UPDATE ${SCHEMA}.message m SET delivered = true
           FROM unnest($1::uuid[], $2::bigint[]) AS d(visitor_id, seq)
          WHERE m.visitor_id = d.visitor_id AND m.seq = d.seq`,
        [marks.map((mark) => mark.visitorId), marks.map((mark) => mark.seq)],
      );
    });
    return this.deliveredWrite;
  }

  /**
   * The messages after `seq`, oldest first; for a first connection (`seq` 0) the last
   * HISTORY_PAGE of them.
   */
  async after(visitorId: string, seq: number): Promise<ChatEntry[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT page.*, s.ticket_id AS survey_ticket, s.score AS survey_score, s.transcript_to,
              v.profile->>'email' AS survey_email
         FROM (
           SELECT * FROM ${SCHEMA}.message WHERE visitor_id = $1 AND seq > $2
           ORDER BY seq ${seq === 0 ? 'DESC' : 'ASC'} LIMIT ${HISTORY_PAGE}
         ) page LEFT JOIN ${SCHEMA}.survey s USING (visitor_id, seq)
         LEFT JOIN ${SCHEMA}.visitor v ON v.visitor_id = s.visitor_id
        ORDER BY seq`,
      [visitorId, seq],
    );
    return rows.map(entryOf);
  }

  /**
   * One statement, one round trip on the way of every message: it numbers the message under the
   * visitor's row lock (the UPDATE), so numbers follow commit order, and the other replicas hear
   * of it when it commits; the caller wakes this replica's listeners. A message already stored
   * is found instead. Two copies sent at once both pass the NOT EXISTS (its snapshot predates
   * either); the second waits for the row lock, then ON CONFLICT stores nothing: a number is
   * skipped, which readers resuming "after n" never notice.
   */
  private async add(
    visitorId: string,
    kind: 'visitor' | 'agent',
    localId: string,
    content: {
      text: string;
      files: ChatFile[];
      author?: string;
      automatic?: boolean;
      ticketId?: string;
      survey?: SurveyedTicket;
    },
  ): Promise<{ entry: ChatEntry; profile?: VisitorProfile }> {
    const signal = this.listeners.notification(visitorId);
    const inserted: Array<Row & { profile?: VisitorProfile }> = await this.dataSource.query(
      `WITH next AS (
         UPDATE ${SCHEMA}.visitor SET last_seq = last_seq + 1
         WHERE visitor_id = $1 AND NOT EXISTS (
           SELECT 1 FROM ${SCHEMA}.message
           WHERE visitor_id = $1 AND author_kind = $3 AND local_id = $2
         )
         RETURNING last_seq, profile
       ), inserted AS (
         INSERT INTO ${SCHEMA}.message
           (visitor_id, seq, local_id, author_kind, author, text, files, automatic, ticket_id)
         SELECT $1, last_seq, $2, $3, $4, $5, $6, $7, $8 FROM next
         ON CONFLICT (visitor_id, author_kind, local_id) DO NOTHING
         RETURNING *
       ), surveyed AS (
         INSERT INTO ${SCHEMA}.survey (visitor_id, seq, ticket_id, ticket_number)
         SELECT visitor_id, seq, $9, $10 FROM inserted WHERE $9 <> ''
       )
       SELECT inserted.*, next.profile${signal ? ', pg_notify($11, $12) AS signalled' : ''}
         FROM inserted, next`,
      [
        visitorId,
        localId,
        kind,
        content.author ?? '',
        content.text,
        JSON.stringify(content.files),
        content.automatic ?? false,
        content.ticketId ?? '',
        content.survey?.ticketId ?? '',
        content.survey?.ticketNumber ?? '',
        ...(signal ?? []),
      ],
    );
    let row = inserted[0];
    if (!row) {
      const existing: Array<Row & { profile: VisitorProfile }> = await this.dataSource.query(
        `SELECT m.*, v.profile FROM ${SCHEMA}.message m JOIN ${SCHEMA}.visitor v USING (visitor_id)
         WHERE m.visitor_id = $1 AND m.author_kind = $2 AND m.local_id = $3`,
        [visitorId, kind, localId],
      );
      if (existing.length === 0) throw new UnknownVisitorError(visitorId);
      row = existing[0];
    }
    // A survey's row commits with its message and the signal: another replica woken by the
    // signal reads the message with its survey, or a visitor there would never see the stars.
    const entry = content.survey
      ? { ...entryOf(row), survey: surveyOf(null, false, row.profile?.email) }
      : entryOf(row);
    return { entry, profile: row.profile };
  }
}

interface UploadRow {
  storage_key: string;
  file_name: string;
  content_type: string;
  size_bytes: string;
}

function fileOf(row: UploadRow): ChatFile {
  return {
    storageKey: row.storage_key,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
  };
}

function entryOf(row: Row): ChatEntry {
  return {
    seq: Number(row.seq),
    id: row.local_id,
    from: row.author_kind,
    text: row.text,
    author: row.author,
    files: row.files.map((file) => ({
      digest: file.storageKey.slice(file.storageKey.lastIndexOf('/') + 1),
      fileName: file.fileName,
      contentType: file.contentType,
      sizeBytes: file.sizeBytes,
    })),
    automatic: row.automatic,
    delivered: row.delivered,
    at: row.created_at.toISOString(),
    ...(row.survey_ticket
      ? {
          survey: surveyOf(
            row.survey_score ?? null,
            row.transcript_to !== null && row.transcript_to !== undefined,
            row.survey_email,
          ),
        }
      : {}),
  };
}

function surveyOf(
  score: number | null,
  transcriptSent: boolean,
  email: string | null | undefined,
): NonNullable<ChatEntry['survey']> {
  return { score, transcriptSent, ...(email ? { email } : {}) };
}
