import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { createTransport, type Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import { channelWebformService } from '@firstline/channel-webform';
import { routerService } from '@firstline/router';
import {
  ensureMailServer,
  mailsIn,
  Pipeline,
  waitFor,
  type AgentApi,
  type MailServer,
  emailChannelSettings,
} from '@firstline/testing';
import { ticketsService } from '@firstline/tickets';
import { channelEmailService } from '../src';

/** The peer corpus beside the repository (a clone's or a worktree's), when it is there. */
const root = resolve(__dirname, '../../..');
const peerMail = [join(root, '../shared/corpus/mail'), join(root, '../../shared/corpus/mail')].find(
  (folder) => existsSync(folder),
);
/** Cases that send mail other projects collected: skipped, and counted so, without the corpus. */
const withPeerMail = peerMail ? it : it.skip;

/**
 * Conversation integrity where the services meet (issue 15): customers' mails, built as real
 * clients build them (Apple Mail keeps the References chain, Outlook and phones often only
 * In-Reply-To, out-of-office robots answer whatever arrived), go through GreenMail's SMTP to the
 * support mailbox; channel-email reads it over IMAP, the router threads, tickets records. The
 * agent answers through the API, and the customer's next mail answers the Message-ID of that
 * answer as it arrived in their IMAP inbox.
 */
describe('email threading end to end: one conversation, one ticket', () => {
  let pipeline: Pipeline;
  let mail: MailServer;
  let smtp: Transporter;
  let supervisor: AgentApi;
  let routerDb: Pool;
  let ticketsDb: Pool;
  let support: string;

  beforeAll(async () => {
    mail = await ensureMailServer();
    const mailbox = `support-${randomUUID().slice(0, 8)}@firstline.test`;
    support = mailbox;
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelEmailService,
      // The web form serves the rating page the survey mail links to.
      also: [channelWebformService],
      channelSettings: (_url, [webform]) => ({
        WEBFORM_PUBLIC_URL: webform!,
        RATING_LINK_SECRET: randomUUID() + randomUUID(),
        ...emailChannelSettings(mail, mailbox),
      }),
    });
    smtp = createTransport({ host: mail.host, port: mail.smtpPort, secure: false });
    supervisor = await pipeline.login('supervisor@firstline.example');
    routerDb = pipeline.databases.router.pool(1);
    ticketsDb = pipeline.databases.tickets.pool(1);
  }, 180_000);

  afterAll(async () => {
    smtp?.close();
    await pipeline?.stop();
  });

  /** A customer's mail, sent over SMTP to the support mailbox as their client built it. */
  async function send(shape: MailShape): Promise<string> {
    const messageId = `${randomUUID().toUpperCase()}@${shape.from.split('@')[1]}`;
    await smtp.sendMail({
      envelope: { from: shape.from, to: support },
      raw: buildMail(shape, messageId, support),
    });
    return messageId;
  }

  /** The ticket the tickets service filed a mail under, once it has. */
  const ticketOfMail = (messageId: string) =>
    waitFor(
      async () => {
        const rows = await ticketsDb.query<{ ticket_id: string }>(
          `SELECT ticket_id FROM tickets.message WHERE id = $1`,
          [`email:${messageId}`],
        );
        return rows.rows[0]?.ticket_id;
      },
      30_000,
      `the ticket of ${messageId}`,
    );

  const view = (ticketId: string) => supervisor.ok<TicketView>('GET', `/tickets/${ticketId}`);

  /** The tickets filed for an address, oldest first. */
  const ticketsOf = async (address: string) =>
    (
      await ticketsDb.query<{ id: string }>(
        `SELECT id FROM tickets.ticket WHERE recipient->>'value' = $1 ORDER BY number`,
        [address],
      )
    ).rows.map((row) => row.id);

  /** The agent's answer as it reached the customer's inbox over IMAP: its Message-ID and subject. */
  async function answer(ticketId: string, customer: string, text: string) {
    await supervisor.ok('POST', `/tickets/${ticketId}/claim`);
    await supervisor.ok('POST', `/tickets/${ticketId}/replies`, { text });
    return waitFor(
      async () => {
        for (const source of await mailsIn(mail, customer)) {
          const parsed = await simpleParser(source);
          if (parsed.text?.includes(text) && parsed.messageId) {
            return {
              messageId: parsed.messageId.replace(/^<|>$/g, ''),
              subject: parsed.subject ?? '',
              references: [parsed.references ?? []].flat().map((id) => id.replace(/^<|>$/g, '')),
            };
          }
        }
        return undefined;
      },
      30_000,
      `the answer "${text}" in ${customer}'s inbox`,
    );
  }

  /** A customer's first mail and the agent's answer: the start of every case. */
  async function conversation(name: string) {
    const customer = `${name}-${randomUUID().slice(0, 8)}@example.com`;
    const first = await send({
      client: 'apple',
      from: customer,
      name,
      subject: `Order ${name} never arrived`,
      body: `Hello,\n\nmy order has not arrived after two weeks. Where is it?\n\n${name}`,
    });
    const ticketId = await ticketOfMail(first);
    const { ticket } = await view(ticketId);
    const reply = await answer(ticketId, customer, `It left our warehouse today, ${name}.`);
    return { customer, name, first, ticketId, number: ticket.number, reply };
  }

  async function resolveTicket(ticketId: string) {
    await supervisor.ok('POST', `/tickets/${ticketId}/status`, { status: 'resolved' });
    // The router decides reopening by the state it learned from the ticket's events.
    await waitFor(async () => (await routerState(ticketId)) === 'resolved', 30_000, 'resolution');
  }

  const routerState = async (ticketId: string) =>
    (
      await routerDb.query<{ state: string }>(`SELECT state FROM routing.ticket WHERE id = $1`, [
        ticketId,
      ])
    ).rows[0]?.state;

  /** Waits until the router has handled a mail (claimed its id), whatever it decided. */
  const routed = (messageId: string) =>
    waitFor(
      async () =>
        (
          await routerDb.query(
            `SELECT 1 FROM routing.processed_message WHERE consumer = 'router.inbound' AND message_id = $1`,
            [`email:${messageId}`],
          )
        ).rowCount === 1,
      30_000,
      `the router to handle ${messageId}`,
    );

  it('a reply that keeps the whole References chain (Apple Mail) continues its ticket', async () => {
    const start = await conversation('alice');
    const reply = await send({
      client: 'apple',
      from: start.customer,
      name: start.name,
      subject: `Re: ${start.reply.subject}`,
      inReplyTo: start.reply.messageId,
      references: [...start.reply.references, start.reply.messageId],
      body: quoted('Thank you! Can you send me the tracking number?', start.reply),
    });
    expect(await ticketOfMail(reply)).toBe(start.ticketId);
    expect(await ticketsOf(start.customer)).toEqual([start.ticketId]);
  }, 120_000);

  it('a reply whose In-Reply-To names only our answer (Outlook) continues its ticket', async () => {
    const start = await conversation('oscar');
    const reply = await send({
      client: 'outlook',
      from: start.customer,
      name: start.name,
      subject: `RE: Order oscar never arrived`,
      inReplyTo: start.reply.messageId,
      body: quoted('Thanks, I will wait for it.', start.reply),
    });
    expect(await ticketOfMail(reply)).toBe(start.ticketId);
    // A colleague the customer forwarded our answer to answers it the same way: the Message-ID
    // alone, not the sender, leads to the ticket.
    const colleague = await send({
      client: 'outlook',
      from: `olivia-${randomUUID().slice(0, 8)}@example.com`,
      name: 'Olivia',
      subject: `RE: Order oscar never arrived`,
      inReplyTo: start.reply.messageId,
      body: quoted(
        'I am a colleague of Oscar: please deliver it to our office instead.',
        start.reply,
      ),
    });
    expect(await ticketOfMail(colleague)).toBe(start.ticketId);
    const { messages } = await view(start.ticketId);
    expect(messages.filter((message) => message.direction === 'in')).toHaveLength(3);
  }, 120_000);

  it('a new mail from the customer that keeps only "[#N]" in its subject continues ticket N', async () => {
    const start = await conversation('ivy');
    const reply = await send({
      client: 'iphone',
      from: start.customer,
      name: start.name,
      subject: `Still waiting [#${start.number}]`,
      body: 'Any news about my parcel?\n\nSent from my iPhone',
    });
    expect(await ticketOfMail(reply)).toBe(start.ticketId);
    expect(await ticketsOf(start.customer)).toEqual([start.ticketId]);
  }, 120_000);

  it('a stranger quoting "[#N]" gets a new ticket linked to N, never N itself', async () => {
    const start = await conversation('carl');
    const stranger = `mallory-${randomUUID().slice(0, 8)}@example.org`;
    const mailId = await send({
      client: 'outlook',
      from: stranger,
      name: 'Mallory',
      subject: `Order question [#${start.number}]`,
      body: 'Please send me the delivery address of this order.',
    });
    const ticketId = await ticketOfMail(mailId);
    expect(ticketId).not.toBe(start.ticketId);
    // The agent sees the link to the ticket the stranger named.
    const { ticket } = await view(ticketId);
    expect(ticket).toMatchObject({
      previousTicketId: start.ticketId,
      previousTicketNumber: start.number,
    });
    const original = await view(start.ticketId);
    expect(original.messages.filter((message) => message.direction === 'in')).toHaveLength(1);
  }, 120_000);

  it('an out-of-office reply to our answer is shown on the ticket but never opens or reopens one', async () => {
    const start = await conversation('olga');
    await resolveTicket(start.ticketId);
    const outOfOffice = await send({
      client: 'exchange-auto-reply',
      from: start.customer,
      name: start.name,
      subject: `Automatic reply: ${start.reply.subject}`,
      inReplyTo: start.reply.messageId,
      references: [start.reply.messageId],
      body: 'I am out of the office until Monday and will read your message when I am back.',
    });
    expect(await ticketOfMail(outOfOffice)).toBe(start.ticketId);
    const { ticket, messages } = await view(start.ticketId);
    expect(ticket).toMatchObject({ status: 'resolved', reopenCount: 0 });
    expect(messages.find((message) => message.id === `email:${outOfOffice}`)).toMatchObject({
      direction: 'in',
      automatic: true,
    });
    expect(await routerState(start.ticketId)).toBe('resolved');
    expect(await ticketsOf(start.customer)).toEqual([start.ticketId]);
  }, 120_000);

  withPeerMail.each(['chatwoot/auto_reply.eml', 'chatwoot/auto_reply_with_auto_submitted.eml'])(
    'a real client’s auto-reply (%s, re-addressed to our answer) never reopens the ticket',
    async (file) => {
      const start = await conversation('una');
      await resolveTicket(start.ticketId);
      const messageId = `${randomUUID()}@example.com`;
      const raw = readdressed(readFileSync(join(peerMail!, file), 'latin1'), [
        `From: Una <${start.customer}>`,
        `To: <${support}>`,
        `Message-Id: <${messageId}>`,
        `In-Reply-To: <${start.reply.messageId}>`,
        `References: <${start.reply.messageId}>`,
      ]);
      await smtp.sendMail({ envelope: { from: start.customer, to: support }, raw });
      expect(await ticketOfMail(messageId)).toBe(start.ticketId);
      const { ticket, messages } = await view(start.ticketId);
      expect(ticket).toMatchObject({ status: 'resolved', reopenCount: 0 });
      expect(messages.find((message) => message.id === `email:${messageId}`)).toMatchObject({
        automatic: true,
      });
    },
    120_000,
  );

  it('an out-of-office reply that threads to no ticket is dropped', async () => {
    const robot = `away-${randomUUID().slice(0, 8)}@example.com`;
    const outOfOffice = await send({
      client: 'exchange-auto-reply',
      from: robot,
      name: 'Away',
      subject: 'Automatic reply: Newsletter',
      inReplyTo: `${randomUUID()}@elsewhere.example`,
      body: 'I am out of the office until Monday.',
    });
    await routed(outOfOffice);
    // Time for a decision, were there one, to reach the tickets service.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await ticketsOf(robot)).toEqual([]);
  }, 120_000);

  it('a real answer after resolution reopens the ticket and counts the reopen', async () => {
    const start = await conversation('rita');
    await resolveTicket(start.ticketId);
    const reply = await send({
      client: 'outlook',
      from: start.customer,
      name: start.name,
      subject: `RE: ${start.reply.subject}`,
      inReplyTo: start.reply.messageId,
      body: quoted('It still has not arrived, sorry.', start.reply),
    });
    expect(await ticketOfMail(reply)).toBe(start.ticketId);
    const { ticket } = await waitFor(async () => {
      const current = await view(start.ticketId);
      return current.ticket.status === 'open' && current;
    });
    expect(ticket.reopenCount).toBe(1);
  }, 120_000);

  /** The survey as it reached the customer's inbox: its Message-ID and the rating link in it. */
  async function survey(ticketId: string, customer: string) {
    await resolveTicket(ticketId);
    return waitFor(
      async () => {
        for (const source of await mailsIn(mail, customer)) {
          const parsed = await simpleParser(source);
          const link = /https?:\/\/\S+\/webform\/rate\/\S+/.exec(parsed.text ?? '')?.[0];
          if (link && parsed.messageId) {
            return { messageId: parsed.messageId.replace(/^<|>$/g, ''), link, text: parsed.text! };
          }
        }
        return undefined;
      },
      30_000,
      `the survey in ${customer}'s inbox`,
    );
  }

  /** The ticket once the tickets service recorded a rating on it. */
  const rated = (ticketId: string) =>
    waitFor(
      async () => {
        const current = await view(ticketId);
        return current.ticket.csatScore !== null && current;
      },
      30_000,
      'the rating',
    );

  it('an out-of-office reply to the survey opens nothing, reopens nothing and rates nothing', async () => {
    const start = await conversation('oscar');
    const asked = await survey(start.ticketId, start.customer);
    const outOfOffice = await send({
      client: 'exchange-auto-reply',
      from: start.customer,
      name: start.name,
      subject: 'Automatic reply: your request is resolved',
      inReplyTo: asked.messageId,
      references: [asked.messageId],
      // A number in a robot's text is no score.
      body: 'I am out of the office until 5 January.',
    });
    expect(await ticketOfMail(outOfOffice)).toBe(start.ticketId);
    const { ticket } = await view(start.ticketId);
    expect(ticket).toMatchObject({ status: 'resolved', reopenCount: 0, csatScore: null });
    expect(await routerState(start.ticketId)).toBe('resolved');
    expect(await ticketsOf(start.customer)).toEqual([start.ticketId]);
  }, 120_000);

  it('a bare number in answer to the survey mail is recorded as the rating, without a reopen', async () => {
    const start = await conversation('nina');
    const asked = await survey(start.ticketId, start.customer);
    expect(asked.text).toContain(`#${start.number}`);
    const answer = await send({
      client: 'iphone',
      from: start.customer,
      name: start.name,
      subject: `Re: your request #${start.number} is resolved`,
      inReplyTo: asked.messageId,
      body: `5

Sent from my iPhone

> On ${new Date().toDateString()}, Support wrote:
> How satisfied are you with our help?
`,
    });
    expect(await ticketOfMail(answer)).toBe(start.ticketId);
    const { ticket } = await rated(start.ticketId);
    expect(ticket).toMatchObject({ status: 'resolved', reopenCount: 0, csatScore: 5 });
    expect(await routerState(start.ticketId)).toBe('resolved');
    expect(await ticketsOf(start.customer)).toEqual([start.ticketId]);
  }, 120_000);

  it('the rating link in the survey mail opens the rating page, and its answer is recorded without a reopen', async () => {
    const start = await conversation('lena');
    const asked = await survey(start.ticketId, start.customer);
    const page = await fetch(asked.link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`#${start.number}`);
    // Bent to another ticket, the link opens nothing.
    const forged = await fetch(
      asked.link.replace(
        /\/rate\/(.)/,
        (_all, first: string) => `/rate/${first === 'A' ? 'B' : 'A'}`,
      ),
    );
    expect(forged.status).toBe(410);

    const form = new URLSearchParams({
      score: '2',
      comment: 'Slow to answer',
      idempotency_key: randomUUID(),
    });
    const thanks = await fetch(asked.link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: form,
    });
    expect(thanks.status).toBe(200);
    expect(await thanks.text()).toContain('2 of 5');
    const { ticket } = await rated(start.ticketId);
    expect(ticket).toMatchObject({
      status: 'resolved',
      reopenCount: 0,
      csatScore: 2,
      csatComment: 'Slow to answer',
    });
    // A low score is the supervisor's to follow up.
    const notifications = await supervisor.ok<{ items: Array<{ ticketId: string; kind: string }> }>(
      'GET',
      '/notifications',
    );
    expect(notifications.items).toContainEqual(
      expect.objectContaining({ ticketId: start.ticketId, kind: 'low-csat' }),
    );
    expect(await ticketsOf(start.customer)).toEqual([start.ticketId]);
  }, 120_000);

  it('an answer after the reopen window starts a new ticket linked to the old one', async () => {
    const start = await conversation('wendy');
    await resolveTicket(start.ticketId);
    // Eight days pass, as far as the router, which keeps the reopen window, can tell.
    await routerDb.query(
      `UPDATE routing.ticket SET resolved_at = resolved_at - interval '8 days' WHERE id = $1`,
      [start.ticketId],
    );
    const reply = await send({
      client: 'apple',
      from: start.customer,
      name: start.name,
      subject: `Re: ${start.reply.subject}`,
      inReplyTo: start.reply.messageId,
      references: [...start.reply.references, start.reply.messageId],
      body: quoted('The parcel arrived damaged.', start.reply),
    });
    const followUp = await ticketOfMail(reply);
    expect(followUp).not.toBe(start.ticketId);
    expect((await view(followUp)).ticket).toMatchObject({
      previousTicketId: start.ticketId,
      previousTicketNumber: start.number,
    });
    expect((await view(start.ticketId)).ticket).toMatchObject({
      status: 'resolved',
      reopenCount: 0,
    });
  }, 120_000);
});

interface TicketView {
  ticket: {
    id: string;
    number: string;
    status: string;
    reopenCount: number;
    previousTicketId: string | null;
    previousTicketNumber: string | null;
    csatScore: number | null;
    csatComment: string | null;
  };
  messages: Array<{ id: string; direction: 'in' | 'out'; automatic: boolean; text: string }>;
}

interface MailShape {
  /** Whose headers the mail carries. */
  client: 'apple' | 'outlook' | 'iphone' | 'exchange-auto-reply';
  from: string;
  name: string;
  subject: string;
  body: string;
  inReplyTo?: string;
  references?: string[];
}

/**
 * A mail as the named client writes it: the headers each puts (or leaves out) and CRLF lines.
 * Outlook and the iPhone's quick replies keep In-Reply-To without References when the original
 * is not at hand; Exchange's automatic reply marks itself Auto-Submitted.
 */
function buildMail(shape: MailShape, messageId: string, to: string): string {
  const date = new Date().toUTCString().replace('GMT', '+0000');
  const threading = [
    ...(shape.inReplyTo ? [`In-Reply-To: <${shape.inReplyTo}>`] : []),
    ...(shape.references?.length
      ? [`References: ${shape.references.map((id) => `<${id}>`).join('\r\n ')}`]
      : []),
  ];
  const common = [
    `From: ${shape.name} <${shape.from}>`,
    `To: <${to}>`,
    `Subject: ${shape.subject}`,
  ];
  const headers = {
    apple: [
      'Content-Type: text/plain;\r\n\tcharset=us-ascii',
      'Content-Transfer-Encoding: 7bit',
      'Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))',
      ...common,
      `Date: ${date}`,
      ...threading,
      `Message-Id: <${messageId}>`,
      'X-Mailer: Apple Mail (2.3774.600.62)',
    ],
    outlook: [
      ...common,
      `Thread-Topic: ${shape.subject.replace(/^(RE|AW): /i, '')}`,
      'Thread-Index: AdqPq3kKc5b8lR0nS8a4y6Xb0y3Zsw==',
      `Date: ${date}`,
      `Message-ID: <${messageId}>`,
      ...threading,
      'Accept-Language: en-GB, en-US',
      'Content-Language: en-GB',
      'X-MS-Has-Attach:',
      'X-MS-TNEF-Correlator:',
      'Content-Type: text/plain; charset="us-ascii"',
      'Content-Transfer-Encoding: quoted-printable',
      'MIME-Version: 1.0',
    ],
    iphone: [
      'Content-Type: text/plain; charset=us-ascii',
      'Content-Transfer-Encoding: 7bit',
      ...common,
      'Mime-Version: 1.0 (1.0)',
      `Date: ${date}`,
      ...threading,
      `Message-Id: <${messageId}>`,
      'X-Mailer: iPhone Mail (21E236)',
    ],
    'exchange-auto-reply': [
      ...common,
      `Thread-Topic: ${shape.subject.replace(/^Automatic reply: /, '')}`,
      'Thread-Index: AQHaj6t5CnOW/JUdJ0vGuMul29Mt97FqSi5u',
      `Date: ${date}`,
      `Message-ID: <${messageId}>`,
      ...threading,
      'Auto-Submitted: auto-replied',
      'X-Auto-Response-Suppress: All',
      'X-MS-Exchange-Inbox-Rules-Loop: ' + shape.from,
      'Content-Language: en-US',
      'Content-Type: text/plain; charset="us-ascii"',
      'Content-Transfer-Encoding: quoted-printable',
      'MIME-Version: 1.0',
    ],
  }[shape.client];
  return `${headers.join('\r\n')}\r\n\r\n${shape.body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** A reply's text above the quoted answer, as mail clients quote it. */
function quoted(text: string, answer: { subject: string }): string {
  return `${text}\n\nOn ${new Date().toDateString()}, Support wrote:\n\n> ${answer.subject}\n> It left our warehouse today.\n`;
}

const addressing = /^(from|to|cc|message-id|in-reply-to|references):/i;

/** A mail with its addressing and threading headers replaced, the rest as its client wrote it. */
function readdressed(mail: string, headers: string[]): string {
  const end = mail.search(/\r?\n\r?\n/);
  const kept = mail
    .slice(0, end)
    .split(/\r?\n(?![ \t])/)
    .filter((header) => !addressing.test(header));
  return [...headers, ...kept].join('\r\n') + mail.slice(end).replace(/\r?\n/g, '\r\n');
}
