import { Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, KafkaBus, type DeliveredMessage } from '@firstline/bus';
import { currentTraceId } from '@firstline/observability';
import { claimMessage, enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import {
  createTestDatabase,
  ensureKafka,
  uniqueName,
  type TestDatabase,
  waitFor,
} from '@firstline/testing';
import { startService, type RunningService, type ServiceDefinition } from '../src';

const requests = uniqueName('test.requests');
const answers = uniqueName('test.answers');

/** A service in miniature: consumes a request, answers through the outbox, once per message id. */
@Injectable()
class EchoConsumer {
  readonly tracesSeen: Array<string | undefined> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  @Consume({ topics: [requests] })
  async handle(messages: DeliveredMessage[]): Promise<void> {
    this.tracesSeen.push(currentTraceId());
    await this.dataSource.transaction(async (manager) => {
      for (const message of messages) {
        if (!(await claimMessage(manager, 'echo', message.headers.messageId))) continue;
        await enqueueOutbox(manager, [
          {
            topic: answers,
            key: message.key,
            value: message.value,
            headers: {
              messageId: `answer-${message.headers.messageId}`,
              type: 'test.Answer',
              traceId: message.headers.traceId,
            },
          },
        ]);
      }
    });
    this.relay.nudge();
  }
}

@Module({ providers: [EchoConsumer] })
class EchoModule {}

const echoService: ServiceDefinition = {
  name: 'echo',
  schema: 'echo',
  module: EchoModule,
  migrations: [],
  defaultPort: 0,
  enabledInEmbeddedMode: () => true,
};

describe('a service started on Kafka and Postgres', () => {
  let database: TestDatabase;
  let bus: KafkaBus;
  let service: RunningService;

  beforeAll(async () => {
    database = await createTestDatabase();
    bus = new KafkaBus({ brokers: await ensureKafka(), clientId: 'runtime-test' });
    await bus.ensureTopics([
      { topic: requests, partitions: 3 },
      { topic: answers, partitions: 3 },
    ]);
    service = await startService(
      echoService,
      {
        bus,
        ownsBus: true,
        databaseUrl: database.url,
        databasePoolSize: 2,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 3,
        replicationFactor: 1,
      },
      0,
    );
  }, 120_000);

  afterAll(async () => {
    await (service ? service.stop() : bus?.stop());
    await database?.drop();
  });

  it('answers GET /health with the bus and the database up', async () => {
    const response = await fetch(`${service.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { bus: { status: 'up' }, database: { status: 'up' } },
    });
  });

  it('handles a record once even when it is delivered twice, and announces the effect through the outbox', async () => {
    const received: DeliveredMessage[] = [];
    await bus.subscribe({
      group: uniqueName('observer'),
      topics: [answers],
      handler: async (messages) => void received.push(...messages),
    });
    const request = {
      topic: requests,
      key: 'conversation-1',
      value: Buffer.from('hello'),
      headers: { messageId: 'request-1', type: 'test.Request', traceId: 'trace0001' },
    };
    await bus.publish([request]);
    await bus.publish([request]);

    await waitFor(() => received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(received).toHaveLength(1);
    expect(received[0].headers).toMatchObject({
      messageId: 'answer-request-1',
      traceId: 'trace0001',
    });
    expect(received[0].value.toString()).toBe('hello');
    expect(service.app.get(EchoConsumer, { strict: false }).tracesSeen).toContain('trace0001');
  }, 60_000);

  it('reports handler latency and outbox backlog on /metrics', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toMatch(
      /firstline_handler_duration_seconds_count\{service="echo",group="echo",topic="[^"]+",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(/firstline_outbox_backlog\{service="echo"\} 0/);
  });
});
