import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import {
  create,
  DirectoryKind,
  DirectoryRecordSchema,
  directoryKey,
  encode,
  messageType,
} from '@firstline/contracts';
import { routerService } from '@firstline/router';
import { Pipeline, waitFor, type AgentApi } from '@firstline/testing';
import { ticketsService } from '@firstline/tickets';
import { channelWebformService } from '../src';
import { DirectoryProjection } from '@firstline/channel-kit';
import { ticketOfStatusToken } from './support';

/** Debian's Chromium, installed the way the project installs its other local tools. */
function chromiumPath(): string {
  const script = join(__dirname, '../../../deploy/local/chromium.sh');
  return execFileSync('bash', [script], { encoding: 'utf8' }).trim();
}

/**
 * Issue 5's promise end to end: the widget embedded in a shop's plain HTML page (another origin)
 * in real Chromium, routed by the router, worked by an agent in the tickets service, and the
 * customer's status page. The three services run as a `Pipeline`, sealed off from the other
 * suites on the shared broker; its router knows no directory and queues every ticket for the
 * first-line team, where the supervisor takes it.
 */
describe('the web-form widget in a browser, through router and tickets', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let shop: Server;
  let shopUrl: string;
  let webformDb: Pool;
  let ticketsDb: Pool;
  let supervisor: AgentApi;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    shop = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop</h1><p>Questions about your order? Write to us.</p>
<script src="${pipeline.channel.url}/webform/widget.js" data-form="contact" data-locale="en" async></script>
</body></html>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;

    process.env.WEBFORM_ALLOWED_ORIGINS = shopUrl;
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelWebformService,
    });
    webformDb = pipeline.databases.channel.pool(1);
    ticketsDb = pipeline.databases.tickets.pool(1);
    supervisor = await pipeline.login('supervisor@firstline.example');
    await announceAgent('sam', 'Sam Supervisor');
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    await new Promise((resolve) => shop?.close(resolve));
    delete process.env.WEBFORM_ALLOWED_ORIGINS;
  });

  /**
   * A sealed run publishes no directory (see Pipeline), so the adapter's projection of agents'
   * names is handed the record the tickets service would have announced.
   */
  async function announceAgent(id: string, name: string): Promise<void> {
    const record = create(DirectoryRecordSchema, {
      kind: DirectoryKind.AGENT,
      id,
      version: 1,
      payload: { case: 'agent', value: { id, name } },
    });
    await pipeline.channel.app.get(DirectoryProjection).handle([
      {
        record: {
          topic: 'support.directory.v1',
          partition: 0,
          offset: '0',
          key: directoryKey(DirectoryKind.AGENT, id),
          value: Buffer.from(encode(DirectoryRecordSchema, record)),
          headers: {
            messageId: `${pipeline.run}:agent-${id}`,
            type: messageType(DirectoryRecordSchema),
            schemaVersion: 1,
            traceId: pipeline.run,
            producedAt: new Date().toISOString(),
          },
          extraHeaders: {},
        },
        message: record,
      },
    ]);
  }

  const ticketOf = (statusToken: string) => ticketOfStatusToken(webformDb, statusToken);

  it('a customer writes through the widget, follows the ticket, reads the answer and writes again', async () => {
    const email = `dora-${pipeline.run}@example.com`;
    const page = await browser.newPage();
    await page.goto(shopUrl);

    // Sent empty, by keyboard: the errors say what to fill in and focus moves to the first.
    await page.getByRole('button', { name: 'Send' }).press('Enter');
    await page.getByText('Please fill in “Your name”.').waitFor();
    const name = page.getByLabel('Your name');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(
      await name.evaluate(
        (element: { ownerDocument: { activeElement: unknown } }) =>
          element.ownerDocument.activeElement === element,
      ),
    ).toBe(true);

    await name.fill('Dora Customer');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Topic').selectOption('billing');
    await page.getByLabel('Message').fill('I was charged twice for order 1187.');
    await page.getByRole('button', { name: 'Send' }).click();

    await page.getByText('Thank you! Your request is registered.').waitFor();
    const number = page.getByText(/^Ticket number: #\d+$/);
    await number.waitFor({ timeout: 30_000 });
    await page.getByText(/^We will answer by /).waitFor({ timeout: 30_000 });
    const ticketNumber = (await number.textContent())!.replace(/\D/g, '');

    await page.getByRole('link', { name: /Follow your request/ }).click();
    await page.waitForURL(/\/webform\/s\/[A-Za-z0-9_-]{32}$/);
    const statusToken = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: `Request #${ticketNumber}` }).waitFor();
    // Nobody is online to take it: the customer sees their place in the queue.
    await page.getByText(/^You are \d+(st|nd|rd|th) in line\./).waitFor({ timeout: 30_000 });
    await page.getByText('I was charged twice for order 1187.').waitFor();

    // The agent takes the ticket and answers through the agents' API.
    const ticketId = await ticketOf(statusToken);
    await supervisor.ok('POST', `/tickets/${ticketId}/claim`);
    const reply = await supervisor.call('POST', `/tickets/${ticketId}/replies`, {
      text: 'We refunded the second charge; it reaches your card within 3 days.',
    });
    expect(reply.status).toBe(201);

    await page
      .getByText('We refunded the second charge; it reaches your card within 3 days.')
      .waitFor({
        timeout: 30_000,
      });
    await page.locator('.flw-agent', { hasText: 'Sam' }).waitFor({ timeout: 30_000 });
    await page.getByText('An agent is working on it').waitFor();

    // The customer answers on the status page; it joins the same ticket.
    await page.getByLabel('Your message').fill('Thank you, I see the refund.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your message was sent.').waitFor();
    await page.getByText('Thank you, I see the refund.').waitFor();
    await waitFor(async () => {
      const ticket = await supervisor.call('GET', `/tickets/${ticketId}`);
      return JSON.stringify(ticket.body).includes('Thank you, I see the refund.');
    }, 30_000);
    const { rows } = await ticketsDb.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tickets.ticket WHERE conversation_key = $1`,
      [`webform:${statusToken}`],
    );
    expect(rows[0].n).toBe(1);
    await page.close();
  }, 120_000);

  it('the hosted callback page speaks Russian, shows the server’s refusals and books the window', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${pipeline.channel.url}/webform/f/callback`);
    await page.getByRole('heading', { name: 'Заказать обратный звонок' }).waitFor();
    await page.getByLabel('Ваше имя').fill('Фёдор');
    // Only the server knows a number without a country code cannot be called: its words are shown.
    await page.getByLabel('Телефон').fill('8 912 345 67 89');
    const day = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
    await page.getByLabel('С', { exact: true }).fill(`${day}T10:00`);
    await page.getByLabel('До', { exact: true }).fill(`${day}T12:00`);
    await page.getByRole('button', { name: 'Отправить' }).click();
    const refusal =
      'В поле «Телефон» нужен номер телефона с кодом страны, например +7 912 345-67-89.';
    await page.locator('.flw-error', { hasText: refusal }).waitFor();
    expect(await page.getByLabel('Телефон').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Телефон').fill('+7 912 345 67 89');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await page.getByText('Спасибо! Ваше обращение зарегистрировано.').waitFor();
    await page.getByText(/^Номер обращения: #\d+$/).waitFor({ timeout: 30_000 });
    const link = await page
      .getByRole('link', { name: /Следить за обращением/ })
      .getAttribute('href');
    const statusToken = link!.split('/').pop()!;
    const { rows } = await webformDb.query<{ phone: string; callback_to: Date }>(
      `SELECT phone, callback_to FROM channel_webform.conversation WHERE status_token = $1`,
      [statusToken],
    );
    expect(rows[0].phone).toBe('+79123456789');
    // The browser's wall-clock 12:00 on that day, as an instant.
    const localNoon = await page.evaluate((value) => new Date(value).getTime(), `${day}T12:00`);
    expect(rows[0].callback_to.getTime()).toBe(localNoon);
    // The router makes the first response due at the window's end; the confirmation says so.
    const due = await waitFor(async () => {
      const { rows: tickets } = await webformDb.query<{ first_response_due_at: Date | null }>(
        `SELECT t.first_response_due_at FROM channel_webform.ticket t
         JOIN channel_webform.conversation c ON c.ticket_id = t.ticket_id
         WHERE c.status_token = $1`,
        [statusToken],
      );
      return tickets[0]?.first_response_due_at;
    });
    expect(due.getTime()).toBe(localNoon);
    await page.getByText(/^Ответим до /).waitFor();
    await context.close();
  }, 60_000);

  it('the same idempotency key twice makes one ticket', async () => {
    const key = randomUUID();
    const submit = () =>
      fetch(`${pipeline.channel.url}/webform/forms/contact/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({
          name: 'Eve',
          email: `eve-${pipeline.run}@example.com`,
          topic: 'question',
          message: 'Do you ship to Kazan?',
        }),
      }).then((response) => response.json() as Promise<{ statusToken: string }>);
    const [first, second] = await Promise.all([submit(), submit()]);
    expect(second.statusToken).toBe(first.statusToken);
    await ticketOf(first.statusToken);
    // Give a second ticket, were there one, time to appear.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { rows } = await ticketsDb.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tickets.ticket WHERE conversation_key = $1`,
      [`webform:${first.statusToken}`],
    );
    expect(rows[0].n).toBe(1);
  }, 60_000);
});
