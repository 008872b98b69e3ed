import type { Browser, Page } from 'playwright-core';
import { create, DirectoryKind, DirectoryRecordSchema } from '@firstline/contracts';
import {
  ChatDeployment,
  publishDirectoryToRun,
  waitFor,
  type AgentApi,
  type ChatTopology,
} from '@firstline/testing';
import { launchChromium, screenshot, signIn } from '../../agent-console/test/browser';

interface QueueTicket {
  id: string;
  subject: string;
  channel: string;
  teamId: string;
  assigneeId: string | null;
}

/**
 * Issue 19's "done when", one scenario run in each topology: with one chat and one tickets
 * replica, and with two of each (every replica a process of its own on the real broker and
 * Postgres, dist/ as production runs them, one router, the demo directory). Visitors' sockets
 * and requests go to the chat replicas in turn (the browser's through a balancer that drains one
 * replica onto the other), agents' consoles and requests to the tickets replicas in turn. The
 * scenario: the visitor writes and the agent sees it, the agent answers and the visitor sees it,
 * live; reloads keep the history; an agent at chat capacity leaves the fourth chat queued until a
 * slot frees; the rating at a chat's close reaches the supervisor's KPIs; out of hours the widget
 * offers the message form, whose message becomes a ticket. Speed is the benchmark's to measure
 * (tools/bench-chat.mjs): the test waits on what each side observes, never on a clock.
 */
describe.each<[string, ChatTopology]>([
  ['one chat replica and one tickets replica', { chatReplicas: 1, ticketsReplicas: 1 }],
  ['two chat replicas and two tickets replicas', { chatReplicas: 2, ticketsReplicas: 2 }],
])('live chat with %s', (_topology, topology) => {
  // A team of this run only, whose hours (closed now) reach this run's services alone.
  const nightTeam = `night-${Date.now().toString(36)}-${topology.chatReplicas}`;
  let deployment: ChatDeployment;
  let browser: Browser;
  let tag: string;
  // The second replica of each pair; with one replica, that one again.
  const other = 1;

  beforeAll(async () => {
    deployment = await ChatDeployment.start(topology, {
      CHAT_TOKEN_SECRET: 'chat-replicas-test-secret-of-32-chars!',
      CHAT_SITES: JSON.stringify({ night: { team: nightTeam } }),
    });
    tag = deployment.run.slice(-8);
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await deployment?.stop();
  });

  const bubble = (page: Page, text: string) =>
    page.getByRole('log', { name: 'Messages' }).getByText(text, { exact: true });
  const queue = async (agent: AgentApi, view: 'mine' | 'team' | 'all', channel = '') =>
    (
      await agent.ok<{ tickets: QueueTicket[] }>(
        'GET',
        `/queue?view=${view}&limit=200${channel && `&channel=${channel}`}`,
      )
    ).tickets;
  const chatOf = async (agent: AgentApi, view: 'mine' | 'team', text: string) =>
    (await queue(agent, view)).find((ticket) => ticket.subject.includes(text));
  /** A visitor on the shop's page, the widget open. */
  const openWidget = async (path = '/') => {
    const visitor = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await visitor.goto(`${deployment.shop.url}${path}`);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    return visitor;
  };

  it('the visitor and the agent hear each other live on any replicas, a reload keeps the history, and the rating reaches the KPIs', async () => {
    const question = `Order ${tag}: where is my parcel?`;
    const annOnB = await signIn(
      browser,
      `${deployment.ticketsReplica(other)}/console/`,
      'ann@firstline.example',
    );
    await annOnB.keyboard.press('2'); // the team's unassigned tickets
    await annOnB.getByRole('tab', { name: 'Team', selected: true }).waitFor();

    // The visitor's page and socket: chat replica A.
    const visitor = await openWidget();
    const box = visitor.getByLabel('Your message');
    await box.fill(question);
    await box.press('Enter');
    await visitor.getByText('Delivered').waitFor({ timeout: 60_000 });

    // The agent on tickets replica B sees the new chat live, whichever replica made the ticket.
    const row = annOnB.locator('table.queue tbody tr', { hasText: question });
    await row.waitFor({ timeout: 60_000 });
    await row.click();
    await annOnB.getByRole('heading', { name: 'Conversation' }).waitFor();
    const ticketRoute = new URL(annOnB.url()).hash;

    const answer = `Your parcel ${tag} left our warehouse this morning.`;
    await annOnB.getByLabel('Reply', { exact: true }).fill(answer);
    await annOnB.getByRole('button', { name: 'Send reply' }).click();
    await bubble(visitor, answer).waitFor({ timeout: 60_000 });

    // Chat replica A is drained: the reload lands on replica B and keeps the history.
    deployment.balancer.moveTo(deployment.chatReplica(other));
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    for (const text of [question, answer]) await bubble(visitor, text).waitFor({ timeout: 60_000 });

    // Now the agent works through tickets replica A.
    const annOnA = await signIn(
      browser,
      `${deployment.ticketsReplica(0)}/console/`,
      'ann@firstline.example',
    );
    await annOnA.evaluate((route) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = route;
    }, ticketRoute);
    await annOnA.getByRole('heading', { name: 'Conversation' }).waitFor();
    await annOnA.locator('.timeline .entry.outbound', { hasText: answer }).waitFor();

    const followUp = `Thanks! Can it come on Friday? ${tag}`;
    await box.fill(followUp);
    await box.press('Enter');
    await annOnA
      .locator('.timeline .entry.inbound', { hasText: followUp })
      .waitFor({ timeout: 60_000 });

    const second = `Friday it is, ${tag}.`;
    await annOnA.getByLabel('Reply', { exact: true }).fill(second);
    await annOnA.getByRole('button', { name: 'Send reply' }).click();
    await bubble(visitor, second).waitFor({ timeout: 60_000 });
    await screenshot(visitor, `chat-replicas-${topology.chatReplicas}-visitor`);

    // Back on replica A after another reload: the whole conversation, once each.
    deployment.balancer.moveTo(deployment.chatReplica(0));
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    for (const text of [question, answer, followUp, second]) {
      await bubble(visitor, text).waitFor({ timeout: 60_000 });
      expect(await bubble(visitor, text).count()).toBe(1);
    }
    // Each of the visitor's two messages keeps its mark: delivered, or read once an agent saw it.
    expect(await visitor.getByText(/^(Delivered|Read)$/).count()).toBe(2);

    // The agent ends the chat through replica B; the visitor, on replica A, rates it.
    const ann = await deployment.login('ann@firstline.example', other);
    const chat = (await chatOf(ann, 'team', question)) ?? (await chatOf(ann, 'mine', question));
    await ann.ok('POST', `/tickets/${chat!.id}/status`, { status: 'resolved' });
    await bubble(visitor, 'The chat has ended. How satisfied are you with our help?').waitFor({
      timeout: 60_000,
    });
    await visitor.getByRole('radio', { name: '4 of 5' }).check();
    await visitor.getByLabel('Comment (optional)').fill('Quick and kind');
    await visitor.getByRole('button', { name: 'Send rating' }).click();
    await visitor.getByText('Thank you! Your rating of 4 of 5 is recorded.').waitFor();

    // The supervisor's KPIs, through replica A, count it.
    const sam = await deployment.login('supervisor@firstline.example', 0);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const summary = await waitFor(
      async () => {
        const report = await sam.ok<{ groups: Array<{ summary: Record<string, number> }> }>(
          'GET',
          `/kpis?by=team&teamId=${chat!.teamId}&from=${from}&to=${to}`,
        );
        const found = report.groups[0]?.summary;
        return found && found.csatResponses === 1 ? found : undefined;
      },
      60_000,
      'the rating in the KPIs',
    );
    expect(summary).toMatchObject({ csatAverage: 4, csatResponses: 1 });

    await annOnA.context().close();
    await annOnB.context().close();
    await visitor.context().close();
  }, 300_000);

  it('an agent at chat capacity leaves the fourth chat queued, and the slot a closed chat frees takes it', async () => {
    // Ann, online in the console on tickets replica A: the team's three chats per agent.
    const console = await signIn(
      browser,
      `${deployment.ticketsReplica(0)}/console/`,
      'ann@firstline.example',
    );
    await console.getByLabel('Presence').selectOption('online');
    await console.getByRole('tab', { name: 'Mine', selected: true }).waitFor();
    const ann = [
      await deployment.login('ann@firstline.example', 0),
      await deployment.login('ann@firstline.example', other),
    ];
    const row = (text: string) => console.locator('table.queue tbody tr', { hasText: text });

    // Three chats from visitors on the chat replicas in turn fill her slots, live in her queue.
    // The router promises no order between conversations, so the fourth is sent only once the
    // three are hers: sent together, any three of the four could be the ones she takes.
    const texts = [1, 2, 3, 4].map((n) => `Hello ${tag}, chat ${n}`);
    for (const [n, text] of texts.slice(0, 3).entries()) await deployment.apiVisitor(text, n);
    for (const text of texts.slice(0, 3)) await row(text).waitFor({ timeout: 60_000 });
    await waitFor(
      async () =>
        (await queue(ann[1], 'mine')).filter((ticket) => ticket.subject.includes(`${tag}, chat`))
          .length === 3 || undefined,
      60_000,
      'three chats assigned to Ann',
    );

    // The fourth waits in the team's queue, unassigned, as her console's Team tab shows.
    await deployment.apiVisitor(texts[3], 3);
    const queued = await waitFor(
      async () => chatOf(ann[0], 'team', texts[3]),
      60_000,
      'the fourth chat queued',
    );
    expect(queued.assigneeId).toBeNull();
    await console.keyboard.press('2');
    await console.getByRole('tab', { name: 'Team', selected: true }).waitFor();
    await row(texts[3]).waitFor({ timeout: 60_000 });
    await screenshot(console, `chat-replicas-${topology.chatReplicas}-fourth-queued`);
    expect((await queue(ann[1], 'mine')).some((ticket) => ticket.id === queued.id)).toBe(false);

    // She ends one through replica B: the freed slot takes the chat that waited.
    const ended = (await chatOf(ann[1], 'mine', texts[1]))!;
    await ann[1].ok('POST', `/tickets/${ended.id}/status`, { status: 'resolved' });
    await console.keyboard.press('1');
    await console.getByRole('tab', { name: 'Mine', selected: true }).waitFor();
    await row(texts[3]).waitFor({ timeout: 60_000 });
    expect((await chatOf(ann[0], 'mine', texts[3]))?.id).toBe(queued.id);

    await console.getByLabel('Presence').selectOption('offline');
    await console.context().close();
  }, 300_000);

  it('out of hours the widget offers the message form, and the message becomes an email ticket', async () => {
    // Open one hour a week, three days from today: closed now.
    const weekday = ((new Date().getUTCDay() + 2) % 7) + 1;
    await publishDirectoryToRun(deployment.run, [
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
    // Every chat replica keeps its own copy of the directory: each knows the team closed.
    for (const chat of deployment.chat) {
      await waitFor(
        async () => {
          const answer = await fetch(`${chat}/chat/site?site=night`);
          const { availability } = (await answer.json()) as { availability: { state: string } };
          return availability.state === 'closed';
        },
        60_000,
        `the night team known to be closed at ${chat}`,
      );
    }

    const visitor = await openWidget('/night');
    await visitor.getByText(/We are closed now and open again .+\. Leave a message/).waitFor();
    // The form's answer goes to the other replica than the page came from.
    deployment.balancer.moveTo(deployment.chatReplica(other));
    const text = `Order ${tag}: please change the delivery address.`;
    const email = `olga-${tag}@example.com`;
    await visitor.getByLabel('Your name (optional)').fill(`Olga ${tag}`);
    await visitor.getByLabel('Email').fill(email);
    await visitor.getByRole('textbox', { name: 'Your message' }).fill(text);
    await visitor.getByRole('button', { name: 'Send the message' }).click();
    await visitor
      .getByText(`Thank you! We have your message and will answer at ${email}.`)
      .waitFor({ timeout: 60_000 });
    deployment.balancer.moveTo(deployment.chatReplica(0));

    // A ticket of the email channel, to the address given, seen through either tickets replica.
    for (const n of [0, other]) {
      const sam = await deployment.login('supervisor@firstline.example', n);
      const ticket = await waitFor(
        async () =>
          (await queue(sam, 'all', 'email')).find(
            (candidate) => candidate.subject === 'Message left in the chat',
          ),
        60_000,
        'the left message as a ticket',
      );
      expect(ticket.channel).toBe('email');
      const view = await sam.ok<{ messages?: Array<{ textBody?: string }> }>(
        'GET',
        `/tickets/${ticket.id}`,
      );
      expect(JSON.stringify(view)).toContain(text);
      expect(JSON.stringify(view)).toContain(email);
    }
    await visitor.context().close();
  }, 300_000);
});
