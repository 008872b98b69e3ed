import {
  Channel,
  DirectoryKind,
  IdentityKind,
  Presence,
  RuleField,
  RuleOperator,
  TicketDisposition,
  type RoutingDecision,
} from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import { createTestDatabase, ensureKafka, waitFor, type TestDatabase } from '@firstline/testing';
import { RouterHarness } from './harness';

/**
 * A team's default chat capacity through the router, as the directory topic brings it: agent
 * override ?? team default ?? built-in default (libs/routing `agentCapacity`, unit-tested there).
 */
describe('the router applies the team’s default chat capacity and an agent’s own', () => {
  let database: TestDatabase;
  let harness: RouterHarness;
  let router: RunningService | undefined;
  let team: string;
  let agentId: string;

  const teamRecord = (defaultChatCapacity: number) => ({
    kind: DirectoryKind.TEAM,
    id: team,
    payload: { case: 'team' as const, value: { id: team, name: 'Chats', defaultChatCapacity } },
  });
  /** Online in the team; email capacity only unless `chats` names the agent's own chat entry. */
  const agentRecord = (chats?: number) => ({
    kind: DirectoryKind.AGENT,
    id: agentId,
    payload: {
      case: 'agent' as const,
      value: {
        id: agentId,
        teamIds: [team],
        presence: Presence.ONLINE,
        active: true,
        capacity: [
          { channel: Channel.EMAIL, maxConcurrent: 5 },
          ...(chats === undefined ? [] : [{ channel: Channel.CHAT, maxConcurrent: chats }]),
        ],
      },
    },
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = new RouterHarness(await ensureKafka(), database);
    team = `${harness.run}-chats`;
    agentId = `${harness.run}-agent`;
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
                id: 'chats',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: [harness.run],
                  },
                ],
                actions: { teamId: team },
              },
            ],
          },
        },
      },
      teamRecord(2),
      agentRecord(),
    ]);
    await waitFor(
      async () =>
        (
          await harness.query(`SELECT chats FROM routing.team_chat_capacity WHERE team_id = $1`, [
            team,
          ])
        ).length === 1 &&
        (await harness.query(`SELECT id FROM routing.agent WHERE id = $1`, [agentId])).length === 1,
      30_000,
      'the directory snapshot',
    );
  }, 120_000);

  afterAll(async () => {
    await router?.stop();
    await harness?.close();
    await database?.drop();
  }, 60_000);

  const chat = (visitor: string) => ({
    messageId: `chat:${harness.run}-${visitor}:1`,
    channel: Channel.CHAT,
    sender: { kind: IdentityKind.CHAT_VISITOR, value: `${harness.run}-${visitor}` },
    conversationKey: `chat:${harness.run}-${visitor}`,
    textBody: `Hello from ${harness.run}`,
  });

  const firstDecision = (visitor: string) =>
    waitFor(
      async () =>
        (await harness.decisions()).find(
          (decision) => decision.inboundMessageId === chat(visitor).messageId,
        ),
      30_000,
      `the decision on ${visitor}’s chat`,
    );
  const assignedFromQueue = (queued: RoutingDecision) =>
    waitFor(
      async () =>
        (await harness.decisions()).find(
          (decision) =>
            decision.ticketId === queued.ticketId &&
            decision.disposition === TicketDisposition.ASSIGNED_FROM_QUEUE,
        ),
      30_000,
      `chat ${queued.ticketId} assigned from the queue`,
    );

  it('fills the team default, takes more when it is raised, and more still by the agent’s own entry', async () => {
    // The team's default of 2 and no entry of the agent's own: the third chat waits.
    for (const visitor of ['one', 'two']) {
      await harness.publishInbound([chat(visitor)]);
      expect((await firstDecision(visitor)).assignedAgentId).toBe(agentId);
    }
    await harness.publishInbound([chat('three')]);
    const third = await firstDecision('three');
    expect(third.assignedAgentId).toBeUndefined();
    expect(third.queuePosition).toBe(1);

    // The supervisor raises the team's default to 3: the waiting chat comes to the agent.
    await harness.publishDirectory([teamRecord(3)]);
    expect((await assignedFromQueue(third)).assignedAgentId).toBe(agentId);
    await harness.publishInbound([chat('four')]);
    const fourth = await firstDecision('four');
    expect(fourth.assignedAgentId).toBeUndefined();

    // The agent's own entry of 4 overrides the team's 3: the fourth chat is theirs too.
    await harness.publishDirectory([agentRecord(4)]);
    expect((await assignedFromQueue(fourth)).assignedAgentId).toBe(agentId);

    // …and an own entry of 0 takes no chats whatever the team's default.
    await harness.publishDirectory([agentRecord(0), teamRecord(10)]);
    await waitFor(
      async () =>
        (
          await harness.query<{ chats: number }>(
            `SELECT chats FROM routing.team_chat_capacity WHERE team_id = $1`,
            [team],
          )
        )[0]?.chats === 10,
      30_000,
      'the raised team default',
    );
    await harness.publishInbound([chat('five')]);
    expect((await firstDecision('five')).assignedAgentId).toBeUndefined();
  }, 120_000);
});
