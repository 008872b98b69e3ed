import { Kafka, logLevel } from 'kafkajs';
import { WebSocket } from 'ws';
import { KafkaBus, silentLogger } from '@firstline/bus';
import { encode, messageType, RoutingDecisionSchema, TOPICS } from '@firstline/contracts';
import { startService, type RunningService } from '@firstline/runtime';
import {
  AgentApi,
  createTestDatabase,
  ensureKafka,
  sealedToRun,
  uniqueName,
  type TestDatabase,
} from '@firstline/testing';
import { DEMO_PASSWORD, ticketsService } from '../src';
import { decision, startAtEnd, waitFor, type RoutingDecision } from './support';

interface Push {
  type: string;
  ticketId?: string;
  event?: { type: string };
}

/** An agent's live connection to one replica, and what it received. */
class LiveClient {
  readonly received: Push[] = [];
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.received.push(JSON.parse(data.toString()) as Push));
  }

  eventsOf(ticketId: string): string[] {
    return this.received
      .filter((push) => push.type === 'ticket-event' && push.ticketId === ticketId)
      .map((push) => push.event!.type);
  }
}

describe('two tickets replicas', () => {
  const name = uniqueName('tickets');
  const staleGroup = `${name}.replica.gone-since-yesterday`;
  let database: TestDatabase;
  let brokers: string[];
  const replicas: RunningService[] = [];
  const sockets: WebSocket[] = [];

  /** One replica of the service, named FIRSTLINE_REPLICA_ID=`id`, on the shared database. */
  const startReplica = async (id: string) => {
    process.env.FIRSTLINE_REPLICA_ID = id;
    try {
      const replica = await startService(
        { ...ticketsService, name },
        {
          bus: sealedToRun(new KafkaBus({ brokers, clientId: id, logger: silentLogger }), name),
          ownsBus: true,
          databaseUrl: database.url,
          databasePoolSize: 3,
          host: '127.0.0.1',
          logLevel: 'silent',
          partitions: 6,
          replicationFactor: 1,
        },
        0,
      );
      replicas.push(replica);
      return replica;
    } finally {
      delete process.env.FIRSTLINE_REPLICA_ID;
    }
  };

  const signIn = async (replica: RunningService, email: string) => {
    const response = await fetch(`${replica.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    });
    const { token } = (await response.json()) as { token: string };
    const socket = new WebSocket(`${replica.url.replace('http', 'ws')}/api/v1/live`, [
      'firstline.v1',
      token,
    ]);
    sockets.push(socket);
    const live = new LiveClient(socket);
    await waitFor(() => live.received.some((push) => push.type === 'ready'));
    return { api: new AgentApi(`${replica.url}/api/v1`, token), live };
  };

  const consumerGroups = async () => {
    const admin = new Kafka({ brokers, clientId: name, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return (await admin.listGroups()).groups
        .map((group) => group.groupId)
        .filter((group) => group.startsWith(name));
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    [database, brokers] = await Promise.all([createTestDatabase(), ensureKafka()]);
    // A replica that is gone left its live-update group behind, with offsets and no member.
    await Promise.all([
      startAtEnd(brokers, name, TOPICS.routing.name),
      startAtEnd(brokers, staleGroup, TOPICS.ticketEvents.name),
    ]);
    process.env.FIRSTLINE_DEMO = '1';
    await startReplica('tickets-a');
    await startReplica('tickets-b');
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  });

  it('each replica reads the live updates in a group named after it, and deletes the group of a replica gone', async () => {
    const groups = await consumerGroups();
    expect(groups).toEqual(
      expect.arrayContaining([`${name}.replica.tickets-a`, `${name}.replica.tickets-b`]),
    );
    expect(groups).not.toContain(staleGroup);
  });

  it('agents connected to either replica see what is done on the other', async () => {
    const [a, b] = replicas;
    const ann = await signIn(a, 'ann@firstline.example'); // first line, on replica a
    const sam = await signIn(b, 'supervisor@firstline.example'); // every team, on replica b

    const routed: RoutingDecision = decision({ teamId: 'first-line' });
    const bus = sealedToRun(new KafkaBus({ brokers, clientId: `${name}-router` }), name);
    try {
      await bus.publish([
        {
          topic: TOPICS.routing.name,
          key: routed.ticketId,
          value: encode(RoutingDecisionSchema, routed),
          headers: { messageId: routed.decisionId, type: messageType(RoutingDecisionSchema) },
        },
      ]);
    } finally {
      await bus.stop();
    }
    // Whichever replica handled the decision, both agents hear of the new ticket.
    for (const agent of [ann, sam]) {
      await waitFor(
        () => agent.live.eventsOf(routed.ticketId).includes('TICKET_EVENT_TYPE_CREATED'),
        60_000,
      );
    }

    // Ann, on a, sets the ticket pending: Sam, on b, sees it.
    const pending = await ann.api.call('POST', `/tickets/${routed.ticketId}/status`, {
      status: 'pending',
    });
    expect(pending.status).toBe(200);
    await waitFor(
      () => sam.live.eventsOf(routed.ticketId).includes('TICKET_EVENT_TYPE_STATUS_CHANGED'),
      30_000,
    );

    // Sam, on b, reopens it: Ann, on a, sees both changes.
    const reopened = await sam.api.call('POST', `/tickets/${routed.ticketId}/status`, {
      status: 'open',
    });
    expect(reopened.status).toBe(200);
    await waitFor(
      () =>
        ann.live.eventsOf(routed.ticketId).filter((type) => type.endsWith('STATUS_CHANGED'))
          .length === 2,
      30_000,
    );
  }, 120_000);
});
