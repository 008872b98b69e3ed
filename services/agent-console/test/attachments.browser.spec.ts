import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { channelEmailService } from '@firstline/channel-email';
import { channelWebformService } from '@firstline/channel-webform';
import { routerService } from '@firstline/router';
import { ticketsService } from '@firstline/tickets';
import {
  emailChannelSettings,
  ensureMailServer,
  mailsIn,
  Pipeline,
  uniqueName,
  waitFor,
  type AgentApi,
  type MailServer,
} from '@firstline/testing';
import { buildConsole, launchChromium, screenshot, signIn } from './browser';

/** A 1×1 PNG, the customer's photo. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** A small PDF with a byte pattern of its own, the agent's invoice. */
function pdf(tag: string): Buffer {
  return Buffer.concat([
    Buffer.from(`%PDF-1.4\n% invoice ${tag}\n`),
    Buffer.alloc(300_000, tag),
    Buffer.from('\n%%EOF\n'),
  ]);
}
const tag = uniqueName('files').replace(/\W/g, '').slice(-10);

type Window = { location: { hash: string } };

/** Opens a ticket in a signed-in console. */
async function openTicket(desk: Page, ticketId: string): Promise<void> {
  await desk.evaluate(
    (id) => ((globalThis as unknown as Window).location.hash = `#/ticket/${id}`),
    ticketId,
  );
}

/** Waits until the picture named `name` is shown, decoded, in the conversation. */
async function previewShown(desk: Page, name: string): Promise<void> {
  const preview = desk.getByRole('img', { name });
  await preview.waitFor({ timeout: 30_000 });
  await waitFor(
    () =>
      preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth === 1),
    10_000,
  );
}

/**
 * Issue 18's files, both ways, in real Chromium across the services on the real broker, GreenMail
 * and a local S3 bucket: a web-form customer's photo and an email customer's picture open in the
 * console of the agent of their team and of nobody else's; the agent's PDF reaches the web-form
 * customer's status page and the email customer's IMAP inbox.
 */
describe('files between customers and an agent', () => {
  let pipeline: Pipeline;
  let mail: MailServer;
  let support: string;
  let browser: Browser;
  let desk: Page;
  let supervisor: AgentApi;
  let ann: AgentApi;
  let bill: AgentApi;

  beforeAll(async () => {
    buildConsole();
    mail = await ensureMailServer();
    support = `support-${randomUUID().slice(0, 8)}@firstline.test`;
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelEmailService,
      also: [channelWebformService],
      channelSettings: (_url, [webform]) => ({
        WEBFORM_PUBLIC_URL: webform!,
        ...emailChannelSettings(mail, support),
      }),
    });
    browser = await launchChromium();
    supervisor = await pipeline.login('supervisor@firstline.example');
    ann = await pipeline.login('ann@firstline.example');
    bill = await pipeline.login('bill@firstline.example');
    desk = await signIn(browser, `${pipeline.tickets.url}/console/`, 'ann@firstline.example');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  /** The id of the ticket whose number or subject is given, once tickets has it. */
  async function ticketWhere(match: (ticket: { number: string; subject: string }) => boolean) {
    return waitFor(async () => {
      const { tickets } = await supervisor.ok<{
        tickets: Array<{ id: string; number: string; subject: string }>;
      }>('GET', '/queue?view=all');
      return tickets.find(match)?.id;
    }, 30_000);
  }

  it('a web-form photo opens for the team only, and the invoice reaches the status page', async () => {
    const webform = pipeline.also[0].service.url;
    const form = new FormData();
    const fields = {
      name: 'Carol Customer',
      email: `carol-${tag}@example.com`,
      topic: 'question',
      message: `Order ${tag}: the parcel arrived broken`,
    };
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('attachments', new Blob([PIXEL], { type: 'image/png' }), 'parcel.png');
    const submitted = await fetch(`${webform}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'idempotency-key': tag },
      body: form,
    });
    expect(submitted.status).toBe(201);
    const { statusUrl, statusApiUrl } = (await submitted.json()) as {
      statusUrl: string;
      statusApiUrl: string;
    };
    const ticketNumber = await waitFor(async () => {
      const status = (await (await fetch(statusApiUrl)).json()) as { ticketNumber: string | null };
      return status.ticketNumber ?? undefined;
    }, 30_000);
    const ticketId = await ticketWhere((ticket) => ticket.number === ticketNumber);

    // Ann (first line) sees the photo in the conversation.
    await openTicket(desk, ticketId);
    await previewShown(desk, 'parcel.png');

    // Its URL is the tickets service's, served as what the bytes are, and not to another team.
    const view = await ann.ok<{
      messages: Array<{ attachments: Array<{ downloadPath: string }> }>;
    }>('GET', `/tickets/${ticketId}`);
    const photoPath = view.messages[0].attachments[0].downloadPath;
    const asAnn = await fetch(`${pipeline.tickets.url}${photoPath}`, {
      headers: { authorization: `Bearer ${ann.token}` },
    });
    expect(asAnn.status).toBe(200);
    expect(asAnn.headers.get('content-type')).toBe('image/png');
    expect(asAnn.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asAnn.headers.get('content-disposition')).toBe(
      `inline; filename="parcel.png"; filename*=UTF-8''parcel.png`,
    );
    expect(Buffer.from(await asAnn.arrayBuffer()).equals(PIXEL)).toBe(true);
    const asBill = await fetch(`${pipeline.tickets.url}${photoPath}`, {
      headers: { authorization: `Bearer ${bill.token}` },
    });
    expect(asBill.status).toBe(403);
    expect((await fetch(`${pipeline.tickets.url}${photoPath}`)).status).toBe(401);
    // A reply may carry only what its agent uploaded to its ticket, refused before it is sent.
    const foreign = await ann.call<{ message: string }>('POST', `/tickets/${ticketId}/replies`, {
      text: 'Here is a file from elsewhere',
      attachments: [`sha256/${'0'.repeat(64)}`],
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.message).toMatch(/^Upload sha256\/0+ to ticket \d+ first/);

    // Ann attaches the invoice with the file picker and answers.
    const invoice = pdf(tag);
    const fileName = `Счёт ${tag}.pdf`;
    await desk.getByLabel('Files').setInputFiles({
      name: fileName,
      mimeType: 'application/pdf',
      buffer: invoice,
    });
    await desk.getByText(`${fileName} attached.`).waitFor({ timeout: 30_000 });
    await desk
      .getByLabel('Reply', { exact: true })
      .fill('Sorry! Here is the invoice for the refund.');
    await desk.getByRole('button', { name: 'Send reply' }).click();
    const sent = desk.locator('.entry.outbound', { hasText: 'invoice for the refund' });
    await sent.waitFor({ timeout: 30_000 });
    await sent.getByText(fileName, { exact: false }).waitFor();
    await screenshot(desk, 'files-1-agent-reply-with-invoice');

    // The customer downloads it from her status page.
    const customer = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await customer.goto(statusUrl);
    const link = customer.getByRole('link', { name: fileName });
    await link.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([customer.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(fileName);
    expect(readFileSync(await download.path()).equals(invoice)).toBe(true);
    await screenshot(customer, 'files-2-status-page-with-invoice');

    // The download is her page's own: another conversation's token does not open it.
    const href = (await link.getAttribute('href'))!;
    const elsewhere = href.replace(/\/status\/[^/]+\//, '/status/not-her-token/');
    expect((await fetch(elsewhere)).status).toBe(404);
  }, 120_000);

  it("an email's picture opens in the console, and the invoice dropped on the reply arrives by IMAP", async () => {
    const customer = `dave-${tag}@example.com`;
    const smtp = createTransport({ host: mail.host, port: mail.smtpPort, secure: false });
    await smtp.sendMail({
      from: customer,
      to: support,
      subject: `Broken screen ${tag}`,
      text: 'The screen cracked on the first day, photo attached.',
      attachments: [{ filename: 'screen.png', content: PIXEL, contentType: 'image/png' }],
    });
    smtp.close();
    const ticketId = await ticketWhere((ticket) => ticket.subject.includes(`Broken screen ${tag}`));

    await openTicket(desk, ticketId);
    await previewShown(desk, 'screen.png');

    // Ann drops the invoice on her reply.
    const invoice = pdf(`${tag}mail`);
    const dropped = await desk.evaluateHandle(
      ([name, base64]) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        // The page's own DataTransfer and File: this runs in Chromium, not in Node.
        const page = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: unknown): void } };
          File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
        };
        const transfer = new page.DataTransfer();
        transfer.items.add(new page.File([bytes], name, { type: 'application/pdf' }));
        return transfer;
      },
      ['invoice.pdf', invoice.toString('base64')] as const,
    );
    await desk.locator('form.composer.reply').dispatchEvent('drop', { dataTransfer: dropped });
    await desk.getByText('invoice.pdf attached.').waitFor({ timeout: 30_000 });
    await desk.getByLabel('Reply', { exact: true }).fill('Here is the invoice for the new screen.');
    await desk.getByRole('button', { name: 'Send reply' }).click();
    await desk.locator('.entry.outbound', { hasText: 'new screen' }).waitFor({ timeout: 30_000 });

    const received = await waitFor(async () => {
      const mails = await mailsIn(mail, customer);
      return mails.length > 0 ? simpleParser(mails[mails.length - 1]) : undefined;
    }, 60_000);
    expect(received.text).toContain('Here is the invoice for the new screen.');
    expect(received.attachments.map((file) => file.filename)).toEqual(['invoice.pdf']);
    expect(received.attachments[0].contentType).toBe('application/pdf');
    expect(received.attachments[0].content.equals(invoice)).toBe(true);
  }, 120_000);
});
