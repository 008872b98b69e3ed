import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { Pool } from 'pg';
import { Channel, Presence } from '@firstline/contracts';
import { FakeBotApi } from '../fakes/telegram-bot-api';
import { FakeVk } from '../fakes/vk-api';
import { ensureSharedTopics } from '../kafka';
import { mailsIn } from '../mail';
import { AgentTeam } from './agents';
import { capacityBreaches, type AssignmentEvent } from './capacity';
import { Customers, TRAFFIC_MIX, type EntryPoint } from './customers';
import { Infrastructure, repositoryRoot } from './infrastructure';
import { reconcile, type Reconciliation } from './ledger';
import { ServiceProcess, type ResourceSample } from './service-process';

export interface PipelineOptions {
  /** Customer messages in the run. */
  messages: number;
  /** Messages per second offered. */
  rate: number;
  /** Kill every service this many times, and restart the broker and Postgres once, meanwhile. */
  chaos?: { killsPerService: number };
  agents?: number;
  /** Tickets per channel an agent may hold at once. */
  capacity?: number;
  /** Customers the messages are spread over (each writes several). */
  customers?: number;
  /** How long the run waits for the last messages and replies to arrive. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface PipelineResult {
  run: string;
  reconciliation: Reconciliation;
  /** Accepted messages per entry point. */
  acceptedBy: Record<EntryPoint, number>;
  /** Replies received more than once, by channel (email has no idempotency to offer). */
  duplicatedRepliesBy: Record<string, number>;
  /**
   * Replies lost, by the channel their ticket is on and the delivery status tickets holds for
   * them ("TELEGRAM queued": the adapter never reported; "VK sent": it did, the customer has none).
   */
  lostRepliesBy: Record<string, number>;
  /** Replies tickets itself stored more than once (the agents' API has no idempotency key). */
  repliesStoredTwice: number;
  /** Assignments that put an agent over a channel's capacity, as the decision log tells. */
  overCapacity: string[];
  /** What was done to the services meanwhile. */
  disruptions: string[];
  /** First send to last message accepted, and accepted messages per second over it. */
  sendSeconds: number;
  /** First send to the last message pushed to an agent. */
  endToEndSeconds: number;
  /** Customer's send → message stored, its ticket assigned, both pushed to an agent (ms). */
  toAgent: Percentiles;
  toAgentBy: Record<EntryPoint, Percentiles>;
  /** Customer's send → its entry point acknowledged it. */
  acceptBy: Record<EntryPoint, Percentiles>;
  /** Agent's reply → the customer's side received it (Telegram and VK fakes; ms). */
  toCustomer: Percentiles;
  /** Per service: CPU seconds over the load and the highest RSS sampled. */
  resources: Record<string, { cpuSeconds: number; maxRssBytes: number }>;
  customerRetries: number;
  /** How late this process's own event loop ran, p99 (ms). */
  harnessLoopDelayP99Ms: number;
  logDirectory: string;
}

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
}

const TELEGRAM_WEBHOOK_BOT = {
  name: 'webhook',
  token: '7001:PIPELINE-WEBHOOK',
  secret: 'pipeline-webhook-secret',
};
const TELEGRAM_POLLING_BOT = { name: 'polling', token: '7002:PIPELINE-POLLING' };
const VK_GROUP = {
  groupId: 229_000_001,
  token: 'vk-pipeline-token',
  secret: 'pipeline-vk-secret-42',
};
const ADMIN = { email: 'pipeline-admin@firstline.example', password: 'pipeline-admin-password' };
const AGENT_PASSWORD = 'pipeline-agent-password';
const FORM_ID = 'pipeline';
const SUPPORT_MAILBOXES = 8;
const PORT_BASE = 18_000;

/**
 * `npm run pipeline` and `npm run chaos`: every Firstline service as its own process (two router
 * and two tickets replicas, the four channel adapters) on a broker and a Postgres cluster of the
 * run's own, with fakes for Telegram and VK and GreenMail for email; customers write through
 * every channel's real entry point and agents answer through the API. Afterwards it compares
 * what every entry point accepted with what tickets stored, and every reply with what the
 * customers' side received.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const begun = Date.now();
  const print = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => print(`[${((Date.now() - begun) / 1000).toFixed(0)} s] ${line}`);
  const built = join(repositoryRoot, 'dist/services/router/src/main.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  const run = Date.now().toString(36);
  const logDirectory = join(repositoryRoot, 'tmp/pipeline', run);
  mkdirSync(logDirectory, { recursive: true });
  const infrastructure = new Infrastructure();
  const telegram = new FakeBotApi();
  const vk = new FakeVk();
  const processes: ServiceProcess[] = [];
  let agents: AgentTeam | undefined;
  let customers: Customers | undefined;
  let pool: Pool | undefined;
  try {
    log(`pipeline ${run}: starting the broker, Postgres and GreenMail (logs in ${logDirectory})`);
    await infrastructure.startFresh();
    await ensureSharedTopics(infrastructure.brokers);
    await telegram.start();
    await vk.start();
    vk.community(VK_GROUP.groupId, VK_GROUP.token);
    pool = new Pool({ connectionString: infrastructure.databaseUrl, max: 2 });
    pool.on('error', () => undefined);

    const supportAddresses = Array.from(
      { length: SUPPORT_MAILBOXES },
      (_, index) => `support-${index}.${run}@firstline.example`,
    );
    const common = {
      KAFKA_BROKERS: infrastructure.brokers.join(','),
      DATABASE_URL: infrastructure.databaseUrl,
      DATABASE_POOL_SIZE: '8',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      FIRSTLINE_ADMIN_EMAIL: ADMIN.email,
      FIRSTLINE_ADMIN_PASSWORD: ADMIN.password,
    };
    const define = (name: string, service: string, port: number, env: Record<string, string>) =>
      processes.push(new ServiceProcess(name, service, port, { ...common, ...env }, logDirectory));
    // The agents' replies are what the run counts; automatic acknowledgements would only
    // double the outbound traffic.
    define('router-1', 'router', PORT_BASE + 2, { ROUTER_AUTOMATIC_REPLIES: 'off' });
    define('router-2', 'router', PORT_BASE + 12, { ROUTER_AUTOMATIC_REPLIES: 'off' });
    // Either replica must accept the tokens the other signed.
    const tickets = { TICKETS_TOKEN_SECRET: `pipeline-token-secret-${run}-0123456789abcdef` };
    define('tickets-1', 'tickets', PORT_BASE, tickets);
    define('tickets-2', 'tickets', PORT_BASE + 10, tickets);
    define('channel-webform', 'channel-webform', PORT_BASE + 1, {
      WEBFORM_PUBLIC_URL: `http://127.0.0.1:${PORT_BASE + 1}`,
      WEBFORM_FORMS: JSON.stringify([webForm()]),
      // Every customer of the run posts from 127.0.0.1.
      WEBFORM_RATE_LIMIT_PER_IP: '100000000',
    });
    define('channel-email', 'channel-email', PORT_BASE + 3, {
      EMAIL_MAILBOXES: supportAddresses
        .map(
          (address) =>
            `imap://${encodeURIComponent(address)}:any@127.0.0.1:${infrastructure.ports.imap}/INBOX?processed=seen`,
        )
        .join(','),
      EMAIL_SMTP_URL: `smtp://127.0.0.1:${infrastructure.ports.smtp}`,
      EMAIL_FROM: supportAddresses[0],
      EMAIL_POLL_INTERVAL_MS: '500',
    });
    define('channel-telegram', 'channel-telegram', PORT_BASE + 4, {
      TELEGRAM_BOTS: JSON.stringify([
        { ...TELEGRAM_WEBHOOK_BOT, mode: 'webhook' },
        { ...TELEGRAM_POLLING_BOT, mode: 'polling' },
      ]),
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
    });
    define('channel-vk', 'channel-vk', PORT_BASE + 5, {
      VK_COMMUNITIES: JSON.stringify([
        {
          mode: 'callback',
          groupId: VK_GROUP.groupId,
          token: VK_GROUP.token,
          confirmationCode: 'pl-confirm',
          secret: VK_GROUP.secret,
        },
      ]),
      VK_API_URL: `${vk.url}/method`,
    });
    const named = (name: string) => processes.find((p) => p.name === name)!;

    log(`pipeline ${run}: starting ${processes.length} service processes`);
    // Tickets first: it seeds the directory that the router then reads.
    named('tickets-1').start();
    await named('tickets-1').ready();
    for (const service of processes.filter((p) => p.name !== 'tickets-1')) service.start();
    await Promise.all(processes.map((service) => service.ready()));

    const agentCount = options.agents ?? 4;
    const capacity = options.capacity ?? 50;
    const credentials = await seedDirectory(named('tickets-1').url, run, agentCount, capacity);
    agents = new AgentTeam(
      run,
      credentials,
      ['tickets-1', 'tickets-2'].map((name) => named(name).url),
    );
    await agents.start();
    await untilRouterKnowsAgentsOnline(pool, credentials.length);

    customers = new Customers(
      run,
      {
        webformUrl: named('channel-webform').url,
        telegramUrl: named('channel-telegram').url,
        webhookBot: TELEGRAM_WEBHOOK_BOT,
        pollingBot: TELEGRAM_POLLING_BOT,
        telegramApi: telegram,
        vkUrl: named('channel-vk').url,
        vkGroup: VK_GROUP,
        smtp: { host: '127.0.0.1', port: infrastructure.ports.smtp },
        supportAddresses,
        formId: FORM_ID,
      },
      options.customers ?? Math.max(20, Math.ceil(options.messages / 4)),
    );

    const sampler = new ResourceSampler(processes);
    const harnessCpu = process.cpuUsage();
    // The customers, agents and fakes share this process: if its own loop lags, so do the
    // latencies it measures.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const disruptions: string[] = [];
    const loadSeconds = options.messages / options.rate;
    const chaos = options.chaos
      ? runChaos(
          processes,
          infrastructure,
          options.chaos.killsPerService,
          loadSeconds,
          disruptions,
          log,
        )
      : Promise.resolve();
    log(
      `pipeline ${run}: ${options.messages} messages at ${options.rate}/s over ${agentCount} agents`,
    );
    const started = Date.now();
    await offer(customers, options.messages, options.rate);
    await customers.settled();
    const sendSeconds = (Date.now() - started) / 1000;
    await chaos;
    log(
      `pipeline ${run}: all ${customers.accepted.size} messages accepted in ${sendSeconds.toFixed(1)} s; waiting for them to be stored and answered`,
    );

    const drainTimeoutMs = options.drainTimeoutMs ?? 180_000;
    const accepted = customers.accepted.size;
    const allStored = await untilSettled(
      async () => {
        const stored = (await storedMarkers(pool!)).size;
        return { done: stored >= accepted, progress: `${stored} of ${accepted} stored` };
      },
      drainTimeoutMs,
      log,
    );
    log(
      `pipeline ${run}: ${allStored ? 'stored' : 'not all stored'}; waiting for the last replies`,
    );
    // The last replies: agents answer what is left and stop, so that nothing is sent after the
    // count; then the channels deliver what they sent, however long their platforms pace them.
    const team = agents!;
    const allAnswered = await untilSettled(
      async () => {
        const awaiting = await ticketsAwaitingAnswer(pool!);
        return {
          done: team.busy === 0 && awaiting === 0,
          progress: `${awaiting} tickets await an answer, agents are on ${team.busy}`,
        };
      },
      drainTimeoutMs,
      log,
    );
    await team.stop();
    log(
      `pipeline ${run}: ${team.replies.size} replies sent${allAnswered ? '' : ', some tickets left unanswered'}; waiting for their delivery`,
    );
    const allDelivered = await untilSettled(
      async () => {
        const waiting = await undeliveredReplies(pool!);
        return {
          done: Object.keys(waiting).length === 0,
          progress: `replies not delivered yet ${JSON.stringify(waiting)}`,
        };
      },
      drainTimeoutMs,
      log,
    );
    log(`pipeline ${run}: ${allDelivered ? 'delivered' : 'not all delivered'}; reconciling`);
    const resources = sampler.stop();
    const harnessUsed = process.cpuUsage(harnessCpu);
    resources['harness (customers, agents, fakes)'] = {
      cpuSeconds: (harnessUsed.user + harnessUsed.system) / 1e6,
      maxRssBytes: process.memoryUsage().rss,
    };
    loopDelay.disable();

    const stored = await storedMarkers(pool);
    const storedReplies = await repliesStored(pool);
    const received = await repliesReceived(telegram, vk, infrastructure, customers);
    const reconciliation = reconcile({
      accepted: customers.accepted.keys(),
      stored,
      replies: team.replies.keys(),
      received: received.counts,
    });
    const pushed = [...customers.accepted.values()].flatMap((message) => {
      const pushedAt = message.messageId && team.messagePushedAt.get(message.messageId);
      return pushedAt ? [{ message, pushedAt }] : [];
    });
    const ticketOf = await ticketsOfMessages(pool);
    const toAgent = pushed.flatMap(({ message, pushedAt }) => {
      const ticketId = ticketOf.get(message.marker);
      const assignedAt = ticketId ? team.ticketAssignedAt.get(ticketId) : undefined;
      return assignedAt === undefined
        ? []
        : [{ entryPoint: message.entryPoint, ms: Math.max(pushedAt, assignedAt) - message.sentAt }];
    });
    const lastPush = Math.max(started, ...pushed.map(({ pushedAt }) => pushedAt));
    const toCustomer = [...team.replies.values()].flatMap((reply) => {
      const at = received.firstAt.get(reply.marker);
      return at === undefined ? [] : [at - reply.sentAt];
    });
    return {
      run,
      reconciliation,
      acceptedBy: countBy([...customers.accepted.values()].map((m) => m.entryPoint)),
      duplicatedRepliesBy: countBy(
        reconciliation.duplicatedReplyMarkers.map((marker) => received.channelOf.get(marker)!),
      ),
      lostRepliesBy: countBy(
        reconciliation.lostReplyMarkers.map(
          (marker) => storedReplies.get(marker)?.state ?? 'not stored',
        ),
      ),
      repliesStoredTwice: [...storedReplies.values()].filter(({ copies }) => copies > 1).length,
      overCapacity: capacityBreaches(await assignmentEvents(pool), capacity),
      disruptions,
      sendSeconds,
      endToEndSeconds: (lastPush - started) / 1000,
      toAgent: percentiles(toAgent.map(({ ms }) => ms)),
      acceptBy: Object.fromEntries(
        TRAFFIC_MIX.map(([entryPoint]) => [
          entryPoint,
          percentiles(
            [...customers!.accepted.values()]
              .filter((m) => m.entryPoint === entryPoint)
              .map((m) => m.acceptedAt - m.sentAt),
          ),
        ]),
      ) as Record<EntryPoint, Percentiles>,
      toAgentBy: Object.fromEntries(
        TRAFFIC_MIX.map(([entryPoint]) => [
          entryPoint,
          percentiles(toAgent.filter((m) => m.entryPoint === entryPoint).map(({ ms }) => ms)),
        ]),
      ) as Record<EntryPoint, Percentiles>,
      toCustomer: percentiles(toCustomer),
      resources,
      customerRetries: customers.retries,
      harnessLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      logDirectory,
    };
  } finally {
    await agents?.stop();
    await customers?.close();
    await Promise.all(processes.map((service) => service.stop()));
    await pool?.end();
    await telegram.stop();
    await vk.stop();
    await infrastructure.stop();
  }
}

/** The messages at a steady rate: a slice every 20 ms, each send left to complete on its own. */
async function offer(customers: Customers, messages: number, rate: number): Promise<void> {
  const started = Date.now();
  let sent = 0;
  while (sent < messages) {
    const due = Math.min(messages, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
    for (; sent < due; sent += 1) customers.sendNext();
    await sleep(20);
  }
}

/**
 * Kills every service `kills` times with SIGKILL at random moments of the load, and restarts
 * the broker and Postgres once each, one disruption at a time.
 */
async function runChaos(
  processes: ServiceProcess[],
  infrastructure: Infrastructure,
  kills: number,
  loadSeconds: number,
  disruptions: string[],
  log: (line: string) => void,
): Promise<void> {
  type Disruption = { name: string; act: () => Promise<void> };
  const plan: Disruption[] = [
    ...processes.flatMap((service) =>
      Array.from({ length: kills }, () => ({
        name: `kill -9 ${service.name}`,
        act: async () => service.kill(),
      })),
    ),
    { name: 'broker restart', act: () => infrastructure.restartBroker() },
    { name: 'Postgres crash and restart', act: () => infrastructure.crashAndRestartPostgres() },
  ];
  // Random moments within the load, in a random order, one after the other.
  const moments = plan.map(() => Math.random() * loadSeconds * 1000).sort((a, b) => a - b);
  const order = plan
    .map((disruption) => ({ disruption, key: Math.random() }))
    .sort((a, b) => a.key - b.key);
  const started = Date.now();
  for (const [index, { disruption }] of order.entries()) {
    // A moment already past (the previous disruption took long) waits a little, so that no two
    // disruptions land together.
    await sleep(Math.max(2_000, started + moments[index] - Date.now()));
    const at = ((Date.now() - started) / 1000).toFixed(1);
    log(`chaos: ${disruption.name} at ${at} s`);
    disruptions.push(`${disruption.name} at ${at} s`);
    await disruption.act();
  }
}

/** The directory the run needs, through the admin API: a team open around the clock, agents. */
async function seedDirectory(
  ticketsUrl: string,
  run: string,
  agents: number,
  capacity: number,
): Promise<Array<{ id: string; email: string; password: string }>> {
  const admin = await signIn(ticketsUrl, ADMIN.email, ADMIN.password);
  await admin('PUT', '/directory/calendar/around-the-clock', {
    id: 'around-the-clock',
    name: 'Around the clock',
    timeZone: 'UTC',
    weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
      weekday,
      openMinute: 0,
      closeMinute: 1440,
    })),
  });
  await admin('PUT', '/directory/team/first-line', {
    id: 'first-line',
    name: 'First line',
    skillIds: ['general'],
    calendarId: 'around-the-clock',
  });
  const credentials = Array.from({ length: agents }, (_, index) => ({
    id: `agent-${index + 1}`,
    email: `agent-${index + 1}.${run}@firstline.example`,
    password: AGENT_PASSWORD,
  }));
  for (const agent of credentials) {
    await admin('POST', '/accounts', {
      agentId: agent.id,
      email: agent.email,
      name: `Agent ${agent.id}`,
      role: 'agent',
      password: agent.password,
      teamIds: ['first-line'],
    });
    await admin('PUT', `/directory/agent/${agent.id}`, {
      id: agent.id,
      name: `Agent ${agent.id}`,
      email: agent.email,
      teamIds: ['first-line'],
      skills: [{ skillId: 'general', level: 5 }],
      capacity: [1, 2, 3, 4].map((channel) => ({ channel, maxConcurrent: capacity })),
      languages: ['en'],
      active: true,
    });
  }
  return credentials;
}

async function signIn(ticketsUrl: string, email: string, password: string) {
  const response = await fetch(`${ticketsUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${email}: ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return async (method: string, path: string, body: unknown) => {
    const answer = await fetch(`${ticketsUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
  };
}

/** Agents go online through tickets, which tells the router through the directory topic. */
async function untilRouterKnowsAgentsOnline(pool: Pool, agents: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await pool.query<{ online: string }>(
      `SELECT count(*) AS online FROM routing.agent WHERE presence = $1 AND id LIKE 'agent-%'`,
      [Presence.ONLINE],
    );
    if (Number(rows[0].online) >= agents) return;
    if (Date.now() > deadline) throw new Error('the router never saw the agents online');
    await sleep(250);
  }
}

/**
 * Asks `check` every second until it is done or the time is up (then false), logging its progress
 * every half minute so that a run that does not settle shows where it stands.
 */
async function untilSettled(
  check: () => Promise<{ done: boolean; progress: string }>,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let logged = Date.now();
  while (Date.now() < deadline) {
    const state = await check().catch(() => undefined);
    if (state?.done) return true;
    if (state && Date.now() - logged >= 30_000) {
      log(state.progress);
      logged = Date.now();
    }
    await sleep(1_000);
  }
  return false;
}

/** How many times tickets stored each customer message, by its marker. */
async function storedMarkers(pool: Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ marker: string; copies: string }>(
    `SELECT substring(text_body FROM 'pl[0-9]+x[0-9a-z]+') AS marker, count(*) AS copies
       FROM tickets.message
      WHERE direction = 'in' AND author_kind = 'customer'
      GROUP BY 1`,
  );
  return new Map(rows.map((row) => [row.marker, Number(row.copies)]));
}

/** Tickets open with a customer's message nobody answered yet (agents resolve what they answer). */
async function ticketsAwaitingAnswer(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ awaiting: string }>(
    `SELECT count(*) AS awaiting FROM tickets.ticket WHERE status IN ('new', 'open')`,
  );
  return Number(rows[0].awaiting);
}

/** Agents' replies whose channel has not reported delivery yet, by channel. */
async function undeliveredReplies(pool: Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ channel: number; waiting: string }>(
    `SELECT channel, count(*) AS waiting FROM tickets.message
      WHERE direction = 'out' AND author_kind = 'agent' AND delivery_status = 'queued'
      GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((row) => [Channel[row.channel], Number(row.waiting)]));
}

/** How many times tickets stored each agent reply, by its marker, and where its delivery stands. */
async function repliesStored(pool: Pool): Promise<Map<string, { copies: number; state: string }>> {
  const { rows } = await pool.query<{
    marker: string;
    copies: string;
    channel: number;
    status: string | null;
  }>(
    `SELECT substring(text_body FROM 'rp[0-9]+x[0-9a-z]+') AS marker, count(*) AS copies,
            min(channel) AS channel, min(delivery_status) AS status
       FROM tickets.message WHERE direction = 'out' AND author_kind = 'agent' GROUP BY 1`,
  );
  return new Map(
    rows.map((row) => [
      row.marker,
      { copies: Number(row.copies), state: `${Channel[row.channel]} ${row.status ?? 'unknown'}` },
    ]),
  );
}

async function ticketsOfMessages(pool: Pool): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ marker: string; ticket_id: string }>(
    `SELECT substring(text_body FROM 'pl[0-9]+x[0-9a-z]+') AS marker, ticket_id
       FROM tickets.message WHERE direction = 'in' AND author_kind = 'customer'`,
  );
  return new Map(rows.map((row) => [row.marker, row.ticket_id]));
}

async function assignmentEvents(pool: Pool): Promise<AssignmentEvent[]> {
  const { rows } = await pool.query<{
    ticket_id: string;
    channel: number;
    type: string;
    record: { assigned?: { agentId?: string }; statusChanged?: { toStatus?: string } };
    at: string;
  }>(
    `SELECT e.ticket_id, t.channel, e.type, e.record, (extract(epoch FROM e.occurred_at) * 1e6)::bigint AS at
       FROM tickets.ticket_event e JOIN tickets.ticket t ON t.id = e.ticket_id
      WHERE e.type IN ('ASSIGNED', 'STATUS_CHANGED')
      ORDER BY e.occurred_at, e.seq`,
  );
  return rows.map((row) =>
    row.type === 'ASSIGNED'
      ? {
          ticketId: row.ticket_id,
          channel: row.channel,
          at: Number(row.at),
          assignee: row.record.assigned?.agentId ?? '',
        }
      : {
          ticketId: row.ticket_id,
          channel: row.channel,
          at: Number(row.at),
          closed: /RESOLVED|CLOSED/.test(row.record.statusChanged?.toStatus ?? ''),
        },
  );
}

/** Every reply marker the customers' side received, how often, first when, through what. */
async function repliesReceived(
  telegram: FakeBotApi,
  vk: FakeVk,
  infrastructure: Infrastructure,
  customers: Customers,
) {
  const counts = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const channelOf = new Map<string, string>();
  const receive = (text: string | undefined, channel: string, at?: number) => {
    for (const [marker] of (text ?? '').matchAll(/rp[0-9]+x[0-9a-z]+/g)) {
      counts.set(marker, (counts.get(marker) ?? 0) + 1);
      channelOf.set(marker, channel);
      if (at !== undefined && !firstAt.has(marker)) firstAt.set(marker, at);
    }
  };
  for (const bot of [TELEGRAM_WEBHOOK_BOT, TELEGRAM_POLLING_BOT]) {
    const state = telegram.bot(bot.token);
    const sentAt = new Map(
      state.calls
        .filter((call) => call.method === 'sendMessage')
        .map((call) => [String(call.params.text), call.at]),
    );
    for (const sent of state.sent) receive(sent.text, 'telegram', sentAt.get(sent.text ?? ''));
  }
  for (const message of vk.delivered) receive(message.params.message, 'vk', message.at);
  await inParallel(customers.emailAddresses(), async (address) => {
    for (const raw of await mailsIn(infrastructure.mail, address)) {
      receive((await simpleParser(raw)).text, 'email');
    }
  });
  const webformUrl = `http://127.0.0.1:${PORT_BASE + 1}`;
  await inParallel(customers.statusTokens(), async (token) => {
    const response = await fetch(`${webformUrl}/webform/status/${token}`);
    const view = (await response.json()) as { messages?: Array<{ text?: string }> };
    for (const message of view.messages ?? []) receive(message.text, 'webform');
  });
  return { counts, firstAt, channelOf };
}

/** `work` for every item, a few at a time. */
async function inParallel<T>(items: T[], work: (item: T) => Promise<void>, width = 8) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

class ResourceSampler {
  private readonly peaks = new Map<string, number>();
  private readonly startCpu = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly processes: ServiceProcess[]) {
    for (const service of processes) {
      const sample = service.sample();
      this.startCpu.set(service.name, sample.cpuSeconds);
    }
    this.timer = setInterval(() => this.take(), 1_000);
  }

  private take(): Map<string, ResourceSample> {
    const samples = new Map(this.processes.map((p) => [p.name, p.sample()]));
    for (const [name, sample] of samples) {
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, sample.rssBytes));
    }
    return samples;
  }

  stop(): PipelineResult['resources'] {
    clearInterval(this.timer);
    const samples = this.take();
    return Object.fromEntries(
      [...samples].map(([name, sample]) => [
        name,
        {
          cpuSeconds: sample.cpuSeconds - (this.startCpu.get(name) ?? 0),
          maxRssBytes: this.peaks.get(name) ?? 0,
        },
      ]),
    );
  }
}

function webForm() {
  return {
    id: FORM_ID,
    title: { en: 'Pipeline' },
    fields: [
      { name: 'name', type: 'name', label: { en: 'Name' }, required: true, maxLength: 200 },
      { name: 'phone', type: 'phone', label: { en: 'Phone' }, required: true, maxLength: 32 },
      { name: 'message', type: 'message', label: { en: 'Message' }, required: true },
    ],
  };
}

function countBy<T extends string>(values: T[]): Record<T, number> {
  const counts = {} as Record<T, number>;
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
  return { count: sorted.length, p50: at(0.5), p99: at(0.99) };
}
