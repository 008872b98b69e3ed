import type { Browser, Page } from 'playwright-core';
import { routerService } from '@firstline/router';
import {
  apiVisitor,
  Pipeline,
  startShop,
  waitFor,
  type AgentApi,
  type Shop,
} from '@firstline/testing';
import { ticketsService } from '@firstline/tickets';
import { buildConsole, launchChromium, screenshot, signIn } from '../../agent-console/test/browser';
import { ChatInactivityTimer } from '../../tickets/src/tickets/chat-inactivity.timer';
import { channelChatService } from '../src';

interface QueueTicket {
  id: string;
  subject: string;
  channel: string;
  teamId: string;
  assigneeId: string | null;
}

/**
 * Issue 19's agent side in real Chromium, with the demo directory reaching the router: the first
 * chat reaches Ann live with a chime and a mark; she hands the browser visitor's chat to Sam, the
 * visitor sees him join with the history kept; Sam ends the chat and the visitor rates it and
 * asks for the transcript; a quiet chat ends by itself with the same survey. Capacity (the fourth
 * chat queued) and the rating in the KPIs are issue 19's "done when", tested in every topology by
 * chat-replicas.browser.spec.ts.
 */
describe('live chat, the agent side, in a browser', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let shop: Shop;
  let ann: AgentApi;
  let sam: AgentApi;

  beforeAll(async () => {
    buildConsole();
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelChatService,
      channelSettings: () => ({ CHAT_TOKEN_SECRET: 'chat-agent-test-secret-of-32-chars!!' }),
      withDirectory: true,
    });
    shop = await startShop(pipeline.channel.url);
    browser = await launchChromium();
    ann = await pipeline.login('ann@firstline.example');
    sam = await pipeline.login('supervisor@firstline.example');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    await shop?.close();
  });

  const queue = async (agent: AgentApi, view: 'mine' | 'team') =>
    (await agent.ok<{ tickets: QueueTicket[] }>('GET', `/queue?view=${view}&limit=200`)).tickets;
  const chatOf = async (agent: AgentApi, view: 'mine' | 'team', text: string) =>
    (await queue(agent, view)).find((ticket) => ticket.subject.includes(text));
  const bubble = (page: Page, text: string) =>
    page.getByRole('log', { name: 'Messages' }).getByText(text, { exact: true });

  it('brings Ann the first chat live, hands it over with the visitor told, and ends quiet chats', async () => {
    const tag = pipeline.run.slice(-8);
    const console = await signIn(
      browser,
      `${pipeline.tickets.url}/console/`,
      'ann@firstline.example',
    );
    // Counts the chime's notes: the console makes them with Web Audio, on the first chat.
    await console.evaluate(() => {
      const scope = globalThis as unknown as {
        chimeNotes: number;
        AudioContext: { prototype: { createOscillator(): unknown } };
      };
      const prototype = scope.AudioContext.prototype;
      const original = prototype.createOscillator;
      scope.chimeNotes = 0;
      prototype.createOscillator = function (this: unknown) {
        scope.chimeNotes += 1;
        return original.call(this);
      };
    });
    await console.getByLabel('Presence').selectOption('online');
    await console.getByRole('tab', { name: 'Mine', selected: true }).waitFor();

    // The first chat, from a browser, reaches Ann's own queue live with a sound and a mark.
    const visitor = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await visitor.goto(shop.url);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    const first = `Hello ${tag}, one`;
    await visitor.getByLabel('Your message').fill(first);
    await visitor.getByLabel('Your message').press('Enter');
    const row = console.locator('table.queue tbody tr.new-chat', { hasText: first });
    await row.waitFor({ timeout: 60_000 });
    expect(await row.getByText('New chat').count()).toBe(1);
    expect(await console.evaluate(() => (globalThis as { chimeNotes?: number }).chimeNotes)).toBe(
      2,
    );
    await screenshot(console, 'chat-agent-1-new-chat');
    await bubble(visitor, 'Ann has joined the chat.').waitFor({ timeout: 30_000 });

    // A second chat, which will stay quiet.
    const quietVisitor = await apiVisitor(pipeline.channel.url, `Hello ${tag}, quiet`);
    await waitFor(
      async () => (await chatOf(ann, 'mine', `${tag}, quiet`)) ?? undefined,
      60_000,
      'the quiet chat assigned to Ann',
    );

    // Sam comes online; Ann hands the browser visitor's chat to him in the ticket view.
    await sam.ok('PUT', '/me/presence', { presence: 'online' });
    const handedOver = (await chatOf(ann, 'mine', first))!;
    await row.click();
    await console.getByRole('heading', { name: 'Conversation' }).waitFor();
    await console.getByLabel('To', { exact: true }).selectOption(`agent:sam`);
    await console.getByLabel('Note for whoever takes it').fill('Asks about delivery; over to you.');
    await console.getByRole('button', { name: 'Transfer' }).click();
    await bubble(visitor, 'Sam has joined the chat.').waitFor({ timeout: 30_000 });
    await screenshot(visitor, 'chat-agent-2-handover');
    // The conversation stayed with the chat.
    await bubble(visitor, first).waitFor();
    await waitFor(async () => (await chatOf(sam, 'mine', first)) ?? undefined, 30_000);

    // Sam ends the chat; the visitor rates it and asks for the transcript.
    await sam.ok('POST', `/tickets/${handedOver.id}/status`, { status: 'resolved' });
    await bubble(visitor, 'The chat has ended. How satisfied are you with our help?').waitFor({
      timeout: 30_000,
    });
    await visitor.getByRole('radio', { name: '4 of 5' }).check();
    await visitor.getByLabel('Comment (optional)').fill('Quick and kind');
    await visitor.getByRole('button', { name: 'Send rating' }).click();
    await visitor.getByText('Thank you! Your rating of 4 of 5 is recorded.').waitFor();
    await visitor.getByLabel('Email me the transcript').fill(`visitor-${tag}@shop.example`);
    await visitor.getByRole('button', { name: 'Send the transcript' }).click();
    await visitor
      .getByText(`The transcript is on its way to visitor-${tag}@shop.example.`)
      .waitFor();
    await screenshot(visitor, 'chat-agent-3-rated');

    // A quiet chat ends by itself: resolved, and its visitor is asked for a rating too.
    const timer = pipeline.tickets.app.get(ChatInactivityTimer, { strict: false });
    const quietChat = (await chatOf(ann, 'mine', `${tag}, quiet`))!;
    expect(await timer.endQuietChats(new Date(Date.now() + 11 * 60_000))).toBeGreaterThanOrEqual(1);
    const view = await ann.ok<{ ticket: { status: string } }>('GET', `/tickets/${quietChat.id}`);
    expect(view.ticket.status).toBe('resolved');
    await waitFor(async () => {
      const answer = await fetch(`${pipeline.channel.url}/chat/messages?after=1`, {
        headers: { authorization: `Bearer ${quietVisitor}` },
      });
      const { messages } = (await answer.json()) as {
        messages: Array<{ text: string; survey?: unknown }>;
      };
      return messages.some((message) => message.survey) || undefined;
    }, 30_000);

    await console.context().close();
    await visitor.context().close();
  }, 300_000);
});
