import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '../repository-root';

/** Compiles the services and this support into dist/, once per test file. */
export function buildServices(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repositoryRoot, stdio: 'inherit' });
}

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
