import {
  ActorKind,
  Channel,
  DirectoryKind,
  IdentityKind,
  Presence,
  RuleField,
  RuleOperator,
  TicketDisposition,
  TicketEventType,
  TicketStatus,
  timestampDate,
  timestampFromDate,
  type RoutingDecision,
} from '@firstline/contracts';
import { erlangQuantile, PROMISE_CONFIDENCE } from '@firstline/routing';
import type { RunningService } from '@firstline/runtime';
import { createTestDatabase, ensureKafka, waitFor, type TestDatabase } from '@firstline/testing';
import { RouterHarness } from './harness';

const MINUTE = 60_000;

describe('the answer time the router promises', () => {
  let database: TestDatabase;
  let harness: RouterHarness;
  let router: RunningService | undefined;
  const team = () => `${harness.run}-line`;
  const agentId = () => `${harness.run}-agent`;

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = new RouterHarness(await ensureKafka(), database);
    await harness.prepare();
    router = await harness.startInstance();
    await harness.publishDirectory([
      {
        kind: DirectoryKind.RULE_SET,
        id: 'default',
        payload: {
          case: 'ruleSet',
          value: {
            rules: [
              {
                id: 'line',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: [harness.run],
                  },
                ],
                actions: { teamId: team() },
              },
            ],
            fallback: { teamId: team() },
          },
        },
      },
      {
        kind: DirectoryKind.SLA_POLICY,
        id: `${team()}-sla`,
        payload: {
          case: 'slaPolicy',
          value: { id: `${team()}-sla`, teamId: team(), firstResponseMinutes: 120 },
        },
      },
      // One agent, one chat at a time: everyone after the first waits in line.
      {
        kind: DirectoryKind.AGENT,
        id: agentId(),
        payload: {
          case: 'agent',
          value: {
            id: agentId(),
            teamIds: [team()],
            presence: Presence.ONLINE,
            active: true,
            capacity: [{ channel: Channel.VK, maxConcurrent: 1 }],
          },
        },
      },
    ]);
    await waitFor(
      async () =>
        (await harness.query(`SELECT id FROM routing.agent WHERE id = $1`, [agentId()])).length ===
          1 && (await harness.query(`SELECT id FROM routing.directory_entry`)).length >= 2,
      30_000,
      'the directory snapshot',
    );
  }, 120_000);

  afterAll(async () => {
    await router?.stop();
    await harness?.close();
    await database?.drop();
  }, 60_000);

  const chat = (customer: string, language = 'en') => ({
    messageId: `${harness.run}:${customer}`,
    channel: Channel.VK,
    sender: { kind: IdentityKind.VK_USER, value: `${customer}-${harness.run}` },
    conversationKey: `vk:${harness.run}:${customer}`,
    textBody: `${harness.run} hello`,
    language,
  });

  /** Publishes one customer's first message and waits for the router's decision about it. */
  async function writes(customer: string, language?: string): Promise<RoutingDecision> {
    await harness.publishInbound([chat(customer, language)]);
    return waitFor(
      async () =>
        (await harness.decisions()).find(
          (decision) => decision.inboundMessageId === `${harness.run}:${customer}`,
        ),
      30_000,
      `the decision about ${customer}`,
    );
  }

  const promised = (decision: RoutingDecision) => timestampDate(decision.expectedAnswerAt!);
  const waitOf = (decision: RoutingDecision) =>
    promised(decision).getTime() - timestampDate(decision.decidedAt!).getTime();

  it('promises the SLA due time until the team has handling times, then the queue forecast', async () => {
    const anna = await writes('anna');
    expect(anna.assignedAgentId).toBe(agentId());
    expect(anna.queuePosition).toBe(0);
    expect(promised(anna)).toEqual(timestampDate(anna.firstResponseDueAt!));

    const boris = await writes('boris');
    expect(boris).toMatchObject({ queuePosition: 1, disposition: TicketDisposition.NEW_TICKET });
    // Nobody has finished a ticket yet: nothing to forecast from, so the SLA is the promise.
    expect(promised(boris)).toEqual(timestampDate(boris.firstResponseDueAt!));
    expect(boris.automaticReply!.text).toContain('You are 1st in line. We will answer by');
    expect(timestampDate(boris.automaticReply!.expectedAnswerAt!)).toEqual(promised(boris));
    const vera = await writes('vera');
    expect(vera.queuePosition).toBe(2);

    // Anna's chat held the agent's one slot for six minutes.
    const [{ queued_at: annaQueuedAt }] = await harness.query<{ queued_at: Date }>(
      `SELECT queued_at FROM routing.ticket WHERE id = $1`,
      [anna.ticketId],
    );
    await harness.publishTicketEvents([
      harness.messageRecorded(anna.ticketId, 'anna'),
      {
        eventId: `${harness.run}:anna-resolved`,
        ticketId: anna.ticketId,
        type: TicketEventType.STATUS_CHANGED,
        actor: { kind: ActorKind.AGENT, id: agentId() },
        occurredAt: timestampFromDate(new Date(annaQueuedAt.getTime() + 6 * MINUTE)),
        details: {
          case: 'statusChanged',
          value: { fromStatus: TicketStatus.OPEN, toStatus: TicketStatus.RESOLVED },
        },
      },
    ]);
    await waitFor(
      async () =>
        (await harness.decisions()).some(
          (decision) =>
            decision.ticketId === boris.ticketId &&
            decision.disposition === TicketDisposition.ASSIGNED_FROM_QUEUE,
        ),
      30_000,
      "Boris's assignment from the queue",
    );

    // Boris's assignment moved Vera up: she is told her new place and promise.
    const moved = await waitFor(
      async () =>
        (await harness.decisions()).find(
          (decision) =>
            decision.ticketId === vera.ticketId &&
            decision.disposition === TicketDisposition.QUEUE_MOVED,
        ),
      30_000,
      "Vera's move up the queue",
    );
    expect(moved).toMatchObject({ queuePosition: 1, ticketNumber: vera.ticketNumber });
    expect(moved.automaticReply).toBeUndefined();
    expect(waitOf(moved)).toBeCloseTo(erlangQuantile(1, 1 / (6 * MINUTE), PROMISE_CONFIDENCE), -1);

    // Vera is next; Greg is 2nd behind her: two slot releases at one per six minutes.
    const greg = await writes('greg');
    expect(greg.queuePosition).toBe(2);
    expect(waitOf(greg)).toBeCloseTo(erlangQuantile(2, 1 / (6 * MINUTE), PROMISE_CONFIDENCE), -1);
    expect(greg.automaticReply!.text).toContain(
      'You are 2nd in line. We expect to answer in about 18 minutes.',
    );

    const zoya = await writes('zoya', 'ru');
    expect(zoya.queuePosition).toBe(3);
    expect(waitOf(zoya)).toBeCloseTo(erlangQuantile(3, 1 / (6 * MINUTE), PROMISE_CONFIDENCE), -1);
    expect(zoya.automaticReply!.text).toContain(
      'Вы третий в очереди. Ответим примерно через 26 минут.',
    );
    expect(promised(zoya) < timestampDate(zoya.firstResponseDueAt!)).toBe(true);
  }, 120_000);
});
