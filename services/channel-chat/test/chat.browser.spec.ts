import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { routerService } from '@firstline/router';
import { Pipeline } from '@firstline/testing';
import { ticketsService } from '@firstline/tickets';
import { buildConsole, launchChromium, screenshot, signIn } from '../../agent-console/test/browser';
import { channelChatService } from '../src';

/**
 * Issue 19's first promise in real Chromium, across the services on the real broker: a visitor on
 * a shop's plain HTML page (another origin) writes in the chat widget; the agent sees it in the
 * console's queue and ticket view, answers, and the visitor sees the answer; a reload keeps the
 * conversation. The pipeline's router knows no directory and queues every ticket for the
 * first-line team, whose tab the agent watches.
 */
describe('live chat in a browser, through router, tickets and the agent console', () => {
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
      channelSettings: () => ({ CHAT_TOKEN_SECRET: 'chat-browser-test-secret-of-32-chars!' }),
    });
    shop = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop</h1><p>Questions about your order? Chat with us.</p>
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

  const bubble = (page: Page, text: string) =>
    page.getByRole('log', { name: 'Messages' }).getByText(text, { exact: true });

  it('the visitor writes, the agent answers, each sees the other typing and reading, live, and a reload keeps it', async () => {
    const tag = pipeline.run.slice(-8);
    const question = `Order ${tag}: where is my parcel?`;
    const ann = await signIn(browser, `${pipeline.tickets.url}/console/`, 'ann@firstline.example');
    await ann.keyboard.press('2'); // the team's unassigned tickets
    await ann.getByRole('tab', { name: 'Team', selected: true }).waitFor();

    const visitor = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await visitor.goto(shopUrl);
    // By keyboard: the launcher opens the window with the text box focused.
    const launcher = visitor.getByRole('button', { name: 'Chat with us' });
    await launcher.focus();
    await visitor.keyboard.press('Enter');
    const box = visitor.getByLabel('Your message');
    await box.waitFor();
    await box.fill(question);

    // Visitor → agent: a new ticket in the queue, live (the queue is never reloaded but by a push).
    const row = ann.locator('table.queue tbody tr', { hasText: question });
    await box.press('Enter');
    await row.waitFor({ timeout: 30_000 });
    await visitor.getByText('Delivered').waitFor();
    expect(await row.textContent()).toContain('Live chat');
    await screenshot(ann, 'chat-1-queue');

    await row.click();
    await ann.getByRole('heading', { name: 'Conversation' }).waitFor();
    await ann.locator('.timeline .entry.inbound', { hasText: question }).waitFor();
    // The agent has the conversation in front of them: the visitor's message shows it was read.
    const ownMessage = (text: string) => visitor.locator('li.visitor', { hasText: text });
    await ownMessage(question).getByText('Read', { exact: true }).waitFor({ timeout: 30_000 });

    // Typing, both ways: the agent's first name in the widget, the visitor's cue in the console.
    const reply = ann.getByLabel('Reply', { exact: true });
    await reply.pressSequentially('Your parcel');
    await visitor.getByText('Ann is typing…').waitFor({ timeout: 30_000 });
    await box.pressSequentially('And when');
    await ann.getByText('The visitor is typing…').waitFor({ timeout: 30_000 });
    await screenshot(visitor, 'chat-typing-visitor');

    // Agent → visitor; the widget is open on a visible page, so the agent sees the reply read.
    const answer = `Your parcel ${tag} left our warehouse this morning.`;
    await reply.fill(answer);
    await ann.getByRole('button', { name: 'Send reply' }).click();
    await bubble(visitor, answer).waitFor({ timeout: 30_000 });
    await visitor.locator('li.agent', { hasText: answer }).getByText('Ann').waitFor();
    // The reply ends the cue.
    expect(await visitor.getByText('Ann is typing…').count()).toBe(0);
    await ann
      .locator('.timeline .entry.outbound', { hasText: answer })
      .locator('.delivery', { hasText: 'read' })
      .waitFor({ timeout: 30_000 });

    // Visitor → agent again, into the open ticket.
    const followUp = `Thanks! ${tag}`;
    await box.fill(followUp);
    await box.press('Enter');
    await ann
      .locator('.timeline .entry.inbound', { hasText: followUp })
      .waitFor({ timeout: 30_000 });
    await screenshot(visitor, 'chat-2-visitor');

    // The agent has the ticket open: the follow-up is read too.
    await ownMessage(followUp).getByText('Read', { exact: true }).waitFor({ timeout: 30_000 });

    // A reload keeps the conversation and its read marks.
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    for (const text of [question, answer, followUp]) await bubble(visitor, text).waitFor();
    for (const text of [question, followUp])
      await ownMessage(text).getByText('Read', { exact: true }).waitFor();
    // …and so does the console's.
    await ann.reload();
    await ann
      .locator('.timeline .entry.outbound', { hasText: answer })
      .locator('.delivery', { hasText: 'read' })
      .waitFor({ timeout: 30_000 });

    // Escape closes the window and gives the focus back to the launcher.
    await box.press('Escape');
    expect(await visitor.getByRole('dialog').count()).toBe(0);
    expect(
      await launcher.evaluate((element) => {
        const root = element.getRootNode() as unknown as { activeElement: unknown };
        return root.activeElement === element;
      }),
    ).toBe(true);

    await ann.context().close();
    await visitor.context().close();
  }, 120_000);
});
