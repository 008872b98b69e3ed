import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { buildDist, createTestDatabase, ensureKafka, type TestDatabase } from '@firstline/testing';
import { SERVICES } from '../src/embedded';

const root = resolve(__dirname, '../../..');

/** A channel adapter needs its accounts; these point at a closed local port, so nothing leaves the machine. */
const nowhere = 'http://127.0.0.1:9';
const channelAccounts: Record<string, Record<string, string>> = {
  'channel-telegram': {
    TELEGRAM_BOTS: JSON.stringify([
      { name: 'support', token: '123:ABC', mode: 'webhook', secret: 'wH7kQ2pLx9vR4tZb' },
    ]),
    TELEGRAM_API_ROOT: nowhere,
  },
  'channel-vk': {
    VK_COMMUNITIES: JSON.stringify([
      {
        groupId: 1,
        token: 'vk1.token',
        mode: 'callback',
        confirmationCode: 'c0ffee',
        secret: 'wH7kQ2pLx9vR4tZb',
      },
    ]),
    VK_API_URL: nowhere,
  },
  'channel-chat': { CHAT_TOKEN_SECRET: 'a-chat-token-secret-of-32-characters' },
  'channel-ok': {
    OK_GROUPS: JSON.stringify([{ token: 'tkn1.token', secret: 'wH7kQ2pLx9vR4tZb' }]),
    OK_API_URL: nowhere,
    OK_PUBLIC_URL: 'https://support.example',
  },
};

/** How production runs a service: its own process, on Kafka and Postgres, configured by environment. */
describe('every service started alone', () => {
  let database: TestDatabase;
  let brokers: string[];

  beforeAll(async () => {
    buildDist();
    [database, brokers] = await Promise.all([createTestDatabase(), ensureKafka()]);
  }, 180_000);
  afterAll(() => database?.drop());

  it.each(SERVICES.map((service) => service.name))(
    '%s boots, answers /health and stops cleanly',
    async (name) => {
      const child = spawn(process.execPath, [join(root, `dist/services/${name}/src/main.js`)], {
        cwd: root,
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers.join(','),
          DATABASE_URL: database.url,
          PORT: '0',
          LOG_LEVEL: 'info',
          ...channelAccounts[name],
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', done));
      const url = await new Promise<string>((done, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`${name} did not listen within 60 s:\n${output}`)),
          60_000,
        );
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const listening = output.match(/"url":"(http:[^"]+)".*is listening/);
          if (listening) {
            clearTimeout(timer);
            done(listening[1]);
          }
        });
        void exited.then((code) => fail(new Error(`${name} exited with ${code}:\n${output}`)));
      });

      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
      child.kill('SIGTERM');
      // The output names whatever made a stop unclean.
      expect({ code: await exited, output }).toMatchObject({ code: 0 });
    },
    90_000,
  );
});
