import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PostgresCluster } from '../postgres-cluster';
import { repositoryRoot } from '../repository-root';

const run = promisify(execFile);

export { repositoryRoot };

/** Ports of the harness's own broker, database cluster and mail server, apart from the tests'. */
export interface InfrastructurePorts {
  kafka: number;
  postgres: number;
  smtp: number;
  imap: number;
}

export const HARNESS_PORTS: InfrastructurePorts = {
  kafka: 19092,
  postgres: 15432,
  smtp: 13025,
  imap: 13143,
};

/**
 * The broker, the Postgres cluster and GreenMail of one harness run, each started by the
 * project's own script (deploy/local/*.sh) on private ports, so that the run may stop, crash and
 * restart them without disturbing tests on the shared ones. Broker and cluster start empty.
 */
export class Infrastructure {
  private readonly postgres: PostgresCluster;

  constructor(readonly ports: InfrastructurePorts = HARNESS_PORTS) {
    this.postgres = new PostgresCluster(ports.postgres);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.ports.kafka}`];
  }

  get databaseUrl(): string {
    return this.postgres.url('firstline');
  }

  get mail() {
    return { host: '127.0.0.1', smtpPort: this.ports.smtp, imapPort: this.ports.imap };
  }

  async startFresh(): Promise<void> {
    await Promise.all([
      this.kafka('reset').then(() => this.kafka('start')),
      this.postgres.startFresh('firstline'),
      this.greenmail('start'),
    ]);
  }

  /** A clean broker restart: the broker shuts down (leaders move, logs close) and comes back. */
  async restartBroker(): Promise<void> {
    await this.kafka('stop');
    await this.kafka('start');
  }

  /** Postgres as after a crash: an immediate shutdown, then crash recovery on start. */
  async crashAndRestartPostgres(): Promise<void> {
    await this.postgres.crash();
    await this.postgres.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.kafka('stop'), this.postgres.stop()]);
  }

  private kafka(command: string) {
    return script('kafka.sh', command, {
      KAFKA_PORT: String(this.ports.kafka),
    });
  }

  private greenmail(command: string) {
    return script('greenmail.sh', command, {
      GREENMAIL_SMTP_PORT: String(this.ports.smtp),
      GREENMAIL_IMAP_PORT: String(this.ports.imap),
    });
  }
}

async function script(name: string, command: string, env: Record<string, string>) {
  await run('bash', [join(repositoryRoot, 'deploy/local', name), command], {
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
}
