import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  /** Unhandled records per consumer group and partition. */
  consumerLag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>>;
  /** Outbox rows written but not yet published. */
  outboxBacklog(): Promise<number>;
}

export interface HandledBatch {
  group: string;
  topic: string;
  count: number;
  durationMs: number;
  outcome: 'ok' | 'retried' | 'dead-lettered';
}

/**
 * One registry per service, so several services can share a process (the embedded mode) and still
 * each expose exactly their own numbers on their own /metrics.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly handlerDuration: Histogram<'group' | 'topic' | 'outcome'>;
  private readonly handledMessages: Counter<'group' | 'topic' | 'outcome'>;

  constructor(service: string, sources: MetricSources) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });

    this.handlerDuration = new Histogram({
      name: 'firstline_handler_duration_seconds',
      help: 'Time a consumer handler took for one batch of records',
      labelNames: ['group', 'topic', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.handledMessages = new Counter({
      name: 'firstline_handled_messages_total',
      help: 'Records handled by consumers, by outcome',
      labelNames: ['group', 'topic', 'outcome'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'firstline_consumer_lag',
      help: 'Records published but not yet handled, per consumer group and partition',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { group, topic, partition, lag } of await sources.consumerLag()) {
          this.set({ group, topic, partition: String(partition) }, lag);
        }
      },
    });
    new Gauge({
      name: 'firstline_outbox_backlog',
      help: 'Outbox rows committed but not yet published to the bus',
      registers: [this.registry],
      async collect() {
        this.set(await sources.outboxBacklog());
      },
    });
  }

  recordBatch({ group, topic, count, durationMs, outcome }: HandledBatch): void {
    this.handlerDuration.observe({ group, topic, outcome }, durationMs / 1000);
    this.handledMessages.inc({ group, topic, outcome }, count);
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
