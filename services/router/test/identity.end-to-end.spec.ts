import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import type { Pool } from 'pg';
import { KafkaBus, silentLogger } from '@firstline/bus';
import { channelEmailService } from '@firstline/channel-email';
import { channelTelegramService } from '@firstline/channel-telegram';
import { channelWebformService } from '@firstline/channel-webform';
import { startService, type RunningService, type ServiceDefinition } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  ensureMailServer,
  mailsIn,
  Pipeline,
  sealedToRun,
  startGroupsAtTopicEnd,
  uniqueName,
  waitFor,
  FakeBotApi,
  type AgentApi,
  type MailServer,
  type TestDatabase,
  emailChannelSettings,
} from '@firstline/testing';
import { ticketsService } from '@firstline/tickets';
import { routerService } from '../src';

interface Customer {
  id: string;
  verified: boolean;
  mergedInto: string | null;
  identities: Array<{ kind: number; value: string; verified: boolean }>;
}

interface TicketView {
  ticket: { id: string; customerId: string; channel: string; subject: string };
  customer: Customer | null;
  messages: Array<{ text: string }>;
  history: Array<{ id: string; messages: Array<{ text: string }> }>;
}

const ADAPTER_VARIABLES = [
  'EMAIL_MAILBOXES',
  'EMAIL_SMTP_URL',
  'EMAIL_FROM',
  'EMAIL_MESSAGE_ID_DOMAIN',
  'EMAIL_POLL_INTERVAL_MS',
  'TELEGRAM_BOTS',
  'TELEGRAM_API_ROOT',
  'TELEGRAM_POLL_TIMEOUT_SECONDS',
];

const tag = uniqueName('id').replace(/\W/g, '').slice(-10);
const victim = `vera-${tag}@example.com`;
/** The victim's address as the attacker types it: the same mailbox in other letters. */
const victimTyped = `VERA-${tag}@Example.COM`;
const secret = `parcel to 12 Elm Street, order ${tag}-4471`;
const bot = { name: `id-${tag}`, token: '2002:IDENTITY', mode: 'polling' };
const attackerChat = 710_000_000 + Math.floor(Math.random() * 10_000_000);
const bystanderChat = attackerChat + 1;

/**
 * Issue 15's identity takeover, across every service on the real broker, Postgres and mail
 * server: a victim has history by email; an attacker types the victim's address into the web
 * form and brings the status token to Telegram. The attacker gets a provisional customer of
 * their own and sees nothing of the victim's; only the mailbox's owner, acting on the link mailed
 * there, makes the typed address theirs.
 */
describe('an address typed by someone else', () => {
  const fake = new FakeBotApi();
  let pipeline: Pipeline;
  let mail: MailServer;
  let adapterDatabases: TestDatabase[] = [];
  const adapters: RunningService[] = [];
  let webformDb: Pool;
  let routerDb: Pool;
  let supervisor: AgentApi;
  let support: string;

  beforeAll(async () => {
    let brokers: string[];
    await fake.start();
    [pipeline, mail, brokers, adapterDatabases] = await Promise.all([
      Pipeline.start({
        router: routerService,
        tickets: ticketsService,
        channel: channelWebformService,
        channelSettings: (url) => ({ WEBFORM_PUBLIC_URL: url }),
      }),
      ensureMailServer(),
      ensureKafka(),
      Promise.all([createTestDatabase(), createTestDatabase()]),
    ]);
    webformDb = pipeline.databases.channel.pool(1);
    routerDb = pipeline.databases.router.pool(1);
    supervisor = await pipeline.login('supervisor@firstline.example');
    support = `support-${pipeline.run}@firstline.test`;
    Object.assign(process.env, {
      ...emailChannelSettings(mail, support),
      TELEGRAM_BOTS: JSON.stringify([bot]),
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
    });
    // The email and Telegram adapters run beside the pipeline, sealed to the same run.
    const startBeside = async (service: ServiceDefinition, database: TestDatabase) => {
      const name = `${service.name}-${pipeline.run}`;
      await startGroupsAtTopicEnd(brokers, [name]);
      adapters.push(
        await startService(
          { ...service, name },
          {
            bus: sealedToRun(
              new KafkaBus({ brokers, clientId: name, logger: silentLogger }),
              pipeline.run,
            ),
            ownsBus: true,
            databaseUrl: database.url,
            databasePoolSize: 2,
            host: '127.0.0.1',
            logLevel: 'silent',
            partitions: 6,
            replicationFactor: 1,
          },
          0,
        ),
      );
    };
    await startBeside(channelEmailService, adapterDatabases[0]);
    await startBeside(channelTelegramService, adapterDatabases[1]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(adapters.map((adapter) => adapter.stop()));
    await pipeline?.stop();
    await Promise.all(adapterDatabases.map((database) => database.drop()));
    await fake.stop();
    for (const variable of ADAPTER_VARIABLES) delete process.env[variable];
  });

  const ticket = (id: string) => supervisor.ok<TicketView>('GET', `/tickets/${id}`);
  const customer = (id: string) => supervisor.ok<Customer>('GET', `/customers/${id}`);

  /** The ticket whose first message contains `text`, once the tickets service has it. */
  const ticketWith = (channel: string, text: string) =>
    waitFor(
      async () => {
        const queue = await supervisor.ok<{ tickets: Array<{ id: string }> }>(
          'GET',
          `/queue?view=all&channel=${channel}`,
        );
        for (const { id } of queue.tickets) {
          const view = await ticket(id);
          if (view.messages.some((message) => message.text.includes(text))) return view;
        }
        return undefined;
      },
      60_000,
      `the ${channel} ticket saying "${text}"`,
    );

  const submit = async (email: string, message: string) => {
    const response = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ name: 'Vera', email, topic: 'question', message }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { statusToken: string }).statusToken;
  };

  /** The "this is me" link of the copy of a conversation's messages mailed to the victim. */
  const verificationLinkFor = (statusToken: string) =>
    waitFor(
      async () => {
        for (const source of await mailsIn(mail, victim)) {
          const text = (await simpleParser(source)).text ?? '';
          if (!text.includes(`/webform/s/${statusToken}`)) continue;
          const link = /(http\S+\/webform\/v\/[\w-]+)/.exec(text)?.[1];
          if (link) return link;
        }
        return undefined;
      },
      60_000,
      'the copy with the "this is me" link in the victim’s inbox',
    );

  let victimId: string;
  let attackerId: string;
  let attackerToken: string;

  it('the victim writes by email and has history', async () => {
    const smtp = createTransport({ host: mail.host, port: mail.smtpPort, secure: false });
    await smtp.sendMail({
      from: `Vera <${victim}>`,
      to: support,
      subject: `Where is my parcel? ${tag}`,
      text: `My ${secret} has not arrived.`,
    });
    const view = await ticketWith('email', secret);
    victimId = view.ticket.customerId;
    expect(view.customer).toMatchObject({ id: victimId, verified: true });
  }, 90_000);

  it('puts a web-form submission typed with the victim’s address on a provisional customer, marked unverified', async () => {
    attackerToken = await submit(victimTyped, `Please remind me of my last order ${tag}-attack`);
    const view = await ticketWith('webform', `${tag}-attack`);
    attackerId = view.ticket.customerId;

    expect(attackerId).not.toBe(victimId);
    expect(view.customer).toMatchObject({
      verified: false,
      identities: [expect.objectContaining({ value: victim, verified: false })],
    });
    // The agent working it sees none of the victim's history.
    expect(view.history).toEqual([]);
    expect(JSON.stringify(view)).not.toContain(secret);
    expect((await customer(victimId)).identities.map(({ value }) => value)).toEqual([victim]);
  }, 90_000);

  it('shows the attacker nothing of the victim’s history on the status page', async () => {
    const status = await waitFor(async () => {
      const response = await fetch(`${pipeline.channel.url}/webform/status/${attackerToken}`);
      const view = (await response.json()) as { ticketNumber?: string; messages: unknown[] };
      return view.ticketNumber && view;
    }, 30_000);
    expect(JSON.stringify(status)).toContain(`${tag}-attack`);
    expect(JSON.stringify(status)).not.toContain(secret);
  }, 60_000);

  it('does not move the attacker’s Telegram identity onto the victim with the status token', async () => {
    fake.customerWrites(bot.token, attackerChat, { text: `/start ${attackerToken}` });
    fake.customerWrites(bot.token, attackerChat, { text: `What did I order? ${tag}-chat` });
    const chat = await ticketWith('telegram', `${tag}-chat`);

    // The token was the attacker's own provisional customer's: that is where the chat went.
    expect(chat.ticket.customerId).toBe(attackerId);
    expect(chat.customer?.identities).toContainEqual(
      expect.objectContaining({ value: String(attackerChat), verified: true }),
    );
    expect(JSON.stringify(chat)).not.toContain(secret);
    const victimNow = await customer(victimId);
    expect(victimNow.identities.map(({ value }) => value)).not.toContain(String(attackerChat));

    // Used once: the same token from another account moves nobody.
    fake.customerWrites(bot.token, bystanderChat, { text: `/start ${attackerToken}` });
    fake.customerWrites(bot.token, bystanderChat, { text: `Hello ${tag}-bystander` });
    const bystander = await ticketWith('telegram', `${tag}-bystander`);
    expect(bystander.ticket.customerId).not.toBe(attackerId);
    expect(bystander.customer?.identities).toEqual([
      expect.objectContaining({ value: String(bystanderChat) }),
    ]);
  }, 120_000);

  it('lets an expired "this is me" link prove nothing', async () => {
    // The attacker's request was copied to the victim's mailbox, with a link the attacker never sees.
    const link = await verificationLinkFor(attackerToken);
    await webformDb.query(
      `UPDATE channel_webform.verification SET expires_at = now() - interval '1 second'
        WHERE token = $1`,
      [link.split('/').pop()],
    );
    const answer = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ confirm: '1' }),
    });
    expect(answer.status).toBe(410);
    expect(await answer.text()).toContain('expired');
    expect((await customer(attackerId)).verified).toBe(false);
    // A link nobody was sent is not a link at all.
    const made = await fetch(`${pipeline.channel.url}/webform/v/made-up-${tag}`, {
      method: 'POST',
      body: new URLSearchParams({ confirm: '1' }),
    });
    expect(made.status).toBe(404);
  }, 90_000);

  it('verifies the owner who acts on the link mailed to the address, once; later submissions reach them', async () => {
    const ownToken = await submit(victim, `About my parcel again ${tag}-own`);
    const own = await ticketWith('webform', `${tag}-own`);
    expect(own.ticket.customerId).not.toBe(victimId);
    expect(own.customer?.verified).toBe(false);

    // An agent who knows it is her merges the provisional customer into the victim explicitly.
    const merged = await supervisor.call('POST', `/customers/${victimId}/merge`, {
      duplicateId: own.ticket.customerId,
    });
    expect(merged.status).toBe(201);
    expect((await customer(own.ticket.customerId)).mergedInto).toBe(victimId);
    await waitFor(
      async () =>
        (
          await routerDb.query(
            `SELECT 1 FROM routing.customer WHERE id = $1 AND merged_into = $2`,
            [own.ticket.customerId, victimId],
          )
        ).rowCount === 1,
      30_000,
      'the merge to reach the router',
    );

    const link = await verificationLinkFor(ownToken);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(victim);
    const confirmed = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ confirm: '1' }),
    });
    expect(confirmed.status).toBe(200);
    const reused = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ confirm: '1' }),
    });
    expect(reused.status).toBe(410);

    const verified = await waitFor(async () => {
      const now = await customer(victimId);
      return now.identities.some((identity) => identity.kind === 5 && identity.verified) && now;
    }, 30_000);
    expect(verified.verified).toBe(true);

    await submit(victimTyped, `One more question ${tag}-later`);
    const later = await ticketWith('webform', `${tag}-later`);
    expect(later.ticket.customerId).toBe(victimId);
    expect(later.history.some((past) => past.messages.some((m) => m.text.includes(secret)))).toBe(
      true,
    );
    // The attacker's records stayed apart.
    expect((await customer(attackerId)).mergedInto).toBeNull();
  }, 150_000);
});
