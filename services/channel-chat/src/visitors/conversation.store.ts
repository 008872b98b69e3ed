import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UnknownVisitorError, type ChatReply, type ChatReplyFile } from '@firstline/chat';
import { SCHEMA } from '../migrations';
import { VisitorListeners } from './visitor-listeners';

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
}

/** The most a (re)connecting widget is sent at once: a long conversation pages in from its end. */
export const HISTORY_PAGE = 200;

/** Visitors and their conversations in channel_chat (migrations.ts). */
@Injectable()
export class ConversationStore {
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

  /** The visitor's message, stored once however often the widget sends it. */
  addVisitorMessage(visitorId: string, clientMessageId: string, text: string): Promise<ChatEntry> {
    return this.add(visitorId, 'visitor', clientMessageId, { text, files: [] });
  }

  /** An agent's reply, stored once however often it is delivered. */
  addReply(reply: ChatReply): Promise<ChatEntry> {
    return this.add(reply.visitorId, 'agent', reply.id, reply);
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
      `SELECT * FROM (
         SELECT * FROM ${SCHEMA}.message WHERE visitor_id = $1 AND seq > $2
         ORDER BY seq ${seq === 0 ? 'DESC' : 'ASC'} LIMIT ${HISTORY_PAGE}
       ) page ORDER BY seq`,
      [visitorId, seq],
    );
    return rows.map(entryOf);
  }

  /**
   * Under the visitor's row lock: numbers follow commit order, and a message sent twice at once
   * is stored once. The other replicas hear of a new one when it commits; the caller wakes this
   * replica's listeners.
   */
  private add(
    visitorId: string,
    kind: 'visitor' | 'agent',
    localId: string,
    content: { text: string; files: ChatEntry['files']; author?: string; automatic?: boolean },
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
      await this.listeners.notifyReplicas(manager, visitorId);
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
  };
}
