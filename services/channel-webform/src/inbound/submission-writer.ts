import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InboundPublisher, type NormalisedPayload } from '@firstline/channel-kit';
import {
  decode,
  encode,
  InboundMessageSchema,
  messageType,
  type InboundMessage,
} from '@firstline/contracts';

/** The conversation a first submission opens. */
export interface NewConversation {
  formId: string;
  customerName: string;
  email?: string;
  phone?: string;
  locale: string;
  subject: string;
  callbackWindow?: { startsAt: Date; endsAt: Date };
}

/** One submission or follow-up to record and publish. */
export interface SubmissionToWrite {
  message: InboundMessage;
  statusToken: string;
  /** Tells a retry (same key, same content) from a key reused for something else. */
  requestHash: string;
  attachments: Array<{
    storageKey: string;
    fileName: string;
    contentType: string;
    sizeBytes: number;
    url: string;
  }>;
  /** Set for a form submission, unset for a follow-up on an existing conversation. */
  conversation?: NewConversation;
}

interface StoredSubmission {
  statusToken: string;
  requestHash: string;
  payload: Buffer;
}

export type WriteOutcome =
  { kind: 'accepted'; statusToken: string; replayed: boolean } | { kind: 'key-reused' };

/** Rounds being written or published at once. */
const ROUNDS_IN_FLIGHT = 2;

interface Waiting {
  submission: SubmissionToWrite;
  settle: (outcome: WriteOutcome | Error) => void;
}

/**
 * Records submissions and publishes them with group commit: requests that arrive while a round
 * is in flight go together in the next one (one statement), and each resolves only when the
 * broker acknowledged its InboundMessage (the InboundPublisher). Row first, publish second: a
 * publish that fails leaves the row, and the client's retry with the same key publishes the
 * stored message again (downstream de-duplicates on its id), so nothing is lost and nothing is
 * doubled.
 */
@Injectable()
export class SubmissionWriter {
  private waiting: Waiting[] = [];
  private roundsInFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: InboundPublisher,
  ) {}

  write(submission: SubmissionToWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        submission,
        settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
      });
      this.pump();
    });
  }

  /**
   * Starts rounds while fewer than two are in flight, so one round's insert overlaps the
   * previous one's publish. A follow-up is only possible after its conversation's first answer,
   * so no conversation has messages in two rounds at once except concurrent follow-ups.
   */
  private pump(): void {
    while (this.waiting.length > 0 && this.roundsInFlight < ROUNDS_IN_FLIGHT) {
      const round = this.waiting;
      this.waiting = [];
      this.roundsInFlight += 1;
      void this.round(round.map((entry) => entry.submission))
        .then(
          (outcomes) => round.forEach((entry, index) => entry.settle(outcomes[index])),
          (error: unknown) => {
            const failure = error instanceof Error ? error : new Error(String(error));
            for (const entry of round) entry.settle(failure);
          },
        )
        .finally(() => {
          this.roundsInFlight -= 1;
          this.pump();
        });
    }
  }

  private async round(submissions: SubmissionToWrite[]): Promise<WriteOutcome[]> {
    // A double click can put the same key twice into one round: the first one is written.
    const first = new Map<string, SubmissionToWrite>();
    for (const submission of submissions) {
      if (!first.has(submission.message.messageId))
        first.set(submission.message.messageId, submission);
    }
    const unique = [...first.values()];
    const payloads = new Map(
      unique.map((s) => [s.message.messageId, encode(InboundMessageSchema, s.message)]),
    );
    const stored = await this.store(unique, payloads);

    const outcomes = new Map<string, WriteOutcome>();
    const messages: NormalisedPayload[] = [];
    for (const submission of unique) {
      const id = submission.message.messageId;
      const existing = stored.get(id);
      if (existing && existing.requestHash !== submission.requestHash) {
        outcomes.set(id, { kind: 'key-reused' });
        continue;
      }
      const statusToken = existing?.statusToken ?? submission.statusToken;
      outcomes.set(id, { kind: 'accepted', statusToken, replayed: Boolean(existing) });
      // A retry publishes what was stored the first time: the same message, on the same page.
      const bytes = existing?.payload ?? payloads.get(id)!;
      const message = existing ? decode(InboundMessageSchema, bytes) : submission.message;
      messages.push({
        result: { kind: 'message', message },
        payload: { source: 'webform', id, type: messageType(InboundMessageSchema), bytes },
      });
    }
    await this.publisher.publish(messages);
    return submissions.map((submission) => {
      const outcome = outcomes.get(submission.message.messageId)!;
      const writer = first.get(submission.message.messageId)!;
      if (writer === submission) return outcome;
      // The second of a double click in the same round is a replay of the first.
      if (submission.requestHash !== writer.requestHash) return { kind: 'key-reused' };
      return outcome.kind === 'accepted' ? { ...outcome, replayed: true } : outcome;
    });
  }

  /**
   * Inserts the round's conversations, submissions and their files' uses in one statement (one
   * round trip, atomic);
   * returns the submissions whose key was already taken, as stored, and removes the
   * conversations their retries opened for nothing.
   */
  private async store(
    submissions: SubmissionToWrite[],
    payloads: Map<string, Uint8Array>,
  ): Promise<Map<string, StoredSubmission>> {
    const values: unknown[] = [];
    const row = (...cells: unknown[]) => {
      values.push(...cells);
      return `(${cells.map((_, i) => `$${values.length - cells.length + i + 1}`).join(', ')})`;
    };
    const conversations = submissions
      .filter((s) => s.conversation)
      .map((s) => {
        const c = s.conversation!;
        return row(
          s.statusToken,
          c.formId,
          c.customerName,
          c.email ?? null,
          c.phone ?? null,
          c.locale,
          c.subject,
          c.callbackWindow?.startsAt ?? null,
          c.callbackWindow?.endsAt ?? null,
        );
      });
    const rows = submissions.map((s) =>
      row(
        s.message.messageId,
        s.statusToken,
        s.requestHash,
        s.message.textBody,
        JSON.stringify(s.attachments),
        Buffer.from(payloads.get(s.message.messageId)!),
      ),
    );
    // The files each submission uses, recorded with it (only if it is new), so unused ones can go.
    const uses = submissions.flatMap((s) =>
      s.attachments.map((file) => row(s.message.messageId, file.storageKey)),
    );
    const using =
      uses.length === 0
        ? ''
        : `, used AS (
             INSERT INTO channel_webform.attachment_use (message_id, storage_key)
             SELECT f.message_id, f.storage_key
             FROM (VALUES ${uses.join(', ')}) AS f (message_id, storage_key)
             JOIN stored USING (message_id)
             ON CONFLICT DO NOTHING
           )`;
    const opening =
      conversations.length === 0
        ? ''
        : `opened AS (
             INSERT INTO channel_webform.conversation
               (status_token, form_id, customer_name, email, phone, locale, subject, callback_from, callback_to)
             VALUES ${conversations.join(', ')}
           ),`;
    const inserted: Array<{ message_id: string }> = await this.dataSource.query(
      `WITH ${opening} stored AS (
         INSERT INTO channel_webform.submission
           (message_id, status_token, request_hash, text_body, attachments, payload)
         VALUES ${rows.join(', ')}
         ON CONFLICT (message_id) DO NOTHING
         RETURNING message_id
       )${using}
       SELECT message_id FROM stored`,
      values,
    );
    const taken = new Set(submissions.map((s) => s.message.messageId));
    for (const { message_id } of inserted) taken.delete(message_id);
    const existing = new Map<string, StoredSubmission>();
    if (taken.size === 0) return existing;
    const found: Array<{
      message_id: string;
      status_token: string;
      request_hash: string;
      payload: Buffer;
    }> = await this.dataSource.query(
      `SELECT message_id, status_token, request_hash, payload FROM channel_webform.submission
       WHERE message_id = ANY($1)`,
      [[...taken]],
    );
    for (const stored of found) {
      existing.set(stored.message_id, {
        statusToken: stored.status_token,
        requestHash: stored.request_hash,
        payload: stored.payload,
      });
    }
    const orphaned = submissions
      .filter((s) => s.conversation && taken.has(s.message.messageId))
      .map((s) => s.statusToken);
    if (orphaned.length > 0) {
      await this.dataSource.query(
        `DELETE FROM channel_webform.conversation WHERE status_token = ANY($1)`,
        [orphaned],
      );
    }
    return existing;
  }
}
