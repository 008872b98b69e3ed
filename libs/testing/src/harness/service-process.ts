import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repositoryRoot } from './infrastructure';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** Every service process alive, ended with the harness however it ends (a crash included). */
const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export interface ResourceSample {
  /** CPU seconds used so far (user + system), over every incarnation of the service. */
  cpuSeconds: number;
  rssBytes: number;
}

/**
 * One built service (`node dist/services/<service>/src/main.js`) in a process of its own, as in
 * production, supervised as Kubernetes would: whenever it exits, for whatever reason, it starts
 * again after a short pause, until `stop()`.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private stopping = false;
  private cpuOfEarlierIncarnations = 0;
  private lastCpu = 0;
  /** Times the process ended without being asked to (kills included). */
  restarts = 0;

  constructor(
    /** Unique in the run, e.g. `router-2`. */
    readonly name: string,
    readonly service: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDirectory: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const log = openSync(join(this.logDirectory, `${this.name}.log`), 'a');
    const child = spawn(
      process.execPath,
      [...nodeArguments(), join(repositoryRoot, 'dist/services', this.service, 'src/main.js')],
      {
        env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    this.child = child;
    this.lastCpu = 0;
    alive.add(child);
    child.once('exit', () => {
      alive.delete(child);
      this.cpuOfEarlierIncarnations += this.lastCpu;
      if (this.stopping) return;
      this.restarts += 1;
      setTimeout(() => {
        if (!this.stopping) this.start();
      }, 500);
    });
  }

  /** Resolves once `GET /health` answers 200. */
  async ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const healthy = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) return;
      await sleep(250);
    }
    throw new Error(
      `${this.name} did not become healthy within ${timeoutMs} ms; see its log in ${this.logDirectory}`,
    );
  }

  /** `kill -9`: no shutdown hooks, no flushing; the supervisor starts it again. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** CPU seconds so far and the current resident set, from /proc. */
  sample(): ResourceSample {
    const pid = this.child?.pid;
    if (!pid) return { cpuSeconds: this.cpuOfEarlierIncarnations, rssBytes: 0 };
    try {
      // The fields after the command (which may hold spaces) start after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      this.lastCpu = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      const rssPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
      return {
        cpuSeconds: this.cpuOfEarlierIncarnations + this.lastCpu,
        rssBytes: rssPages * PAGE_BYTES,
      };
    } catch {
      return { cpuSeconds: this.cpuOfEarlierIncarnations + this.lastCpu, rssBytes: 0 };
    }
  }
}

/**
 * Node's own options for every service process, from PIPELINE_NODE_ARGS, e.g.
 * `--cpu-prof --cpu-prof-dir=tmp/profiles` (not allowed in NODE_OPTIONS) to see where each
 * service spends its time.
 */
function nodeArguments(): string[] {
  return (process.env.PIPELINE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}
