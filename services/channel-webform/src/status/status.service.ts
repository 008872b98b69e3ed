import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { waitingText } from '@firstline/routing';
import { firstNameOf, stageLabel, stageOf, type Locale, type ReplyFile } from '@firstline/webform';
import { Rejection } from '../http/rejection';
import type { StatusMessage, StatusView } from '../http/responses';
import { StoredLinks } from '../http/stored-links';
import { CustomerTextsStore } from '../projection/directory.consumer';

interface ConversationRow {
  customer_name: string;
  subject: string;
  created_at: Date;
  callback_from: Date | null;
  callback_to: Date | null;
  ticket_number: string | null;
  status: string | null;
  agent_id: string | null;
  agent_name: string | null;
  first_response_due_at: Date | null;
  queue_position: number | null;
  promised_answer_at: Date | null;
  ticket_updated_at: Date | null;
}

/** The status page's answers, from the channel's own projection (it reads no other schema). */
@Injectable()
export class StatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: CustomerTextsStore,
    private readonly links: StoredLinks,
  ) {}

  async view(statusToken: string, locale: Locale): Promise<StatusView> {
    const [row] = await this.dataSource.query<ConversationRow[]>(
      `SELECT c.customer_name, c.subject, c.created_at, c.callback_from, c.callback_to,
              t.ticket_number, t.status, t.agent_id, a.name AS agent_name,
              t.first_response_due_at, t.queue_position, t.promised_answer_at,
              t.updated_at AS ticket_updated_at
       FROM channel_webform.conversation c
       LEFT JOIN channel_webform.ticket t ON t.ticket_id = c.ticket_id
       LEFT JOIN channel_webform.agent a ON a.agent_id = t.agent_id
       WHERE c.status_token = $1`,
      [statusToken],
    );
    if (!row) throw new Rejection(404, 'unknown_status');
    // One after the other: embedded mode serves every connection from one Postgres session.
    const submissions = await this.dataSource.query<
      Array<{
        message_id: string;
        text_body: string;
        created_at: Date;
        attachments: Array<{ fileName: string; url: string }>;
      }>
    >(
      `SELECT message_id, text_body, created_at, attachments FROM channel_webform.submission
         WHERE status_token = $1 ORDER BY created_at`,
      [statusToken],
    );
    const replies = await this.dataSource.query<
      Array<{
        outbound_id: string;
        text_body: string;
        sender_display_name: string;
        automatic: boolean;
        created_at: Date;
        attachments: ReplyFile[];
      }>
    >(
      `SELECT outbound_id, text_body, sender_display_name, automatic, created_at, attachments
         FROM channel_webform.reply WHERE status_token = $1 ORDER BY created_at`,
      [statusToken],
    );
    const base = await this.links.base();
    const messages: StatusMessage[] = [
      ...submissions.map((s) => ({
        id: s.message_id,
        from: 'customer' as const,
        author: row.customer_name,
        text: s.text_body,
        at: s.created_at.toISOString(),
        automatic: false,
        attachments: s.attachments.map(({ fileName, url }) => ({ fileName, url })),
      })),
      ...replies.map((r) => ({
        id: r.outbound_id,
        from: 'support' as const,
        author: r.sender_display_name,
        text: r.text_body,
        at: r.created_at.toISOString(),
        automatic: r.automatic,
        attachments: r.attachments.map((file) => ({
          fileName: file.fileName,
          url: `${base}/webform/status/${statusToken}/attachments/${digestOf(file.storageKey)}`,
        })),
      })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const stage = stageOf({
      ticketNumber: row.ticket_number ?? undefined,
      status: row.status ?? undefined,
      agentId: row.agent_id ?? undefined,
    });
    const updates = [row.created_at, row.ticket_updated_at, ...messages.map((m) => new Date(m.at))]
      .filter((at): at is Date => at instanceof Date)
      .map((at) => at.getTime());
    const answered = replies.some((r) => !r.automatic);
    const wording = await this.directory.customerTexts();
    const promised = row.promised_answer_at ?? row.first_response_due_at ?? row.callback_to;
    return {
      ticketNumber: row.ticket_number,
      stage,
      stageLabel: stageLabel(stage, locale, wording),
      agentFirstName: row.agent_name ? firstNameOf(row.agent_name) : null,
      // Once an agent answered, the promise is kept; the page stops showing it.
      expectedAnswerAt: answered ? null : (promised?.toISOString() ?? null),
      // Counted from now on every refresh of the page: the wait shrinks as the customer waits.
      answerTime:
        answered || (stage !== 'queued' && stage !== 'in_progress')
          ? null
          : (waitingText(
              row.queue_position ?? 0,
              promised ?? undefined,
              locale,
              new Date(),
              wording,
            ) ?? null),
      lastUpdateAt: new Date(Math.max(...updates)).toISOString(),
      callbackWindow:
        row.callback_from && row.callback_to
          ? { startsAt: row.callback_from.toISOString(), endsAt: row.callback_to.toISOString() }
          : null,
      subject: row.subject,
      messages,
    };
  }

  /**
   * The file under `digest` when the conversation of `statusToken` holds it — one the customer
   * sent or a reply brought — with the name it was given there; undefined otherwise.
   */
  async fileOf(
    statusToken: string,
    digest: string,
  ): Promise<{ storageKey: string; fileName: string } | undefined> {
    const [row] = await this.dataSource.query<Array<{ storage_key: string; file_name: string }>>(
      `SELECT file->>'storageKey' AS storage_key, file->>'fileName' AS file_name
       FROM channel_webform.reply r, jsonb_array_elements(r.attachments) file
       WHERE r.status_token = $1 AND file->>'storageKey' LIKE '%/' || $2::text
       UNION ALL
       SELECT u.storage_key, file->>'fileName'
       FROM channel_webform.submission s
       JOIN channel_webform.attachment_use u ON u.message_id = s.message_id
       CROSS JOIN jsonb_array_elements(s.attachments) file
       WHERE s.status_token = $1 AND u.storage_key LIKE '%/' || $2::text AND file->>'url' LIKE '%/' || $2::text
       LIMIT 1`,
      [statusToken, digest],
    );
    return row && { storageKey: row.storage_key, fileName: row.file_name };
  }

  /** The key of a file a form submission used, by its digest. */
  async submittedFile(digest: string): Promise<string | undefined> {
    const [row] = await this.dataSource.query<Array<{ storage_key: string }>>(
      `SELECT storage_key FROM channel_webform.attachment_use
       WHERE storage_key IN ('sha256/' || $1::text, 'webform/sha256/' || $1::text) LIMIT 1`,
      [digest],
    );
    return row?.storage_key;
  }

  /** The locale the customer wrote in; undefined for a token nobody was given. */
  async localeOf(statusToken: string): Promise<string | undefined> {
    const [row] = await this.dataSource.query<Array<{ locale: string }>>(
      `SELECT locale FROM channel_webform.conversation WHERE status_token = $1`,
      [statusToken],
    );
    return row?.locale;
  }
}

/** The hex digest a link names a file by: the last segment of its storage key. */
export function digestOf(storageKey: string): string {
  return storageKey.slice(storageKey.lastIndexOf('/') + 1);
}
