import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Locator, Page } from 'playwright-core';
import { routerService } from '@firstline/router';
import { Pipeline, waitFor } from '@firstline/testing';
import { ticketsService } from '@firstline/tickets';
import { buildConsole, launchChromium, screenshot, signIn } from '../../agent-console/test/browser';
import { channelChatService } from '../src';

/** A 1×1 PNG, the visitor's photo of the broken screen. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** A PDF with a byte pattern of its own, larger than one stored part. */
function pdf(tag: string): Buffer {
  return Buffer.concat([
    Buffer.from(`%PDF-1.4\n% ${tag}\n`),
    Buffer.alloc(400_000, tag),
    Buffer.from('\n%%EOF\n'),
  ]);
}

/** Waits until the picture is shown decoded (its bytes fetched with a token, as a blob URL). */
async function pictureShown(picture: Locator): Promise<void> {
  await picture.waitFor({ timeout: 30_000 });
  await waitFor(
    () =>
      picture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth === 1),
    30_000,
  );
}

/** Clicks a link that downloads a file and answers the bytes the browser saved, and its name. */
async function downloaded(page: Page, link: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

/**
 * Issue 19's "sends images and files" in real Chromium, across router, tickets and the console on
 * the real broker and a local S3 bucket: the visitor sends a picture and a PDF from the widget; the
 * agent sees the picture in the ticket and downloads the PDF byte for byte; the agent answers with
 * a file the visitor downloads byte for byte; a reload keeps all three on both sides.
 */
describe('files in live chat, in a browser', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let shop: Server;
  let shopUrl: string;

  beforeAll(async () => {
    buildConsole();
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelChatService,
      channelSettings: () => ({ CHAT_TOKEN_SECRET: 'chat-files-browser-secret-of-32-chars' }),
    });
    shop = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop</h1>
<script src="${pipeline.channel.url}/chat/widget.js" data-locale="en" async></script>
</body></html>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    await new Promise((resolve) => shop?.close(resolve));
  });

  it('the visitor sends a picture and a PDF, the agent answers with a file, both download the same bytes, and reloads keep them', async () => {
    const tag = pipeline.run.slice(-8);
    const question = `Order ${tag}: the screen arrived broken`;
    const invoice = pdf(`${tag}-visitor`);
    const label = pdf(`${tag}-agent`);
    const ann = await signIn(browser, `${pipeline.tickets.url}/console/`, 'ann@firstline.example');
    await ann.keyboard.press('2');
    await ann.getByRole('tab', { name: 'Team', selected: true }).waitFor();

    const visitor = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await visitor.goto(shopUrl);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    const box = visitor.getByLabel('Your message');
    await box.fill(question);
    await box.press('Enter');
    const row = ann.locator('table.queue tbody tr', { hasText: question });
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await ann.locator('.timeline .entry.inbound', { hasText: question }).waitFor();

    // By keyboard: the labelled button opens the file picker; the two files go as they are picked.
    const attach = visitor.getByRole('button', { name: 'Attach a file' });
    await attach.focus();
    const choosing = visitor.waitForEvent('filechooser');
    // Playwright takes the page's file choosers over asynchronously; a round trip to the page
    // makes sure it has before the key opens one, which would otherwise go to the browser itself.
    await visitor.evaluate(() => undefined);
    await visitor.keyboard.press('Enter');
    const chooser = await choosing;
    await chooser.setFiles([
      { name: 'screen.png', mimeType: 'image/png', buffer: PIXEL },
      { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: invoice },
    ]);
    const log = visitor.getByRole('log', { name: 'Messages' });
    await pictureShown(log.getByRole('img', { name: 'screen.png' }));
    await log.getByRole('link', { name: 'invoice.pdf (391 KB)' }).waitFor({ timeout: 30_000 });
    // Each was uploaded and then sent as a message of its own, which Firstline took.
    await waitFor(async () => (await visitor.getByText('Sending…').count()) === 0, 30_000);

    // The agent sees the picture in the ticket and downloads the PDF through the tickets route.
    await pictureShown(ann.locator('.timeline').getByRole('img', { name: 'screen.png' }));
    const fromVisitor = await downloaded(
      ann,
      ann.locator('.timeline').getByRole('link', { name: /^invoice\.pdf/ }),
    );
    expect(fromVisitor.name).toBe('invoice.pdf');
    expect(fromVisitor.bytes.equals(invoice)).toBe(true);
    await screenshot(ann, 'chat-files-1-agent');

    // A file the chat does not take is refused in the widget, said as an alert.
    await visitor
      .locator('[data-firstline-chat] input[type=file]')
      .setInputFiles({ name: 'tool.zip', mimeType: 'application/zip', buffer: Buffer.from('PK') });
    await visitor
      .getByRole('alert')
      .getByText('tool.zip cannot be sent: pictures, PDF and text files can.')
      .waitFor();

    // The agent answers with a file; the visitor downloads it from the widget.
    await ann.getByLabel('Files').setInputFiles({
      name: 'return-label.pdf',
      mimeType: 'application/pdf',
      buffer: label,
    });
    await ann.getByText('return-label.pdf attached.').waitFor({ timeout: 30_000 });
    const answer = `Sorry! Here is the return label for ${tag}.`;
    await ann.getByLabel('Reply', { exact: true }).fill(answer);
    await ann.getByRole('button', { name: 'Send reply' }).click();
    const reply = visitor.locator('li.agent', { hasText: answer });
    await reply.waitFor({ timeout: 30_000 });
    const fromAgent = await downloaded(
      visitor,
      reply.getByRole('link', { name: /^return-label\.pdf/ }),
    );
    expect(fromAgent.name).toBe('return-label.pdf');
    expect(fromAgent.bytes.equals(label)).toBe(true);
    await screenshot(visitor, 'chat-files-2-visitor');

    // A reload keeps the files both ways, on both sides.
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await pictureShown(log.getByRole('img', { name: 'screen.png' }));
    await log.getByRole('link', { name: 'invoice.pdf (391 KB)' }).waitFor();
    const again = await downloaded(
      visitor,
      log.locator('li.agent', { hasText: answer }).getByRole('link', { name: /^return-label/ }),
    );
    expect(again.bytes.equals(label)).toBe(true);
    await ann.reload();
    await pictureShown(ann.locator('.timeline').getByRole('img', { name: 'screen.png' }));
    await ann
      .locator('.timeline .entry.outbound', { hasText: answer })
      .getByText('return-label.pdf', { exact: false })
      .waitFor({ timeout: 30_000 });

    await ann.context().close();
    await visitor.context().close();
  }, 180_000);
});
