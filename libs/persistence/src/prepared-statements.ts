import { createHash } from 'node:crypto';
import { Client } from 'pg';

/** Runs of one statement on a connection before it is prepared: a one-off is not worth a name. */
const PREPARE_AFTER_RUNS = 3;
/** Names one connection holds at most, so that the server's memory for them stays bounded. */
const MAX_PREPARED = 200;
/** Statements whose runs are counted at most; the count starts over beyond it. */
const MAX_COUNTED = 2_000;

/**
 * A pg client that prepares the statements it runs again and again, once per connection, under
 * a name: Postgres then parses and plans each of them once instead of at every run, which is much
 * of its CPU for the short statements a service sends. Statements without parameters (BEGIN,
 * COMMIT) keep the simple protocol, which plans nothing worth keeping.
 *
 * Not for a server that serves every connection from one session (PGlite): two connections
 * preparing the same name there collide.
 */
export class PreparingClient extends Client {
  private readonly runs = new Map<string, number>();
  private readonly names = new Map<string, string>();
  /** Part of every name; a new one after a schema change made the prepared plans unusable. */
  private generation = 0;

  // pg's overloads, in one signature: only a text with parameters and no callback (TypeORM's call) is prepared.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    const name =
      typeof text === 'string' && Array.isArray(values) && values.length > 0 && !callback
        ? this.nameFor(text)
        : undefined;
    if (!name) return super.query(...(args as Parameters<Client['query']>));
    return super.query({ name, text, values }).catch((error: unknown) => {
      // A migration changed a table under a prepared SELECT * or RETURNING: Postgres refuses the
      // old plan at every run, so this connection prepares its statements again, under new names.
      if (/cached plan must not change result type/.test(String(error))) {
        this.generation += 1;
        this.names.clear();
      }
      throw error;
    });
  }

  private nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known) return known;
    if (this.names.size >= MAX_PREPARED) return undefined;
    const runs = (this.runs.get(text) ?? 0) + 1;
    if (runs < PREPARE_AFTER_RUNS) {
      if (this.runs.size >= MAX_COUNTED) this.runs.clear();
      this.runs.set(text, runs);
      return undefined;
    }
    this.runs.delete(text);
    const digest = createHash('sha1').update(text).digest('hex').slice(0, 20);
    const name = `firstline_${this.generation}_${digest}`;
    this.names.set(text, name);
    return name;
  }
}
