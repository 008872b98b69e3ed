import type { Browser, Page } from 'playwright-core';
import { create, DirectoryKind, DirectoryRecordSchema } from '@firstline/contracts';
import { routerService } from '@firstline/router';
import { Pipeline, publishDirectoryToRun, startShop, waitFor, type Shop } from '@firstline/testing';
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
  let shop: Shop;
  let shopUrl: string;
  // A team of this run only: its calendar reaches this run's services alone (see below).
  const nightTeam = `night-${Date.now().toString(36)}`;

  beforeAll(async () => {
    buildConsole();
    pipeline = await Pipeline.start({
      router: routerService,
      tickets: ticketsService,
      channel: channelChatService,
      channelSettings: () => ({
        CHAT_TOKEN_SECRET: 'chat-browser-test-secret-of-32-chars!',
        // Two tabs of one visitor at once: a third waits for one of them to close.
        CHAT_CONNECTIONS_PER_VISITOR: '2',
        CHAT_SITES: JSON.stringify({
          shop: {
            prechat: {
              name: 'required',
              email: 'optional',
              topics: [
                { value: 'orders', label: { en: 'Orders', ru: 'Заказы' } },
                { value: 'returns', label: { en: 'Returns', ru: 'Возвраты' } },
              ],
            },
          },
          night: { team: nightTeam },
        }),
      }),
    });
    shop = await startShop(pipeline.channel.url);
    shopUrl = shop.url;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    await shop?.close();
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
    // The acknowledgement tells the visitor where they stand: nobody has taken the chat yet; so
    // does the status line above the messages, which follows the queue as it moves.
    const inLine = /You are \d+(st|nd|rd|th) in line\./;
    await visitor.locator('li', { hasText: inLine }).waitFor({ timeout: 30_000 });
    await visitor.locator('p.queue', { hasText: inLine }).waitFor({ timeout: 30_000 });
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

  /** The name (or id) of what has the focus inside the widget's shadow root. */
  const focused = (page: Page) =>
    page.locator('[data-firstline-chat]').evaluate((host) => {
      const active = host.shadowRoot?.activeElement;
      return active ? (active.getAttribute('name') ?? active.getAttribute('id')) : null;
    });

  it('asks the site’s pre-chat form first, by keyboard, with errors announced; the agent sees who it is, the transcript goes to its address', async () => {
    const tag = pipeline.run.slice(-8);
    const ann = await signIn(browser, `${pipeline.tickets.url}/console/`, 'ann@firstline.example');
    await ann.keyboard.press('2');
    await ann.getByRole('tab', { name: 'Team', selected: true }).waitFor();

    const visitor = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await visitor.goto(`${shopUrl}/shop`);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    const name = visitor.getByLabel('Your name');
    await name.waitFor();
    expect(await focused(visitor)).toBe('name');
    // Sent empty: the summary is an alert, each field says what is wrong, focus on the first.
    await visitor.keyboard.press('Enter');
    await visitor.getByRole('alert').getByText('Please correct the fields marked below.').waitFor();
    await visitor.getByText('Please enter your name.').waitFor();
    await visitor.getByText('Please choose a topic.').waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await focused(visitor)).toBe('name');
    await screenshot(visitor, 'chat-prechat-errors');

    await name.fill(`Maria ${tag}`);
    await visitor.getByLabel('Email (optional)').fill('not an address');
    await visitor.getByLabel('Topic').selectOption('orders');
    await visitor.getByRole('button', { name: 'Start the chat' }).click();
    await visitor.getByText('Please enter an email address like name@example.com.').waitFor();
    expect(await focused(visitor)).toBe('email');
    await visitor.getByLabel('Email (optional)').fill(`maria-${tag}@example.com`);
    await visitor.keyboard.press('Enter');

    // The conversation, with the text box focused.
    const box = visitor.getByLabel('Your message');
    await box.waitFor();
    expect(await focused(visitor)).toBe('flc-message');
    const question = `Order ${tag}: can I change the address?`;
    await box.fill(question);
    await box.press('Enter');
    const row = ann.locator('table.queue tbody tr', { hasText: question });
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await ann.getByRole('heading', { name: `Maria ${tag}` }).waitFor({ timeout: 30_000 });

    // A reload does not ask again.
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await bubble(visitor, question).waitFor();
    expect(await visitor.getByLabel('Your name').count()).toBe(0);

    // At the end the transcript is offered to the address the form took.
    const api = await pipeline.login('ann@firstline.example');
    const { tickets } = await api.ok<{ tickets: Array<{ id: string; subject: string }> }>(
      'GET',
      '/queue?view=team&limit=200',
    );
    const ticket = tickets.find((candidate) => candidate.subject.includes(question))!;
    await api.ok('POST', `/tickets/${ticket.id}/replies`, { text: 'Yes, it is changed.' });
    await api.ok('POST', `/tickets/${ticket.id}/status`, { status: 'resolved' });
    const transcriptTo = visitor.getByLabel('Email me the transcript');
    await transcriptTo.waitFor({ timeout: 30_000 });
    expect(await transcriptTo.inputValue()).toBe(`maria-${tag}@example.com`);
    await visitor.getByRole('button', { name: 'Send the transcript' }).click();
    await visitor.getByText(`The transcript is on its way to maria-${tag}@example.com.`).waitFor();

    await ann.context().close();
    await visitor.context().close();
  }, 120_000);

  it('a third tab of a visitor allowed two waits, and chats over its own socket once one tab closes', async () => {
    const tag = pipeline.run.slice(-8);
    const context = await browser.newContext({ locale: 'en-GB' });
    const first = await context.newPage();
    await first.goto(shopUrl);
    await first.getByRole('button', { name: 'Chat with us' }).click();
    await first.getByLabel('Your message').waitFor();
    // The token is kept: the next tabs of the site connect as soon as they load.
    const second = await context.newPage();
    await second.goto(shopUrl);
    await second.getByRole('button', { name: 'Chat with us' }).click();
    const third = await context.newPage();
    const closes: number[] = [];
    let served = false;
    let longPolls = 0;
    third.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        if (String(payload).includes('"type":"ready"')) served = true;
      });
      socket.on('close', () => closes.push(Date.now()));
    });
    third.on('request', (request) => {
      if (request.method() === 'GET' && request.url().includes('/chat/messages')) longPolls++;
    });
    await third.goto(shopUrl);
    // Turned away twice: a network blocking WebSockets would look the same to a widget that
    // did not tell the refusal apart.
    await waitFor(() => closes.length >= 2, 30_000, 'the third tab turned away twice');
    expect(served).toBe(false);

    await first.close();
    await waitFor(() => served, 30_000, 'the third tab served once the first closed');
    const question = `Order ${tag}: sent from my third tab`;
    await third.getByRole('button', { name: 'Chat with us' }).click();
    await third.getByLabel('Your message').fill(question);
    await third.getByLabel('Your message').press('Enter');
    await third.locator('li.visitor', { hasText: question }).getByText('Delivered').waitFor();
    // The widget never took the refusal for a network blocking WebSockets.
    expect(longPolls).toBe(0);
    await bubble(second, question).waitFor({ timeout: 30_000 });
    await context.close();
  }, 120_000);

  it('out of hours the widget says when it opens and takes a message, which becomes a ticket answered by email', async () => {
    const tag = pipeline.run.slice(-8);
    // Open one hour a week, three days from today: closed now.
    const weekday = ((new Date().getUTCDay() + 2) % 7) + 1;
    // Published to this run alone: every other run's services pass over it.
    await publishDirectoryToRun(pipeline.run, [
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.CALENDAR,
        id: nightTeam,
        version: 1,
        payload: {
          case: 'calendar',
          value: {
            id: nightTeam,
            name: 'Nights',
            timeZone: 'UTC',
            weeklyHours: [{ weekday, openMinute: 22 * 60, closeMinute: 23 * 60 }],
          },
        },
      }),
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.TEAM,
        id: nightTeam,
        version: 1,
        payload: {
          case: 'team',
          value: { id: nightTeam, name: 'Night shift', calendarId: nightTeam },
        },
      }),
    ]);
    await waitFor(
      async () => {
        const answer = await fetch(`${pipeline.channel.url}/chat/site?site=night`);
        const { availability } = (await answer.json()) as { availability: { state: string } };
        return availability.state === 'closed';
      },
      30_000,
      'the night team known to be closed',
    );

    const ann = await signIn(browser, `${pipeline.tickets.url}/console/`, 'ann@firstline.example');
    await ann.keyboard.press('2');
    await ann.getByRole('tab', { name: 'Team', selected: true }).waitFor();

    const visitor = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await visitor.goto(`${shopUrl}/night`);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await visitor.getByText(/We are closed now and open again .+\. Leave a message/).waitFor();
    expect(await focused(visitor)).toBe('name');
    await visitor.getByRole('button', { name: 'Send the message' }).click();
    await visitor.getByText('Please enter an email address like name@example.com.').waitFor();
    await visitor.getByText('Please write your message.').waitFor();
    expect(await focused(visitor)).toBe('email');

    const text = `Order ${tag}: please change the delivery address.`;
    const email = `olga-${tag}@example.com`;
    await visitor.getByLabel('Your name (optional)').fill(`Olga ${tag}`);
    await visitor.getByLabel('Email').fill(email);
    await visitor.getByRole('textbox', { name: 'Your message' }).fill(text);
    await visitor.getByRole('button', { name: 'Send the message' }).click();
    await visitor
      .getByText(`Thank you! We have your message and will answer at ${email}.`)
      .waitFor({ timeout: 30_000 });
    await screenshot(visitor, 'chat-left-message');

    // A ticket of the email channel, to the address given: the reply goes by email.
    const row = ann.locator('table.queue tbody tr', { hasText: 'Message left in the chat' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('Email');
    await row.click();
    await ann.locator('.timeline .entry.inbound', { hasText: text }).waitFor();
    await ann.getByText(email).first().waitFor();
    const api = await pipeline.login('ann@firstline.example');
    const { tickets } = await api.ok<{
      tickets: Array<{ id: string; channel: string; subject: string }>;
    }>('GET', '/queue?view=team&channel=email');
    const ticket = tickets.find((candidate) => candidate.subject === 'Message left in the chat');
    expect(ticket?.channel).toBe('email');

    await ann.context().close();
    await visitor.context().close();
  }, 120_000);
});
