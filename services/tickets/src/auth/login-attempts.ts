import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SIGN_IN_POLICY, signInWaitMs } from '@firstline/ticketing';

/** A sign-in attempt, recorded before its password is checked. */
export interface LoginAttempt {
  id: string;
  account: string;
  address: string;
  /** 0 when the password may be checked; otherwise the attempt was refused and taken back. */
  retryAfterSeconds: number;
}

/**
 * Sign-in attempts per account (the lower-cased email, whether an account has it or not) and
 * client address, kept in the tickets schema so every replica counts the same ones; the policy is
 * `signInWaitMs`. An attempt is recorded before the others are read (and before its password is
 * checked): concurrent guesses on several replicas see each other. A refused attempt is taken
 * back, so retrying during a wait does not prolong it; a failed one stays as the failure; a
 * success takes back its own and forgives the account's failures from its address.
 */
@Injectable()
export class LoginAttempts {
  constructor(private readonly dataSource: DataSource) {}

  async begin(email: string, address: string, now = new Date()): Promise<LoginAttempt> {
    const account = email.toLowerCase();
    const since = new Date(now.getTime() - SIGN_IN_POLICY.windowMs);
    await this.dataSource.query('DELETE FROM tickets.login_attempt WHERE attempted_at <= $1', [
      since,
    ]);
    const [{ id }] = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO tickets.login_attempt (account, address, attempted_at)
       VALUES ($1, $2, $3) RETURNING id::text AS id`,
      [account, address, now],
    );
    const [earlier] = await this.dataSource.query<
      Array<{ pair: Date[]; account: Date[]; address: Date[] }>
    >(
      `SELECT coalesce(array_agg(attempted_at) FILTER (WHERE account = $1 AND address = $2), '{}') AS pair,
              coalesce(array_agg(attempted_at) FILTER (WHERE account = $1), '{}') AS account,
              coalesce(array_agg(attempted_at) FILTER (WHERE address = $2), '{}') AS address
       FROM tickets.login_attempt
       WHERE (account = $1 OR address = $2) AND attempted_at > $3 AND id <> $4`,
      [account, address, since, id],
    );
    const times = (dates: Date[]) => dates.map((at) => new Date(at).getTime());
    const waitMs = signInWaitMs(
      {
        pair: times(earlier.pair),
        account: times(earlier.account),
        address: times(earlier.address),
      },
      now.getTime(),
    );
    if (waitMs > 0) {
      await this.dataSource.query('DELETE FROM tickets.login_attempt WHERE id = $1', [id]);
    }
    return { id, account, address, retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }

  /** The password was right: this attempt does not count, nor do the account's failures from here. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM tickets.login_attempt
       WHERE id = $1 OR (account = $2 AND address = $3)`,
      [attempt.id, attempt.account, attempt.address],
    );
  }
}
