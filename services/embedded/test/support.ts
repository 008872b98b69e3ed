import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '../../..');
export const main = join(root, 'dist/services/embedded/src/main.js');

export interface Started {
  child: ChildProcess;
  /** Each service's URL, by name, from the banner. */
  urls: Record<string, string>;
  databaseUrl: string;
  /** Everything printed up to and including the banner. */
  output: string;
}

/** `npm start` as a user runs it, minus the build: the compiled embedded entry point, on free ports. */
export function startFirstline(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: '',
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // A process that never got going would outlive the test and load the machine for the next.
      child.kill('SIGKILL');
      reject(new Error(`no banner within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const database = output.match(/^ {2}database\s+(\S+)$/m);
      // The banner ends with its sign-ins and an empty line.
      if (!database || !/^Agents' console: .*\n(.+\n)+\n/m.test(output)) return;
      clearTimeout(timer);
      const urls = Object.fromEntries(
        [...output.matchAll(/^ {2}([\w-]+)\s+(http:\/\/\S+)/gm)].map((m) => [m[1], m[2]]),
      );
      resolvePromise({ child, urls, databaseUrl: database[1], output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) =>
      reject(new Error(`exited with ${code} before its banner:\n${output}`)),
    );
  });
}

export function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
    child.once('exit', (code) => done(code));
    child.kill(signal);
  });
}
