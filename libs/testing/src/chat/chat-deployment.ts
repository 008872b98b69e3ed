import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildDist } from '../build';
import { ensureKafka, uniqueName } from '../kafka';
import { signInToApi, startGroupsAtTopicEnd, type AgentApi } from '../pipeline';
import { createTestDatabase, type TestDatabase } from '../postgres';
import { Balancer } from '../replicas/balancer';
import { Replica } from '../replicas/replica';

/** How many replicas of the chat and the tickets service a live-chat test runs. */
export interface ChatTopology {
  chatReplicas: number;
  ticketsReplicas: number;
}

/**
 * Live chat as production runs it, for end-to-end tests of issue 19 in any topology: one router,
 * `ticketsReplicas` tickets and `chatReplicas` chat processes (dist/, see Replica) on the real
 * broker and Postgres, sealed to one run with the run's directory let through (the demo's agents,
 * seeded by the first tickets replica, reach the router and the chat service's availability),
 * the chat replicas behind one `Balancer` (the site's chat address), and a shop: a plain HTML page
 * of another origin embedding the widget from that address, "/" plainly and "/<site>" for one of
 * CHAT_SITES.
 */
export class ChatDeployment {
  private constructor(
    readonly run: string,
    /** Each chat replica's own URL. */
    readonly chat: string[],
    /** Each tickets replica's own URL (its API and console). */
    readonly tickets: string[],
    /** The chat address the widget uses; `moveTo` a replica of `chat`. */
    readonly balancer: Balancer,
    /** The shop embedding the widget from the balancer's address. */
    readonly shop: Shop,
    private readonly replicas: Replica[],
    private readonly databases: TestDatabase[],
  ) {}

  static async start(
    topology: ChatTopology,
    /** CHAT_* settings of every chat replica (CHAT_TOKEN_SECRET, CHAT_SITES). */
    chatSettings: Record<string, string>,
  ): Promise<ChatDeployment> {
    buildDist();
    const run = uniqueName('chat').replace(/\W/g, '-');
    const ids = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, index) => `${prefix}-${'abcdefgh'[index]}`);
    const ticketsIds = ids('tickets', topology.ticketsReplicas);
    const chatIds = ids('chat', topology.chatReplicas);
    const [brokers, routerDb, ticketsDb, chatDb] = await Promise.all([
      ensureKafka(),
      createTestDatabase(),
      createTestDatabase(),
      createTestDatabase(),
    ]);
    const databases = [routerDb, ticketsDb, chatDb];
    // Every group of the run starts at the topics' end, the replicas' own ones too.
    await startGroupsAtTopicEnd(brokers, [
      `router-${run}`,
      `tickets-${run}`,
      ...ticketsIds.map((id) => `tickets-${run}.replica.${id}`),
      `channel-chat-${run}`,
      ...chatIds.map((id) => `channel-chat-${run}.replica.${id}`),
    ]);
    const replicas: Replica[] = [];
    const start = (id: string, directory: string, database: TestDatabase, env = {}) => {
      const replica = new Replica(id, directory, run, {
        KAFKA_BROKERS: brokers.join(','),
        FIRSTLINE_TEST_WITH_DIRECTORY: '1',
        DATABASE_URL: database.url,
        ...env,
      });
      replicas.push(replica);
      // Generous: a loaded machine starts a process in minutes, not seconds.
      return replica.listening(240_000);
    };
    const balancer = new Balancer();
    try {
      // The first tickets replica seeds the demo's directory before the others start on it.
      const demo = { FIRSTLINE_DEMO: '1' };
      const first = await start(ticketsIds[0], 'tickets', ticketsDb, demo);
      const [, ...others] = await Promise.all([
        start('router-a', 'router', routerDb),
        ...ticketsIds.slice(1).map((id) => start(id, 'tickets', ticketsDb, demo)),
        ...chatIds.map((id) => start(id, 'channel-chat', chatDb, chatSettings)),
      ]);
      const tickets = [first, ...others.slice(0, ticketsIds.length - 1)];
      const chat = others.slice(ticketsIds.length - 1);
      const front = await balancer.start();
      balancer.moveTo(chat[0]);
      const shop = await startShop(front);
      return new ChatDeployment(run, chat, tickets, balancer, shop, replicas, databases);
    } catch (error) {
      await balancer.stop().catch(() => undefined);
      await Promise.all(replicas.map((replica) => replica.stop()));
      await Promise.all(databases.map((database) => database.drop()));
      throw error;
    }
  }

  /** The chat replica the `n`th visitor or request goes to: in turn, so each takes a share. */
  chatReplica(n: number): string {
    return this.chat[n % this.chat.length];
  }

  /** The tickets replica the `n`th agent or request goes through, in turn. */
  ticketsReplica(n: number): string {
    return this.tickets[n % this.tickets.length];
  }

  /** Signs in to the API of the `n`th tickets replica (in turn), with the demo password. */
  login(email: string, n = 0): Promise<AgentApi> {
    return signInToApi(this.ticketsReplica(n), email);
  }

  /** A visitor without a browser on the `n`th chat replica (in turn): see `apiVisitor`. */
  apiVisitor(text: string, n: number): Promise<string> {
    return apiVisitor(this.chatReplica(n), text);
  }

  async stop(): Promise<void> {
    await this.balancer.stop();
    await this.shop.close();
    await Promise.all(this.replicas.map((replica) => replica.stop()));
    await Promise.all(this.databases.map((database) => database.drop()));
  }
}

/**
 * A visitor without a browser (the widget's HTTP fallback) of the chat service at `chat`: a new
 * session and a first message, delivered. Answers the visitor's token.
 */
export async function apiVisitor(chat: string, text: string): Promise<string> {
  const session = await fetch(`${chat}/chat/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ locale: 'en' }),
  });
  const { token } = (await session.json()) as { token: string };
  const sent = await fetch(`${chat}/chat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ clientMessageId: 'first', text, locale: 'en' }),
  });
  const answer = (await sent.json()) as { status?: string };
  if (answer.status !== 'delivered') {
    throw new Error(`the visitor's message was not delivered: ${JSON.stringify(answer)}`);
  }
  return token;
}

/** A shop's site embedding the chat widget: a plain HTML page of another origin than the chat. */
export interface Shop {
  url: string;
  close(): Promise<void>;
}

/** The shop: "/" embeds the widget from `chat` plainly, "/<site>" with `data-site`. */
export async function startShop(chat: string): Promise<Shop> {
  const server = createServer((request, response) => {
    const site = request.url?.slice(1) ? ` data-site="${request.url.slice(1)}"` : '';
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop</h1><p>Questions about your order? Chat with us.</p>
<script src="${chat}/chat/widget.js" data-locale="en"${site} async></script>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
