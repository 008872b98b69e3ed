import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { JsonValue } from '@bufbuild/protobuf';
import type { Channel } from '@firstline/contracts';
import type { ReplayedMessage } from '@firstline/routing';

export interface RuleSetDraft {
  id: string;
  /** The draft as protobuf JSON. */
  ruleSet: JsonValue;
  basedOnVersion: number;
  revision: number;
  savedBy: string;
  savedAt: Date;
  preview: JsonValue | null;
}

interface DraftRow {
  id: string;
  rule_set: JsonValue;
  based_on_version: number;
  revision: number;
  saved_by: string;
  saved_at: Date;
  preview: JsonValue | null;
}

interface ReplayRow {
  ticket_id: string;
  ticket_number: string;
  opened_at: Date;
  message_id: string;
  channel: number;
  subject: string;
  text_body: string;
  form_topic: string | null;
  form_fields: Record<string, string>;
  channel_metadata: Record<string, string>;
  sender: string;
  language: string;
  received_at: Date;
  tier: string;
  tags: string[];
}

/** Where a page of the replay ends: the next page starts after this ticket. */
export interface ReplayCursor {
  openedAt: Date;
  ticketId: string;
}

/** SQL of rule-set drafts and of the stored messages a preview replays. */
@Injectable()
export class RuleDraftsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(
    id: string,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<RuleSetDraft | undefined> {
    const rows = await manager.query<DraftRow[]>(
      `SELECT id, rule_set, based_on_version, revision, saved_by, saved_at, preview
       FROM tickets.rule_set_draft WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] && toDraft(rows[0]);
  }

  /**
   * Saves the draft as a new revision without a preview. A draft already there keeps the live
   * version it was started from.
   */
  async save(
    id: string,
    ruleSet: JsonValue,
    liveVersion: number,
    savedBy: string,
  ): Promise<RuleSetDraft> {
    const rows = await this.dataSource.query<DraftRow[]>(
      `INSERT INTO tickets.rule_set_draft AS draft
         (id, rule_set, based_on_version, revision, saved_by, saved_at)
       VALUES ($1, $2, $3, 1, $4, now())
       ON CONFLICT (id) DO UPDATE SET rule_set = EXCLUDED.rule_set,
         revision = draft.revision + 1, saved_by = EXCLUDED.saved_by, saved_at = now(),
         preview = NULL
       RETURNING id, rule_set, based_on_version, revision, saved_by, saved_at, preview`,
      [id, JSON.stringify(ruleSet), liveVersion, savedBy],
    );
    return toDraft(rows[0]!);
  }

  /** Keeps the preview with the draft, unless the draft was saved again meanwhile. */
  async keepPreview(id: string, revision: number, preview: JsonValue): Promise<void> {
    await this.dataSource.query(
      `UPDATE tickets.rule_set_draft SET preview = $3 WHERE id = $1 AND revision = $2`,
      [id, revision, JSON.stringify(preview)],
    );
  }

  async delete(id: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    // A SELECT around the DELETE: TypeORM answers a bare DELETE with [rows, count].
    const rows = await manager.query<Array<{ deleted: number }>>(
      `WITH gone AS (DELETE FROM tickets.rule_set_draft WHERE id = $1 RETURNING id)
       SELECT count(*)::int AS deleted FROM gone`,
      [id],
    );
    return rows[0]!.deleted === 1;
  }

  /**
   * One page of the messages that opened tickets since `since`, newest first, each with what
   * classification looks at: the message's stored inputs and its customer's tier and tags as
   * they are now (a merge moves tickets to the customer that stays). Keyset pagination on the tickets' opening
   * time keeps every page an index range, however far into the window.
   */
  async replayPage(
    since: Date,
    after: ReplayCursor | undefined,
    limit: number,
  ): Promise<{ messages: ReplayedMessage[]; next: ReplayCursor | undefined }> {
    const rows = await this.dataSource.query<ReplayRow[]>(
      `SELECT t.id AS ticket_id, t.number::text AS ticket_number, t.created_at AS opened_at,
         m.id AS message_id, m.channel, m.subject, m.text_body, m.form_topic, m.form_fields,
         m.channel_metadata, m.sender, COALESCE(NULLIF(m.language, ''), t.language) AS language,
         m.created_at AS received_at,
         c.tier, c.tags
       FROM tickets.ticket t
       CROSS JOIN LATERAL (
         SELECT * FROM tickets.message
         WHERE ticket_id = t.id AND direction = 'in' AND NOT automatic
         ORDER BY created_at LIMIT 1
       ) m
       JOIN tickets.customer c ON c.id = t.customer_id
       WHERE t.created_at >= $1
         AND ($2::timestamptz IS NULL OR (t.created_at, t.id) < ($2, $3))
       ORDER BY t.created_at DESC, t.id DESC
       LIMIT $4`,
      [since, after?.openedAt ?? null, after?.ticketId ?? '', limit],
    );
    const last = rows.at(-1);
    return {
      messages: rows.map(toReplayed),
      next:
        rows.length === limit && last
          ? { openedAt: last.opened_at, ticketId: last.ticket_id }
          : undefined,
    };
  }
}

function toDraft(row: DraftRow): RuleSetDraft {
  return {
    id: row.id,
    ruleSet: row.rule_set,
    basedOnVersion: row.based_on_version,
    revision: row.revision,
    savedBy: row.saved_by,
    savedAt: row.saved_at,
    preview: row.preview,
  };
}

function toReplayed(row: ReplayRow): ReplayedMessage {
  return {
    messageId: row.message_id,
    ticketId: row.ticket_id,
    ticketNumber: row.ticket_number,
    input: {
      channel: row.channel as Channel,
      subject: row.subject,
      textBody: row.text_body,
      formTopic: row.form_topic ?? undefined,
      formFields: row.form_fields,
      channelMetadata: row.channel_metadata,
      senderValue: row.sender,
      language: row.language,
      customerTier: row.tier,
      customerTags: row.tags,
      receivedAt: row.received_at,
    },
  };
}
