import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Attempts allowed per key (account or client address) within the window. */
export const LOGIN_ATTEMPT_LIMIT = 5;
export const LOGIN_WINDOW_MS = 60_000;

/**
 * How long until an attempt may be made, given the times of the other attempts (ascending);
 * 0 when one may be made now: fewer than `limit` of them lie within the window.
 */
export function retryAfterMs(
  earlierAttempts: number[],
  now: number,
  limit = LOGIN_ATTEMPT_LIMIT,
  windowMs = LOGIN_WINDOW_MS,
): number {
  const recent = earlierAttempts.filter((at) => at > now - windowMs);
  if (recent.length < limit) return 0;
  // Allowed again once all but limit - 1 of them have left the window.
  return Math.max(1, recent[recent.length - limit] + windowMs - now);
}

/** An attempt, recorded before the password is checked. */
export interface LoginAttempt {
  ids: string[];
  retryAfterSeconds: number;
}

/**
 * Sign-in attempts per account and per client address in a sliding window, kept in the tickets
 * schema so every replica counts the same attempts. An attempt is recorded before the others are
 * counted (and before its password is checked): concurrent guesses on several replicas see each
 * other, so no more than the limit are ever checked per window. A refused attempt is taken back,
 * so retrying while locked does not prolong the lock; a success takes back its own attempt and
 * clears the account's.
 */
@Injectable()
export class LoginAttempts {
  constructor(private readonly dataSource: DataSource) {}

  async begin(keys: string[], now = new Date()): Promise<LoginAttempt> {
    const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
    await this.dataSource.query('DELETE FROM tickets.login_attempt WHERE attempted_at <= $1', [
      since,
    ]);
    const inserted = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO tickets.login_attempt (key, attempted_at)
       SELECT unnest($1::text[]), $2 RETURNING id::text AS id`,
      [keys, now],
    );
    const ids = inserted.map((row) => row.id);
    const recent = await this.dataSource.query<Array<{ key: string; times: Date[] }>>(
      `SELECT key, array_agg(attempted_at ORDER BY attempted_at) AS times
       FROM tickets.login_attempt
       WHERE key = ANY($1::text[]) AND attempted_at > $2 AND id <> ALL($3::bigint[])
       GROUP BY key`,
      [keys, since, ids],
    );
    const waitMs = Math.max(
      0,
      ...recent.map((row) =>
        retryAfterMs(
          row.times.map((at) => new Date(at).getTime()),
          now.getTime(),
        ),
      ),
    );
    if (waitMs > 0) {
      await this.dataSource.query(
        'DELETE FROM tickets.login_attempt WHERE id = ANY($1::bigint[])',
        [ids],
      );
    }
    return { ids, retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }

  /** The password was right: this attempt does not count, nor do the account's earlier ones. */
  async succeeded(attempt: LoginAttempt, accountKey: string): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM tickets.login_attempt WHERE id = ANY($1::bigint[]) OR key = $2',
      [attempt.ids, accountKey],
    );
  }
}
