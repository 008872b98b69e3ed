import type { DataSource } from 'typeorm';
import { readTopic, type DeliveredMessage } from '@firstline/bus';
import {
  create,
  encode,
  messageType,
  RoutingDecisionSchema,
  TicketDisposition,
  TicketEventSchema,
  TicketEventType,
  timestampFromDate,
  TOPICS,
  type DescMessage,
  type MessageShape,
} from '@firstline/contracts';
import { createLogger } from '@firstline/observability';
import { openDatabase, persistenceMigrations } from '@firstline/persistence';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import { RoutingProjection } from '../src/projection/routing.consumer';
import { TicketEventsProjection } from '../src/projection/ticket-events.consumer';
import { channelWebformService } from '../src/service';

let database: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await openDatabase({
    url: database.url,
    schema: 'channel_webform',
    migrations: [...persistenceMigrations('channel_webform'), ...channelWebformService.migrations],
    poolSize: 4,
    logger: createLogger({ service: 'channel-webform', level: 'silent' }),
  });
});

afterAll(async () => {
  await dataSource?.destroy();
  await database.drop();
});

let offset = 0;
function record<Desc extends DescMessage>(
  schema: Desc,
  topic: string,
  key: string,
  message: MessageShape<Desc>,
): DeliveredMessage {
  offset += 1;
  return {
    topic,
    partition: 0,
    offset: String(offset),
    key,
    value: Buffer.from(encode(schema, message)),
    headers: {
      messageId: `${topic}:${offset}`,
      type: messageType(schema),
      schemaVersion: 1,
      traceId: 'trace',
      producedAt: new Date().toISOString(),
    },
    extraHeaders: {},
  };
}

/** The router's decision for conversation `token`: a new ticket with that number. */
function decision(token: string, ticketId: string, number: string): DeliveredMessage {
  return record(
    RoutingDecisionSchema,
    TOPICS.routing.name,
    `webform:${token}`,
    create(RoutingDecisionSchema, {
      decisionId: `decision-${ticketId}`,
      conversationKey: `webform:${token}`,
      ticketId,
      ticketNumber: number,
      disposition: TicketDisposition.NEW_TICKET,
      assignedAgentId: 'agent-1',
      decidedAt: timestampFromDate(new Date()),
    }),
  );
}

/** The tickets service announcing the ticket, then its assignment. */
function created(token: string, ticketId: string, number: string): DeliveredMessage[] {
  const occurredAt = timestampFromDate(new Date());
  return [
    record(
      TicketEventSchema,
      TOPICS.ticketEvents.name,
      ticketId,
      create(TicketEventSchema, {
        eventId: `created-${ticketId}`,
        ticketId,
        ticketNumber: number,
        type: TicketEventType.CREATED,
        occurredAt,
        details: { case: 'created', value: { conversationKey: `webform:${token}` } },
      }),
    ),
    record(
      TicketEventSchema,
      TOPICS.ticketEvents.name,
      ticketId,
      create(TicketEventSchema, {
        eventId: `assigned-${ticketId}`,
        ticketId,
        ticketNumber: number,
        type: TicketEventType.ASSIGNED,
        occurredAt,
        details: { case: 'assigned', value: { agentId: 'agent-2' } },
      }),
    ),
  ];
}

it('the routing and ticket-event projections write the same conversations in opposite orders at once without a deadlock', async () => {
  const routing = new RoutingProjection(dataSource);
  const ticketEvents = new TicketEventsProjection(dataSource);
  const conversations = 40;
  for (let round = 0; round < 5; round += 1) {
    const tokens = Array.from({ length: conversations }, (_, n) => `round${round}-${n}`);
    await dataSource.query(
      `INSERT INTO channel_webform.conversation (status_token, form_id, locale, subject)
       SELECT unnest($1::text[]), 'contact', 'en', 'Help'`,
      [tokens],
    );
    const tickets = tokens.map((token, n) => ({
      token,
      ticketId: `ticket-${token}`,
      number: `${round * 100 + n}`,
    }));
    // Records reach the two consumers in different orders: different topics, keys and partitions.
    const decisions = tickets.map(({ token, ticketId, number }) =>
      decision(token, ticketId, number),
    );
    const events = [...tickets]
      .reverse()
      .flatMap(({ token, ticketId, number }) => created(token, ticketId, number));

    // Read as the bus reads them for the consumers' typed subscriptions.
    await Promise.all([
      routing.handle(decisions.map(readTopic(TOPICS.routing))),
      ticketEvents.handle(events.map(readTopic(TOPICS.ticketEvents))),
    ]);

    const stored: Array<{ status_token: string; ticket_id: string; ticket_number: string }> =
      await dataSource.query(
        `SELECT c.status_token, c.ticket_id, t.ticket_number
         FROM channel_webform.conversation c JOIN channel_webform.ticket t USING (ticket_id)
         WHERE c.status_token = ANY($1) ORDER BY c.status_token`,
        [tokens],
      );
    expect(stored).toHaveLength(conversations);
    for (const row of stored) expect(row.ticket_id).toBe(`ticket-${row.status_token}`);
  }
});
