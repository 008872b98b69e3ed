import { Injectable } from '@nestjs/common';
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Bytes per stored part: what one upload holds in memory at most, besides its first bytes. */
export const PART_BYTES = 256 * 1024;

/** A stored file's key: content-addressed, so the same file twice is kept once. */
export function storageKeyOf(digest: string): string {
  return `webform/sha256/${digest}`;
}

/** A file as it arrives: its bytes go to the database part by part, hashed on the way. */
export class StagedUpload {
  readonly id = randomUUID();
  sizeBytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private parts = 0;
  private settled: 'open' | 'kept' | 'discarded' = 'open';
  private digestHex?: string;

  constructor(private readonly store: AttachmentStore) {}

  /** Takes the next bytes; resolves once they are buffered or written, so the sender is paced. */
  async write(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    this.sizeBytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= PART_BYTES) await this.flush();
  }

  /** Writes what is left; the file's SHA-256 from then on. */
  async end(): Promise<string> {
    await this.flush();
    this.digestHex = this.hash.digest('hex');
    return this.digestHex;
  }

  get digest(): string {
    if (!this.digestHex) throw new Error('the upload has not ended');
    return this.digestHex;
  }

  /** Makes the upload a stored attachment (or, when the same file is stored already, uses that). */
  async keep(contentType: string): Promise<void> {
    if (this.settled !== 'open') return;
    this.settled = 'kept';
    await this.store.keep(this, contentType);
  }

  /** Removes the parts of an upload that is not kept: refused, replayed or abandoned. */
  async discard(): Promise<void> {
    if (this.settled !== 'open') return;
    this.settled = 'discarded';
    this.pending = [];
    await this.store.removeParts(this.id);
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0 && this.parts > 0) return;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.store.writePart(this.id, this.parts++, bytes);
  }
}

/** A stored attachment, read back part by part. */
export interface StoredAttachment {
  contentType: string;
  sizeBytes: number;
  parts: AsyncIterable<Buffer>;
}

/**
 * The channel's file store in its own schema: uploads are written in parts while they arrive
 * (never whole in memory), kept under their SHA-256 once a submission uses them, and removed when
 * nothing refers to them (docs/adr/0010-webform.md).
 */
@Injectable()
export class AttachmentStore {
  constructor(private readonly dataSource: DataSource) {}

  stage(): StagedUpload {
    return new StagedUpload(this);
  }

  async writePart(uploadId: string, part: number, bytes: Buffer): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO channel_webform.attachment_part (upload_id, part, bytes) VALUES ($1, $2, $3)`,
      [uploadId, part, bytes],
    );
  }

  async removeParts(uploadId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM channel_webform.attachment_part WHERE upload_id = $1`,
      [uploadId],
    );
  }

  /**
   * Names the upload's parts by the file's digest, in one statement: when the same file is stored
   * already, that copy stays (its grace time starts again, so the sweep leaves it to the
   * submission about to use it) and this upload's parts go.
   */
  async keep(upload: StagedUpload, contentType: string): Promise<void> {
    await this.dataSource.query(
      `WITH kept AS (
         INSERT INTO channel_webform.attachment (storage_key, upload_id, content_type, size_bytes)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (storage_key) DO UPDATE SET stored_at = now()
         RETURNING upload_id
       )
       DELETE FROM channel_webform.attachment_part
       WHERE upload_id = $2 AND $2 <> (SELECT upload_id FROM kept)`,
      [storageKeyOf(upload.digest), upload.id, contentType, upload.sizeBytes],
    );
  }

  async open(digest: string): Promise<StoredAttachment | undefined> {
    const [row] = await this.dataSource.query<
      Array<{ upload_id: string; content_type: string; size_bytes: number }>
    >(
      `SELECT upload_id, content_type, size_bytes FROM channel_webform.attachment WHERE storage_key = $1`,
      [storageKeyOf(digest)],
    );
    if (!row) return undefined;
    return {
      contentType: row.content_type,
      sizeBytes: row.size_bytes,
      parts: this.parts(row.upload_id),
    };
  }

  /**
   * Removes what no submission uses and is older than `before`: kept files (a submission that
   * failed, a key reused for something else) and parts of uploads never finished (a client that
   * went away, a crash mid-upload). Returns how many files and abandoned uploads went.
   */
  async sweep(before: Date): Promise<{ files: number; uploads: number }> {
    const files: Array<{ upload_id: string }> = await this.dataSource.query(
      `WITH unused AS (
         DELETE FROM channel_webform.attachment a
         WHERE a.stored_at < $1
           AND NOT EXISTS (
             SELECT 1 FROM channel_webform.attachment_use u WHERE u.storage_key = a.storage_key)
         RETURNING a.upload_id
       ), parts AS (
         DELETE FROM channel_webform.attachment_part p USING unused
         WHERE p.upload_id = unused.upload_id
       )
       SELECT upload_id FROM unused`,
      [before],
    );
    const uploads: Array<{ upload_id: string }> = await this.dataSource.query(
      `WITH abandoned AS (
         SELECT DISTINCT p.upload_id FROM channel_webform.attachment_part p
         WHERE p.part = 0 AND p.written_at < $1
           AND NOT EXISTS (
             SELECT 1 FROM channel_webform.attachment a WHERE a.upload_id = p.upload_id)
       ), parts AS (
         DELETE FROM channel_webform.attachment_part p USING abandoned
         WHERE p.upload_id = abandoned.upload_id
       )
       SELECT upload_id FROM abandoned`,
      [before],
    );
    return { files: files.length, uploads: uploads.length };
  }

  private async *parts(uploadId: string): AsyncIterable<Buffer> {
    for (let part = 0; ; part += 1) {
      const [row] = await this.dataSource.query<Array<{ bytes: Buffer }>>(
        `SELECT bytes FROM channel_webform.attachment_part WHERE upload_id = $1 AND part = $2`,
        [uploadId, part],
      );
      if (!row) return;
      yield row.bytes;
    }
  }
}
