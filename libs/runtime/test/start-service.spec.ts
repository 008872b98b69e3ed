import { Body, Controller, Get, Injectable, Module, NotFoundException, Post } from '@nestjs/common';
import { IsInt, IsString, MaxLength, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { Consume, KafkaBus, type DeliveredMessage } from '@firstline/bus';
import { BadInputError, UnavailableError } from '@firstline/errors';
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

class EchoRequest {
  @IsString()
  @MaxLength(5)
  text!: string;

  @IsInt()
  @Min(1)
  copies!: number;
}

/** Its HTTP side: an echo, and each way a request can fail. */
@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() request: EchoRequest) {
    return request;
  }

  @Get('missing')
  missing() {
    throw new NotFoundException('No such echo');
  }

  @Get('database-restarting')
  databaseRestarting() {
    throw new Error('saving the echo failed', {
      cause: new UnavailableError('the database is restarting'),
    });
  }

  @Get('bad-input')
  badInput() {
    throw new BadInputError('an echo needs a voice');
  }

  @Get('bug')
  bug() {
    throw new TypeError('relation "echo.secret_table" does not exist');
  }
}

@Module({ providers: [EchoConsumer], controllers: [EchoController] })
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

  describe('answers errors with one body, {error, message, details?}', () => {
    const get = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${service.url}${path}`, init);
      return { response, body: (await response.json()) as unknown };
    };
    const post = (body: unknown) =>
      get('/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('checks a request body against its class, naming every field to correct', async () => {
      expect((await post({ text: 'hi', copies: 2 })).body).toEqual({ text: 'hi', copies: 2 });

      const { response, body } = await post({ text: 'too long', copies: 0, colour: 'red' });
      expect(response.status).toBe(400);
      expect(body).toEqual({
        error: 'bad_request',
        message:
          'property colour should not exist; text must be shorter than or equal to 5 characters; ' +
          'copies must not be less than 1',
        details: {
          fields: [
            {
              field: 'colour',
              problem: 'whitelistValidation',
              message: 'property colour should not exist',
            },
            {
              field: 'text',
              problem: 'maxLength',
              message: 'text must be shorter than or equal to 5 characters',
            },
            { field: 'copies', problem: 'min', message: 'copies must not be less than 1' },
          ],
        },
      });
    });

    it('keeps the status and sentence of an HTTP exception', async () => {
      const { response, body } = await get('/echo/missing');
      expect(response.status).toBe(404);
      expect(body).toEqual({ error: 'not_found', message: 'No such echo' });
      expect((await get('/no-such-route')).body).toEqual({
        error: 'not_found',
        message: 'Cannot GET /no-such-route',
      });
    });

    it('answers 503 with Retry-After when a dependency is unavailable', async () => {
      const { response, body } = await get('/echo/database-restarting');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(body).toEqual({
        error: 'service_unavailable',
        message: 'The service is unavailable for a moment; try again shortly',
      });
    });

    it('answers bad input with 400 and its sentence', async () => {
      const { response, body } = await get('/echo/bad-input');
      expect(response.status).toBe(400);
      expect(body).toEqual({ error: 'bad_request', message: 'an echo needs a voice' });
    });

    it('keeps the status of a body parser’s refusal: malformed JSON is 400, not a bug', async () => {
      const { response, body } = await get('/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text": ',
      });
      expect(response.status).toBe(400);
      expect(body).toMatchObject({ error: 'bad_request' });
    });

    it('answers a bug with 500 and nothing of its message', async () => {
      const { response, body } = await get('/echo/bug');
      expect(response.status).toBe(500);
      expect(body).toEqual({ error: 'internal_server_error', message: 'Internal server error' });
    });
  });

  it('reports handler latency and outbox backlog on /metrics', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toMatch(
      /firstline_handler_duration_seconds_count\{service="echo",group="echo",topic="[^"]+",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(/firstline_outbox_backlog\{service="echo"\} 0/);
  });
});
