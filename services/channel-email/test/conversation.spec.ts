import { KafkaBus, type DeliveredMessage } from '@firstline/bus';
import {
  Channel,
  DeliveryStatus,
  IdentityKind,
  OutboundMessageSchema,
  RoutingDecisionSchema,
  TOPICS,
  TicketDisposition,
  create,
  decode,
  encode,
  messageType,
  type DeliveryReceipt,
  type RoutingDecision,
} from '@firstline/contracts';
import { routerService } from '@firstline/router';
import { startService, type RunningService, type ServiceDefinition } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  ensureMailServer,
  uniqueName,
  type MailServer,
  type TestDatabase,
  waitFor,
  lastMailIn,
  sealedToRun,
  startGroupsAtTopicEnd,
  PIPELINE_RUN_HEADER,
} from '@firstline/testing';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import type { Pool } from 'pg';
import { channelEmailService } from '../src';

const domain = 'firstline.test';
const run = uniqueName('c').replace(/\./g, '-');
const support = `support-${run}@${domain}`;
const customer = `bob-${run}@example.com`;

/**
 * Issue 6's last promise, across services: a customer's mail is routed to a ticket, the agent's
 * reply reaches the customer threaded, and the customer's answer is routed to the same ticket.
 * channel-email and the router run on the shared broker, each in a consumer group of this run's
 * that starts at the topics' end, sealed to this run (`sealedToRun`), so neither handles other
 * suites' records, rule sets included.
 */
describe('a conversation by email through the router', () => {
  let brokers: string[];
  let mail: MailServer;
  let emailDatabase: TestDatabase;
  let routerDatabase: TestDatabase;
  let routerLog: Pool;
  let observer: KafkaBus;
  const services: RunningService[] = [];
  const published: RoutingDecision[] = [];
  const receipts: DeliveryReceipt[] = [];

  const names = { email: `channel-email-${run}`, router: `router-${run}`, observer: `obs-${run}` };

  const start = (definition: ServiceDefinition, databaseUrl: string) =>
    startService(
      definition,
      {
        // Sealed to this run: other suites' routers leave its mail alone, and its router theirs.
        bus: sealedToRun(new KafkaBus({ brokers, clientId: definition.name }), run),
        ownsBus: true,
        databaseUrl,
        databasePoolSize: 2,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 6,
        replicationFactor: 1,
      },
      0,
    );

  beforeAll(async () => {
    [brokers, mail, emailDatabase, routerDatabase] = await Promise.all([
      ensureKafka(),
      ensureMailServer(),
      createTestDatabase(),
      createTestDatabase(),
    ]);
    await startGroupsAtTopicEnd(brokers, Object.values(names));
    Object.assign(process.env, {
      EMAIL_MAILBOXES: `imap://${encodeURIComponent(support)}:any@${mail.host}:${mail.imapPort}/INBOX`,
      EMAIL_SMTP_URL: `smtp://${mail.host}:${mail.smtpPort}`,
      EMAIL_FROM: support,
      EMAIL_MESSAGE_ID_DOMAIN: domain,
      EMAIL_POLL_INTERVAL_MS: '300',
    });
    observer = new KafkaBus({ brokers, clientId: names.observer });
    await observer.subscribe({
      group: names.observer,
      topics: [TOPICS.routing.name, TOPICS.deliveryReceipts.name],
      handler: async (records: DeliveredMessage[]) => {
        for (const record of records) {
          if (record.topic === TOPICS.routing.name) {
            const decision = decode(RoutingDecisionSchema, record.value);
            if (decision.message?.sender?.value === customer) published.push(decision);
          } else receipts.push(decode(TOPICS.deliveryReceipts.schema, record.value));
        }
      },
    });
    await observer.start();
    services.push(
      ...(await Promise.all([
        start({ ...routerService, name: names.router }, routerDatabase.url),
        start({ ...channelEmailService, name: names.email }, emailDatabase.url),
      ])),
    );
    routerLog = routerDatabase.pool(1);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await observer?.stop();
    await Promise.all([emailDatabase?.drop(), routerDatabase?.drop()]);
    for (const name of [
      'EMAIL_MAILBOXES',
      'EMAIL_SMTP_URL',
      'EMAIL_FROM',
      'EMAIL_MESSAGE_ID_DOMAIN',
      'EMAIL_POLL_INTERVAL_MS',
    ]) {
      delete process.env[name];
    }
  });

  /**
   * The decision this run's router made for the customer's n-th mail, once it is on
   * support.routing.v1. Other routers under test may route the same inbound record (the topic is
   * shared), each minting tickets of its own: this router's decision log says which one is ours.
   */
  const decisionFor = async (nth: number): Promise<RoutingDecision> => {
    let ours: RoutingDecision | undefined;
    await waitFor(async () => {
      const { rows } = await routerLog.query<{ payload: Buffer }>(
        `SELECT payload FROM routing.outbox WHERE topic = $1 ORDER BY id`,
        [TOPICS.routing.name],
      );
      ours = rows
        .map((row) => decode(RoutingDecisionSchema, row.payload))
        .filter((decision) => decision.message?.sender?.value === customer)[nth];
      return (
        !!ours &&
        published.some(
          (decision) =>
            decision.decisionId === ours!.decisionId && decision.ticketId === ours!.ticketId,
        )
      );
    });
    return ours!;
  };

  it("the customer's answer to the agent's reply lands on the same ticket", async () => {
    const smtp = createTransport({ host: mail.host, port: mail.smtpPort, secure: false });
    await smtp.sendMail({
      from: `Bob <${customer}>`,
      to: support,
      subject: 'Invoice shows the wrong address',
      text: 'My invoice shows my old address.\n',
    });
    const first = await decisionFor(0);
    expect(first).toMatchObject({
      disposition: TicketDisposition.NEW_TICKET,
      conversationKey: first.message!.conversationKey,
    });
    const ticketId = first.ticketId;
    expect(ticketId).not.toBe('');

    // The agent's reply, as tickets publishes it, but without the ticket number: the conversation
    // key alone must keep the thread.
    const outbound = create(OutboundMessageSchema, {
      outboundId: `reply-${run}`,
      ticketId,
      channel: Channel.EMAIL,
      recipient: { kind: IdentityKind.EMAIL, value: customer, displayName: 'Bob' },
      conversationKey: first.conversationKey,
      subject: `Re: ${first.message!.subject}`,
      textBody: 'We have corrected the address; a new invoice is on its way.',
      threadRefs: { in_reply_to: first.message!.messageId.slice('email:'.length) },
    });
    await observer.publish([
      {
        topic: TOPICS.outboundEmail.name,
        key: outbound.conversationKey,
        value: encode(OutboundMessageSchema, outbound),
        headers: { messageId: outbound.outboundId, type: messageType(OutboundMessageSchema) },
        extraHeaders: { [PIPELINE_RUN_HEADER]: run },
      },
    ]);
    const sent = () =>
      receipts.find(
        (receipt) =>
          receipt.outboundId === outbound.outboundId && receipt.status === DeliveryStatus.SENT,
      );
    await waitFor(async () => sent() !== undefined);
    expect(sent()!.ticketId).toBe(ticketId);

    const reply = await simpleParser(await lastMailIn(mail, customer));
    const questionId = `<${first.message!.messageId.slice('email:'.length)}>`;
    expect(reply.messageId).toBe(`<${sent()!.channelMessageId}>`);
    expect(reply.inReplyTo).toBe(questionId);
    expect(reply.references).toBe(questionId);

    // The customer's mail client answers it.
    await smtp.sendMail({
      from: `Bob <${customer}>`,
      to: support,
      subject: `Re: ${reply.subject}`,
      inReplyTo: reply.messageId,
      references: [questionId, reply.messageId!],
      text: `Thanks, the new one is right.\n\nOn Monday Support wrote:\n> ${outbound.textBody}\n`,
    });
    smtp.close();
    const second = await decisionFor(1);
    expect(second.inboundMessageId).not.toBe(first.inboundMessageId);
    expect(second).toMatchObject({
      ticketId,
      disposition: TicketDisposition.APPEND,
      conversationKey: first.conversationKey,
    });
    expect(second.message!.replyText).toBe('Thanks, the new one is right.');
  }, 30_000);
});
