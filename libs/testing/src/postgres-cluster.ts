import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { repositoryRoot } from './repository-root';

const run = promisify(execFile);
const postgresScript = join(repositoryRoot, 'deploy/local/postgres.sh');

/**
 * A PostgreSQL cluster of its own, on a private port, started by deploy/local/postgres.sh from the
 * machine's binaries: a test or the pipeline harness may stop, crash and restart it without
 * disturbing the suites that share the machine's server.
 */
export class PostgresCluster {
  constructor(readonly port: number) {}

  /** A database on this cluster (`postgres`, which always exists, by default). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts from an empty cluster holding one empty `database`. */
  async startFresh(database: string): Promise<void> {
    await this.script('reset');
    await this.start();
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${database}"`);
    } finally {
      await client.end();
    }
  }

  /** Returns once the server accepts connections. */
  start(): Promise<void> {
    return this.script('start');
  }

  /** A fast shutdown, as for a restart: sessions end, data is checkpointed. */
  stop(): Promise<void> {
    return this.script('stop');
  }

  /** An immediate shutdown, as after kill -9: the next start recovers. */
  crash(): Promise<void> {
    return this.script('crash');
  }

  private async script(command: string): Promise<void> {
    await run('bash', [postgresScript, command], {
      env: { ...process.env, POSTGRES_PORT: String(this.port) },
      timeout: 300_000,
    });
  }
}
