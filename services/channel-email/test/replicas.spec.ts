import type { KafkaBus } from '@firstline/bus';
import {
  buildDist,
  createTestDatabase,
  ensureKafka,
  ensureMailServer,
  Replica,
  leaseHolders,
  observeInbound,
  uniqueName,
  settled,
  waitFor,
  type MailServer,
  type TestDatabase,
} from '@firstline/testing';
import { createTransport } from 'nodemailer';
import type { Pool } from 'pg';

const run = uniqueName('scale').replace('.', '-');
const MAILBOXES = 10;
const MAILS_PER_MAILBOX = 100;
const BATCH_SIZE = 10;
const support = (box: number) => `box${box}-${run}@firstline.test`;
const messageId = (box: number, n: number) => `<m${n}-b${box}-${run}@customer.example>`;

describe('three email replicas sharing ten mailboxes', () => {
  let database: TestDatabase;
  let brokers: string[];
  let mail: MailServer;
  let observer: KafkaBus;
  let pool: Pool;
  const replicas: Replica[] = [];
  /** Message ids of the InboundMessages published, in order, repeats included. */
  const published: string[] = [];

  beforeAll(async () => {
    buildDist();
    [database, brokers, mail] = await Promise.all([
      createTestDatabase(),
      ensureKafka(),
      ensureMailServer(),
    ]);
    pool = database.pool();
    observer = await observeInbound(brokers, run, 'channel-email', (message) =>
      published.push(message.messageId),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await observer?.stop();
    await database?.drop();
  });

  it('publishes every mail exactly once; a replica killed with -9 has its mailboxes resumed by the others within 30 s, with no loss and no duplicate', async () => {
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      EMAIL_MAILBOXES: Array.from(
        { length: MAILBOXES },
        (_, box) =>
          `imap://${encodeURIComponent(support(box))}:any@${mail.host}:${mail.imapPort}/INBOX`,
      ).join(','),
      EMAIL_POLL_INTERVAL_MS: '300',
      EMAIL_BATCH_SIZE: String(BATCH_SIZE),
    };
    replicas.push(
      ...['email-1', 'email-2', 'email-3'].map((id) => new Replica(id, 'channel-email', run, env)),
    );
    await Promise.all(replicas.map((replica) => replica.listening()));
    // Every mailbox leased, and the work spread: each replica reads some.
    await waitFor(
      async () => {
        const held = await leaseHolders(pool, 'channel_email');
        return held.size === MAILBOXES && new Set(held.values()).size === 3;
      },
      30_000,
      'ten mailboxes leased to three replicas',
    );

    // The customers write while the replicas read: a round of mails across every mailbox at a time.
    const smtp = createTransport({
      host: mail.host,
      port: mail.smtpPort,
      secure: false,
      pool: true,
      maxConnections: 8,
    });
    const delivering = (async () => {
      const MAILS_PER_ROUND = 5;
      for (let first = 0; first < MAILS_PER_MAILBOX; first += MAILS_PER_ROUND) {
        await Promise.all(
          Array.from({ length: MAILBOXES * MAILS_PER_ROUND }, (_, i) => {
            const box = i % MAILBOXES;
            const n = first + Math.floor(i / MAILBOXES);
            return smtp.sendMail({
              from: `Customer ${n} <c${n}-${run}@customer.example>`,
              to: support(box),
              subject: `Order ${n} for box ${box}`,
              text: `Where is order ${n}?\n`,
              messageId: messageId(box, n),
            });
          }),
        );
      }
    })();

    await waitFor(() => published.length >= 300, 60_000, '300 mails published');
    const [victim] = replicas;
    const orphaned = [...(await leaseHolders(pool, 'channel_email'))]
      .filter(([, holder]) => holder === victim.id)
      .map(([mailbox]) => mailbox);
    await victim.kill();
    const killedAt = Date.now();
    const beforeKill = published.length;
    expect(orphaned.length).toBeGreaterThan(0);
    expect(beforeKill).toBeLessThan(MAILBOXES * MAILS_PER_MAILBOX); // the kill comes mid-run
    // Before the kill nothing was published twice.
    expect(new Set(published.slice(0, beforeKill)).size).toBe(beforeKill);

    await waitFor(
      async () => {
        const held = await leaseHolders(pool, 'channel_email');
        return orphaned.every((mailbox) => held.has(mailbox) && held.get(mailbox) !== victim.id);
      },
      30_000,
      "the killed replica's mailboxes taken over",
    );
    const resumedAfterMs = Date.now() - killedAt;
    expect(resumedAfterMs).toBeLessThan(30_000);

    await delivering;
    smtp.close();
    // Message ids as published name the mail's Message-ID; ours are told by the run in them.
    const mailOf = (id: string) => {
      const [, n, box] = new RegExp(`m(\\d+)-b(\\d+)-${run}@customer\\.example`).exec(id) ?? [];
      return box === undefined ? `not ours: ${id}` : `box ${box} mail ${n}`;
    };
    const expected = MAILBOXES * MAILS_PER_MAILBOX;
    await waitFor(() => new Set(published).size >= expected, 60_000, 'every mail published');
    // No loss: every mail is there, and nothing else.
    const seen = new Set(published.map(mailOf));
    expect(seen.size).toBe(expected);
    expect([...seen].filter((mail) => mail.startsWith('not ours'))).toEqual([]);
    // No duplicate either: the killed replica's batch in flight was never committed, and its
    // successor resumed from the checkpoint committed with the last batch that was.
    await settled(() => published.length);
    const copies = new Map<string, number>();
    for (const id of published) copies.set(id, (copies.get(id) ?? 0) + 1);
    expect([...copies].filter(([, count]) => count !== 1).map(([id]) => mailOf(id))).toEqual([]);
    expect(published).toHaveLength(expected);
  }, 180_000);
});
