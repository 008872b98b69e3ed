import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { KafkaBus, silentLogger, type DeliveredMessage } from '@firstline/bus';
import { decode, TOPICS, type InboundMessage } from '@firstline/contracts';
import { uniqueName } from '../kafka';
import { sealedToRun, startGroupsAtTopicEnd } from '../pipeline';
import { repositoryRoot } from '../repository-root';

/**
 * One replica of a built service in a process of its own (see replica-main.ts), sealed to `run`:
 * what `kill -9` and a rolling restart do to production replicas can be done to it.
 */
export class Replica {
  readonly child: ChildProcess;
  /** The process's JSON log lines so far. */
  readonly lines: Array<{ msg?: string; url?: string; [field: string]: unknown }> = [];
  readonly exited: Promise<void>;
  private output = '';

  constructor(
    /** Its FIRSTLINE_REPLICA_ID. */
    readonly id: string,
    directory: string,
    run: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(
      process.execPath,
      [join(repositoryRoot, 'dist/libs/testing/src/replicas/replica-main.js'), directory],
      {
        cwd: repositoryRoot,
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          FIRSTLINE_TEST_RUN: run,
          FIRSTLINE_REPLICA_ID: id,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    const read = (chunk: Buffer) => {
      this.output += chunk.toString();
      const complete = this.output.split('\n');
      this.output = complete.pop()!;
      for (const line of complete) {
        if (!line.startsWith('{')) continue;
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          // not one of ours
        }
      }
    };
    this.child.stdout!.on('data', read);
    this.child.stderr!.on('data', read);
  }

  /** Its URL, once it listens. */
  async listening(timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((entry) => entry.msg?.endsWith('is listening'));
      if (line?.url) return line.url;
      if (this.child.exitCode !== null) throw new Error(`replica ${this.id} exited at start`);
      if (Date.now() > deadline) throw new Error(`replica ${this.id} not listening in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** `kill -9`: no shutdown hook runs, no lease is released. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, as a rolling update stops a pod. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Who holds each live lease in `schema` now, by replica id (the holder's name before its suffix). */
export async function leaseHolders(pool: Pool, schema: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ resource: string; holder: string }>(
    `SELECT resource, holder FROM "${schema}".lease WHERE holder IS NOT NULL AND expires_at > now()`,
  );
  return new Map(rows.map((row) => [row.resource, row.holder.split('/')[0]]));
}

/**
 * Hands over every InboundMessage the replicas of `service` sealed to `run` publish from now on,
 * repeats included. Their own consumer group starts at the topics' end too. Stop it when done.
 */
export async function observeInbound(
  brokers: string[],
  run: string,
  service: string,
  onMessage: (message: InboundMessage) => void,
): Promise<KafkaBus> {
  const group = uniqueName(`${service}-observer`);
  await startGroupsAtTopicEnd(brokers, [group, `${service}-${run}`]);
  const observer = new KafkaBus({ brokers, clientId: group, logger: silentLogger });
  await sealedToRun(observer, run).subscribe({
    group,
    topics: [TOPICS.inbound.name],
    handler: async (records: DeliveredMessage[]) => {
      for (const record of records) onMessage(decode(TOPICS.inbound.schema, record.value));
    },
  });
  await observer.start();
  return observer;
}
