import { simpleParser, type ParsedMail } from 'mailparser';
import type { Pool } from 'pg';
import { KafkaBus, silentLogger } from '@firstline/bus';
import { channelEmailService } from '@firstline/channel-email';
import { routerService } from '@firstline/router';
import { startService, type RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  ensureMailServer,
  mailsIn,
  Pipeline,
  sealedToRun,
  startGroupsAtTopicEnd,
  waitFor,
  type AgentApi,
  type MailServer,
  type TestDatabase,
  emailChannelSettings,
} from '@firstline/testing';
import { ticketsService } from '@firstline/tickets';
import { channelWebformService } from '../src';
import type { StatusView } from '../src/http/responses';
import { ticketOfStatusToken } from './support';

const EMAIL_VARIABLES = [
  'EMAIL_MAILBOXES',
  'EMAIL_SMTP_URL',
  'EMAIL_FROM',
  'EMAIL_MESSAGE_ID_DOMAIN',
  'EMAIL_POLL_INTERVAL_MS',
];

/**
 * A web-form customer who left an email address gets the agent's answer twice over: on their
 * status page and, through the email channel's real SMTP, in their inbox. Router, tickets and the
 * web-form adapter run as a `Pipeline`; the email adapter runs sealed to the same run, sending
 * through GreenMail, where the customer's mailbox is read over IMAP.
 */
describe('a web-form answer reaches the customer on the status page and by email', () => {
  let pipeline: Pipeline;
  let mail: MailServer;
  let emailDatabase: TestDatabase;
  let email: RunningService | undefined;
  let webformDb: Pool;
  let supervisor: AgentApi;
  let support: string;

  beforeAll(async () => {
    let brokers: string[];
    [pipeline, mail, brokers, emailDatabase] = await Promise.all([
      Pipeline.start({
        router: routerService,
        tickets: ticketsService,
        channel: channelWebformService,
      }),
      ensureMailServer(),
      ensureKafka(),
      createTestDatabase(),
    ]);
    webformDb = pipeline.databases.channel.pool(1);
    supervisor = await pipeline.login('supervisor@firstline.example');

    support = `support-${pipeline.run}@firstline.test`;
    Object.assign(process.env, {
      ...emailChannelSettings(mail, support),
    });
    // A consumer group of this run's own, starting at the topics' end, as the pipeline's are.
    const name = `${channelEmailService.name}-${pipeline.run}`;
    await startGroupsAtTopicEnd(brokers, [name]);
    email = await startService(
      { ...channelEmailService, name },
      {
        bus: sealedToRun(
          new KafkaBus({ brokers, clientId: name, logger: silentLogger }),
          pipeline.run,
        ),
        ownsBus: true,
        databaseUrl: emailDatabase.url,
        databasePoolSize: 2,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 6,
        replicationFactor: 1,
      },
      0,
    );
  }, 180_000);

  afterAll(async () => {
    await email?.stop();
    await pipeline?.stop();
    await emailDatabase?.drop();
    for (const variable of EMAIL_VARIABLES) delete process.env[variable];
  });

  const ticketOf = (statusToken: string) => ticketOfStatusToken(webformDb, statusToken);

  /** Every mail in a user's INBOX on the test server, oldest first. */
  const inbox = async (user: string): Promise<ParsedMail[]> =>
    Promise.all((await mailsIn(mail, user)).map((source) => simpleParser(source)));

  it('the agent’s reply shows on the status page and arrives once in the customer’s inbox', async () => {
    const customer = `fay-${pipeline.run}@example.com`;
    const submitted = await fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Fay Customer',
        email: customer,
        topic: 'question',
        message: 'Is the blue kettle back in stock?',
      }),
    });
    expect(submitted.status).toBeLessThan(300);
    const { statusToken } = (await submitted.json()) as { statusToken: string };

    const ticketId = await ticketOf(statusToken);
    // The web form may learn its ticket from the router before the tickets service has stored it.
    const { ticket } = await waitFor(
      async () => {
        const found = await supervisor.call<{ ticket: { number: string } }>(
          'GET',
          `/tickets/${ticketId}`,
        );
        return found.status === 200 && found.body;
      },
      30_000,
      `ticket ${ticketId} in the tickets service`,
    );
    await supervisor.ok('POST', `/tickets/${ticketId}/claim`);
    const answer = 'The blue kettle is back: we have put one aside for you.';
    const reply = await supervisor.call('POST', `/tickets/${ticketId}/replies`, { text: answer });
    expect(reply.status).toBe(201);

    // On the page.
    const status = await waitFor(async () => {
      const view = (await (
        await fetch(`${pipeline.channel.url}/webform/status/${statusToken}`)
      ).json()) as StatusView;
      return view.messages.some((message) => message.text === answer) && view;
    }, 30_000);
    expect(
      status.messages.filter((message) => message.from === 'support' && !message.automatic),
    ).toEqual([expect.objectContaining({ text: answer })]);

    // In the inbox, over IMAP.
    const delivered = await waitFor(
      async () => (await inbox(customer)).find((message) => message.text?.includes(answer)),
      30_000,
      'the email copy of the reply',
    );
    expect(delivered.subject?.match(/\[#\d+\]/g)).toEqual([`[#${ticket.number}]`]);
    expect(delivered.from?.value.map((sender) => sender.address)).toEqual([support]);
    expect(delivered.to && !Array.isArray(delivered.to) && delivered.to.value).toEqual([
      expect.objectContaining({ address: customer }),
    ]);
    // The mail leads back to the whole conversation, on the port the web form really listens on.
    expect(delivered.text).toContain(`${pipeline.channel.url}/webform/s/${statusToken}`);

    // Give a second copy, were there one, time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const mails = await inbox(customer);
    expect(mails.filter((message) => message.text?.includes(answer))).toHaveLength(1);
    // Nor did anything else (the automatic acknowledgement is copied too) arrive twice.
    expect(new Set(mails.map((message) => message.messageId)).size).toBe(mails.length);
  }, 90_000);
});
