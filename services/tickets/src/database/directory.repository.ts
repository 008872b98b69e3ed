import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { DirectoryRecordSchema, type MessageShape } from '@firstline/contracts';

export type DirectoryRecord = MessageShape<typeof DirectoryRecordSchema>;
export type Role = 'agent' | 'supervisor' | 'admin';

export const ROLES: readonly Role[] = ['agent', 'supervisor', 'admin'];

export interface AgentAccount {
  agentId: string;
  email: string;
  role: Role;
  passwordHash: string;
  /** Set once an admin deactivated the account: it can no longer sign in. */
  deactivatedAt: Date | null;
  /**
   * Goes up whenever the password changes or the account is deactivated; a token carries the
   * version it was issued at and is refused once it differs.
   */
  tokenVersion: number;
}

/** Who changed a directory entry, and for a published rule set the preview it was published with. */
export interface DirectoryChange {
  by?: string;
  rulePreview?: JsonValue;
}

export interface DirectoryHistoryEntry {
  version: number;
  /** The DirectoryRecord as protobuf JSON. */
  record: JsonValue;
  changedBy: string;
  changedAt: Date;
  rulePreview: JsonValue | null;
}

/** What creating an account takes: a new account is active, at token version 0. */
export type NewAccount = Omit<AgentAccount, 'deactivatedAt' | 'tokenVersion'>;

interface AccountRow {
  agent_id: string;
  email: string;
  role: Role;
  password_hash: string;
  deactivated_at: Date | null;
  token_version: number;
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

  /** Keeps this version in the directory's history, with who made it and what came with it. */
  async recordHistory(
    manager: EntityManager,
    kind: string,
    record: DirectoryRecord,
    change: DirectoryChange,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO tickets.directory_history (kind, id, version, record, changed_by, rule_preview)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        kind,
        record.id,
        record.version,
        JSON.stringify(toJson(DirectoryRecordSchema, record)),
        change.by ?? '',
        change.rulePreview === undefined ? null : JSON.stringify(change.rulePreview),
      ],
    );
  }

  /** An entry's versions, newest first. */
  async history(kind: string, id: string, limit: number): Promise<DirectoryHistoryEntry[]> {
    const rows = await this.dataSource.query<
      Array<{
        version: number;
        record: JsonValue;
        changed_by: string;
        changed_at: Date;
        rule_preview: JsonValue | null;
      }>
    >(
      `SELECT version, record, changed_by, changed_at, rule_preview FROM tickets.directory_history
       WHERE kind = $1 AND id = $2 ORDER BY version DESC LIMIT $3`,
      [kind, id, limit],
    );
    return rows.map((row) => ({
      version: row.version,
      record: row.record,
      changedBy: row.changed_by,
      changedAt: row.changed_at,
      rulePreview: row.rule_preview,
    }));
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

  /** Creates or overwrites an account; a new password ends the tokens issued with the old one. */
  async saveAccount(manager: EntityManager, account: NewAccount): Promise<void> {
    await manager.query(
      `INSERT INTO tickets.agent_account AS account (agent_id, email, role, password_hash)
       VALUES ($1, lower($2), $3, $4)
       ON CONFLICT (agent_id) DO UPDATE
         SET email = EXCLUDED.email, role = EXCLUDED.role, password_hash = EXCLUDED.password_hash,
           token_version = account.token_version
             + (account.password_hash IS DISTINCT FROM EXCLUDED.password_hash)::int`,
      [account.agentId, account.email, account.role, account.passwordHash],
    );
  }

  /** Creates an account; false when its id or its email is taken. */
  async createAccount(manager: EntityManager, account: NewAccount): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO tickets.agent_account (agent_id, email, role, password_hash)
       VALUES ($1, lower($2), $3, $4)
       ON CONFLICT DO NOTHING RETURNING agent_id`,
      [account.agentId, account.email, account.role, account.passwordHash],
    );
    return rows.length === 1;
  }

  /**
   * Changes the given fields of an account. A new password or a deactivation moves the token
   * version on, so every token issued before stops working; a role change does not (the role is
   * read on every request).
   */
  async updateAccount(
    manager: EntityManager,
    agentId: string,
    change: Partial<Pick<AgentAccount, 'role' | 'passwordHash' | 'deactivatedAt'>>,
  ): Promise<void> {
    await manager.query(
      `UPDATE tickets.agent_account SET role = COALESCE($2, role),
         password_hash = COALESCE($3, password_hash),
         deactivated_at = COALESCE($4, deactivated_at),
         token_version = token_version + ($3::text IS NOT NULL OR $4::timestamptz IS NOT NULL)::int
       WHERE agent_id = $1`,
      [agentId, change.role ?? null, change.passwordHash ?? null, change.deactivatedAt ?? null],
    );
  }

  async listAccounts(): Promise<AgentAccount[]> {
    const rows = await this.dataSource.query<AccountRow[]>(
      `SELECT agent_id, email, role, password_hash, deactivated_at, token_version FROM tickets.agent_account
       ORDER BY agent_id`,
    );
    return rows.map(toAccount);
  }

  async accountByEmail(email: string): Promise<AgentAccount | undefined> {
    return this.account('lower($1)', 'email', email);
  }

  async accountById(
    agentId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AgentAccount | undefined> {
    return this.account('$1', 'agent_id', agentId, manager);
  }

  /**
   * An account with its agent's directory entry of `kind` (undefined when there is none), read in
   * one statement: every signed-in request needs both.
   */
  async accountWithEntry(
    by: { agentId: string } | { email: string },
    kind: string,
  ): Promise<{ account: AgentAccount; entry: DirectoryRecord | undefined } | undefined> {
    const [column, value, parameter] =
      'email' in by ? ['email', 'lower($1)', by.email] : ['agent_id', '$1', by.agentId];
    const rows = await this.dataSource.query<Array<AccountRow & { entry: JsonValue | null }>>(
      `SELECT account.agent_id, account.email, account.role, account.password_hash,
         account.deactivated_at, account.token_version, entry.record AS entry
       FROM tickets.agent_account account
       LEFT JOIN tickets.directory_entry entry ON entry.kind = $2 AND entry.id = account.agent_id
       WHERE account.${column} = ${value}`,
      [parameter, kind],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      account: toAccount(row),
      entry: row.entry === null ? undefined : fromJson(DirectoryRecordSchema, row.entry),
    };
  }

  private async account(
    value: string,
    column: string,
    parameter: string,
    manager: EntityManager = this.dataSource.manager,
  ) {
    const rows = await manager.query<AccountRow[]>(
      `SELECT agent_id, email, role, password_hash, deactivated_at, token_version FROM tickets.agent_account
       WHERE ${column} = ${value}`,
      [parameter],
    );
    return rows[0] && toAccount(rows[0]);
  }
}

function toAccount(row: AccountRow): AgentAccount {
  return {
    agentId: row.agent_id,
    email: row.email,
    role: row.role,
    passwordHash: row.password_hash,
    deactivatedAt: row.deactivated_at,
    tokenVersion: row.token_version,
  };
}
