import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Writable } from 'node:stream';
import request from 'supertest';
import {
  createLogger,
  ObservabilityModule,
  runWithTrace,
  ServiceMetrics,
  traceIdFromHttpHeaders,
  traceMiddleware,
  type DependencyCheck,
} from '../src';

describe('health and metrics endpoints', () => {
  let app: INestApplication;
  let database: DependencyCheck;
  const metrics = new ServiceMetrics('router', {
    consumerLag: async () => [
      { group: 'router', topic: 'support.inbound.v1', partition: 2, lag: 17 },
    ],
    outboxBacklog: async () => 4,
  });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ObservabilityModule.forService({
          metrics,
          checks: { bus: async () => ({ up: true }), database: async () => database },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.use(traceMiddleware);
    await app.init();
  });
  afterAll(() => app.close());

  it('answers 200 when the bus and the database are up', async () => {
    database = { up: true };
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.info).toEqual({ bus: { status: 'up' }, database: { status: 'up' } });
  });

  it('answers 503 naming the dependency that is down', async () => {
    database = { up: false, detail: 'connect ECONNREFUSED 127.0.0.1:5432' };
    const response = await request(app.getHttpServer()).get('/health').expect(503);
    expect(response.body.error.database).toEqual({
      status: 'down',
      message: 'connect ECONNREFUSED 127.0.0.1:5432',
    });
  });

  it('exposes handler latency, consumer lag and outbox backlog', async () => {
    metrics.recordBatch({
      group: 'router',
      topic: 'support.inbound.v1',
      count: 3,
      durationMs: 12,
      outcome: 'ok',
    });
    const response = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(
      /firstline_handler_duration_seconds_count\{service="router",group="router",topic="support.inbound.v1",outcome="ok"\} 1/,
    );
    expect(response.text).toMatch(
      /firstline_consumer_lag\{group="router",topic="support.inbound.v1",partition="2",service="router"\} 17/,
    );
    expect(response.text).toMatch(/firstline_outbox_backlog\{service="router"\} 4/);
  });

  it('echoes the caller trace id', async () => {
    const response = await request(app.getHttpServer())
      .get('/health')
      .set('x-trace-id', 'abc123def456');
    expect(response.headers['x-trace-id']).toBe('abc123def456');
  });
});

describe('trace ids', () => {
  it('takes the W3C traceparent trace id when there is no x-trace-id', () => {
    expect(
      traceIdFromHttpHeaders({
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      }),
    ).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('starts a new trace for a request without one', () => {
    expect(traceIdFromHttpHeaders({})).toMatch(/^[\da-f]{32}$/);
  });

  it('puts the current trace id on every log line', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 'tickets', destination });
    runWithTrace('trace-42abc', () => logger.info({ ticket: 7 }, 'ticket opened'));
    logger.info('outside any trace');
    const [inside, outside] = lines.map((line) => JSON.parse(line));
    expect(inside).toMatchObject({
      level: 'info',
      service: 'tickets',
      traceId: 'trace-42abc',
      ticket: 7,
      msg: 'ticket opened',
    });
    expect(outside.traceId).toBeUndefined();
  });
});
