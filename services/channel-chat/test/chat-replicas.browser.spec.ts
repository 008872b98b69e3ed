import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import {
  buildDist,
  createTestDatabase,
  ensureKafka,
  Replica,
  startGroupsAtTopicEnd,
  uniqueName,
  type TestDatabase,
} from '@firstline/testing';
import { launchChromium, screenshot, signIn } from '../../agent-console/test/browser';

/**
 * The site's one chat address in front of the chat replicas, as a load balancer: every new
 * connection goes to the current target; `moveTo` sends new ones elsewhere and cuts the open ones
 * (a replica drained), so the widget reconnects to the other replica.
 */
class Balancer {
  private target = '';
  private readonly open = new Set<Socket>();
  private readonly server = createTcpServer((client) => {
    const { hostname, port } = new URL(this.target);
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on('close', () => this.open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  moveTo(url: string): void {
    this.target = url;
    for (const socket of this.open) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Issue 19's second "done when": the chat in real Chromium with two chat replicas and two tickets
 * replicas, each a process of its own on the real broker and Postgres (dist/, as production runs
 * them), and one router. The visitor's socket is on chat replica A while the agent answers through
 * tickets replica B; then A is drained, the visitor reloads onto chat replica B and the agent
 * answers through tickets replica A. Whichever chat replica's consumer stores a reply, the
 * replica holding the visitor's socket pushes it.
 */
describe('live chat over two chat replicas and two tickets replicas', () => {
  const run = uniqueName('chat-scale').replace(/\W/g, '-');
  const replicas: Replica[] = [];
  const databases: TestDatabase[] = [];
  const balancer = new Balancer();
  let browser: Browser;
  let shop: Server;
  let shopUrl: string;
  let chat: { a: string; b: string };
  let tickets: { a: string; b: string };

  beforeAll(async () => {
    buildDist();
    const [brokers, router, ticketsDb, chatDb] = await Promise.all([
      ensureKafka(),
      createTestDatabase(),
      createTestDatabase(),
      createTestDatabase(),
    ]);
    databases.push(router, ticketsDb, chatDb);
    // Every group of the run starts at the topics' end, the tickets replicas' own ones too.
    await startGroupsAtTopicEnd(brokers, [
      `router-${run}`,
      `tickets-${run}`,
      `tickets-${run}.replica.tickets-a`,
      `tickets-${run}.replica.tickets-b`,
      `channel-chat-${run}`,
    ]);
    const common = { KAFKA_BROKERS: brokers.join(',') };
    const start = (id: string, directory: string, database: TestDatabase, env = {}) => {
      const replica = new Replica(id, directory, run, {
        ...common,
        DATABASE_URL: database.url,
        ...env,
      });
      replicas.push(replica);
      return replica.listening();
    };
    const secret = { CHAT_TOKEN_SECRET: 'chat-replicas-test-secret-of-32-chars!' };
    // The first tickets replica seeds the demo's agents before the second starts on it.
    const ticketsA = await start('tickets-a', 'tickets', ticketsDb, { FIRSTLINE_DEMO: '1' });
    const [ticketsB, , chatA, chatB] = await Promise.all([
      start('tickets-b', 'tickets', ticketsDb, { FIRSTLINE_DEMO: '1' }),
      start('router-1', 'router', router),
      start('chat-a', 'channel-chat', chatDb, secret),
      start('chat-b', 'channel-chat', chatDb, secret),
    ]);
    tickets = { a: ticketsA, b: ticketsB };
    chat = { a: chatA, b: chatB };

    const front = await balancer.start();
    balancer.moveTo(chat.a);
    shop = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop</h1>
<script src="${front}/chat/widget.js" data-locale="en" async></script>
</body></html>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await balancer.stop();
    await new Promise((resolve) => shop?.close(resolve));
    await Promise.all(replicas.map((replica) => replica.stop()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  const bubble = (page: Page, text: string) =>
    page.getByRole('log', { name: 'Messages' }).getByText(text, { exact: true });

  it('the visitor on chat replica A hears the agent on tickets replica B, and after a reload onto B the agent on A', async () => {
    const tag = run.slice(-8);
    const question = `Order ${tag}: where is my parcel?`;
    const annOnB = await signIn(browser, `${tickets.b}/console/`, 'ann@firstline.example');
    await annOnB.keyboard.press('2'); // the team's unassigned tickets
    await annOnB.getByRole('tab', { name: 'Team', selected: true }).waitFor();

    // The visitor's page and socket: chat replica A.
    const visitor = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await visitor.goto(shopUrl);
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
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
    balancer.moveTo(chat.b);
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    for (const text of [question, answer]) await bubble(visitor, text).waitFor({ timeout: 60_000 });

    // Now the agent works through tickets replica A.
    const annOnA = await signIn(browser, `${tickets.a}/console/`, 'ann@firstline.example');
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
    await screenshot(visitor, 'chat-replicas-visitor');

    // Back on replica A after another reload: the whole conversation, once each.
    balancer.moveTo(chat.a);
    await visitor.reload();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    for (const text of [question, answer, followUp, second]) {
      await bubble(visitor, text).waitFor({ timeout: 60_000 });
      expect(await bubble(visitor, text).count()).toBe(1);
    }
    // Each of the visitor's two messages keeps its mark: delivered, or read once an agent saw it.
    expect(await visitor.getByText(/^(Delivered|Read)$/).count()).toBe(2);

    await annOnA.context().close();
    await annOnB.context().close();
    await visitor.context().close();
  }, 300_000);
});
