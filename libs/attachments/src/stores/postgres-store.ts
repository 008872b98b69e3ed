import { randomUUID } from 'node:crypto';
import { PartedFile, type AttachmentStore, type StagedFile, type StoredFile } from '../store';

/** What the store needs of a database connection; a TypeORM DataSource is one. */
export interface SqlClient {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** Bytes per stored row: what one upload holds in memory at most, besides its head. */
export const DATABASE_PART_BYTES = 256 * 1024;

/**
 * The store in schema `attachment` of the database the service already uses (in `npm start`, the
 * embedded PGlite): a file's bytes are rows of `part`, written while they arrive, and `file` names
 * them by their key once kept. The schema is shared by every service that stores or reads files,
 * as a bucket would be (docs/adr/0022).
 */
export class PostgresAttachmentStore implements AttachmentStore {
  constructor(private readonly database: SqlClient) {}

  stage(): StagedFile {
    return new DatabaseFile(this.database);
  }

  async open(storageKey: string): Promise<StoredFile | undefined> {
    const [row] = await this.database.query<
      Array<{ upload_id: string; content_type: string; size_bytes: string }>
    >(`SELECT upload_id, content_type, size_bytes FROM attachment.file WHERE storage_key = $1`, [
      storageKey,
    ]);
    if (!row) return undefined;
    return {
      storageKey,
      contentType: row.content_type,
      sizeBytes: Number(row.size_bytes),
      content: () => this.parts(row.upload_id),
    };
  }

  async sweepAbandoned(before: Date): Promise<number> {
    const removed = await this.database.query<Array<{ upload_id: string }>>(
      `WITH abandoned AS (
         SELECT p.upload_id FROM attachment.part p
         WHERE p.part = 0 AND p.written_at < $1
           AND NOT EXISTS (SELECT 1 FROM attachment.file f WHERE f.upload_id = p.upload_id)
       ), parts AS (
         DELETE FROM attachment.part p USING abandoned WHERE p.upload_id = abandoned.upload_id
       )
       SELECT upload_id FROM abandoned`,
      [before],
    );
    return removed.length;
  }

  /** One row at a time: a large file is never whole in memory. */
  private async *parts(uploadId: string): AsyncIterable<Buffer> {
    for (let part = 0; ; part += 1) {
      const [row] = await this.database.query<Array<{ bytes: Buffer }>>(
        `SELECT bytes FROM attachment.part WHERE upload_id = $1 AND part = $2`,
        [uploadId, part],
      );
      if (!row) return;
      yield Buffer.from(row.bytes);
    }
  }
}

class DatabaseFile extends PartedFile {
  private readonly uploadId = randomUUID();

  constructor(private readonly database: SqlClient) {
    super(DATABASE_PART_BYTES);
  }

  protected async writePart(index: number, bytes: Buffer): Promise<void> {
    await this.database.query(
      `INSERT INTO attachment.part (upload_id, part, bytes) VALUES ($1, $2, $3)`,
      [this.uploadId, index, bytes],
    );
  }

  /**
   * Names the parts by the key in one statement: when the same bytes are stored already, that
   * copy stays and this upload's parts go.
   */
  protected async finish(storageKey: string, contentType: string): Promise<void> {
    await this.database.query(
      `WITH kept AS (
         INSERT INTO attachment.file (storage_key, upload_id, content_type, size_bytes)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (storage_key) DO UPDATE SET stored_at = now()
         RETURNING upload_id
       )
       DELETE FROM attachment.part
       WHERE upload_id = $2 AND $2 <> (SELECT upload_id FROM kept)`,
      [storageKey, this.uploadId, contentType, this.sizeBytes],
    );
  }

  protected async removeParts(): Promise<void> {
    await this.database.query(`DELETE FROM attachment.part WHERE upload_id = $1`, [this.uploadId]);
  }
}
