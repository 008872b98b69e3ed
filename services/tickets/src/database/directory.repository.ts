import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { DirectoryRecordSchema, type MessageShape } from '@firstline/contracts';

export type DirectoryRecord = MessageShape<typeof DirectoryRecordSchema>;
export type Role = 'agent' | 'supervisor' | 'admin';

export interface AgentAccount {
  agentId: string;
  email: string;
  role: Role;
  passwordHash: string;
}

/** SQL of the directory entries and the agents' sign-in accounts. */
@Injectable()
export class DirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async isEmpty(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM tickets.directory_entry LIMIT 1',
    );
    return rows.length === 0;
  }

  /** The entry's current version, locked until the transaction ends; 0 when there is none. */
  async lockVersion(manager: EntityManager, kind: string, id: string): Promise<number> {
    const rows = await manager.query<Array<{ version: number }>>(
      'SELECT version FROM tickets.directory_entry WHERE kind = $1 AND id = $2 FOR UPDATE',
      [kind, id],
    );
    return rows[0]?.version ?? 0;
  }

  async save(manager: EntityManager, kind: string, record: DirectoryRecord): Promise<void> {
    await manager.query(
      `INSERT INTO tickets.directory_entry (kind, id, version, record, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (kind, id) DO UPDATE
         SET version = EXCLUDED.version, record = EXCLUDED.record, updated_at = now()`,
      [kind, record.id, record.version, JSON.stringify(toJson(DirectoryRecordSchema, record))],
    );
  }

  async list(kind: string, manager: EntityManager = this.dataSource.manager) {
    const rows = await manager.query<Array<{ record: JsonValue }>>(
      'SELECT record FROM tickets.directory_entry WHERE kind = $1 ORDER BY id',
      [kind],
    );
    return rows.map((row) => fromJson(DirectoryRecordSchema, row.record));
  }

  async find(kind: string, id: string, manager: EntityManager = this.dataSource.manager) {
    const rows = await manager.query<Array<{ record: JsonValue }>>(
      'SELECT record FROM tickets.directory_entry WHERE kind = $1 AND id = $2',
      [kind, id],
    );
    return rows[0] && fromJson(DirectoryRecordSchema, rows[0].record);
  }

  async saveAccount(manager: EntityManager, account: AgentAccount): Promise<void> {
    await manager.query(
      `INSERT INTO tickets.agent_account (agent_id, email, role, password_hash)
       VALUES ($1, lower($2), $3, $4)
       ON CONFLICT (agent_id) DO UPDATE
         SET email = EXCLUDED.email, role = EXCLUDED.role, password_hash = EXCLUDED.password_hash`,
      [account.agentId, account.email, account.role, account.passwordHash],
    );
  }

  async accountByEmail(email: string): Promise<AgentAccount | undefined> {
    return this.account('lower($1)', 'email', email);
  }

  async accountById(agentId: string): Promise<AgentAccount | undefined> {
    return this.account('$1', 'agent_id', agentId);
  }

  private async account(value: string, column: string, parameter: string) {
    const rows = await this.dataSource.query<
      Array<{ agent_id: string; email: string; role: Role; password_hash: string }>
    >(
      `SELECT agent_id, email, role, password_hash FROM tickets.agent_account
       WHERE ${column} = ${value}`,
      [parameter],
    );
    const row = rows[0];
    return (
      row && {
        agentId: row.agent_id,
        email: row.email,
        role: row.role,
        passwordHash: row.password_hash,
      }
    );
  }
}
