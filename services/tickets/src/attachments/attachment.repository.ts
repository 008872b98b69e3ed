import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** A file as a message names it. */
export interface MessageFile {
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

/** Where the tickets service finds the files of a ticket: its messages and its agents' uploads. */
@Injectable()
export class AttachmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The file named `…/<digest>` by a message of the ticket (sent or received) or uploaded to it by
   * an agent; undefined when the ticket has none, whatever the store holds.
   */
  async fileOfTicket(ticketId: string, digest: string): Promise<MessageFile | undefined> {
    const [row] = await this.dataSource.query<MessageFileRow[]>(
      `SELECT file->>'storageKey' AS storage_key, file->>'fileName' AS file_name,
              file->>'contentType' AS content_type, (file->>'sizeBytes')::bigint AS size_bytes
       FROM tickets.message m, jsonb_array_elements(m.attachments) file
       WHERE m.ticket_id = $1 AND file->>'storageKey' LIKE '%/' || $2::text
       UNION ALL
       SELECT storage_key, file_name, content_type, size_bytes
       FROM tickets.agent_upload WHERE ticket_id = $1 AND storage_key LIKE '%/' || $2::text
       LIMIT 1`,
      [ticketId, digest],
    );
    return row && fileOf(row);
  }

  async recordUpload(ticketId: string, agentId: string, file: MessageFile): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO tickets.agent_upload
         (ticket_id, agent_id, storage_key, file_name, content_type, size_bytes)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (ticket_id, agent_id, storage_key) DO UPDATE
         SET file_name = EXCLUDED.file_name, content_type = EXCLUDED.content_type,
             uploaded_at = now()`,
      [ticketId, agentId, file.storageKey, file.fileName, file.contentType, file.sizeBytes],
    );
  }

  /** The agent's uploads to the ticket among `storageKeys`, in their order. */
  async uploadsOf(
    manager: EntityManager,
    ticketId: string,
    agentId: string,
    storageKeys: readonly string[],
  ): Promise<MessageFile[]> {
    const rows = await manager.query<MessageFileRow[]>(
      `SELECT storage_key, file_name, content_type, size_bytes FROM tickets.agent_upload
       WHERE ticket_id = $1 AND agent_id = $2 AND storage_key = ANY($3)`,
      [ticketId, agentId, storageKeys],
    );
    const byKey = new Map(rows.map((row) => [row.storage_key, fileOf(row)]));
    return storageKeys.flatMap((key) => byKey.get(key) ?? []);
  }
}

interface MessageFileRow {
  storage_key: string;
  file_name: string;
  content_type: string;
  size_bytes: string | number;
}

function fileOf(row: MessageFileRow): MessageFile {
  return {
    storageKey: row.storage_key,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
  };
}
