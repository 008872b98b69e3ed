import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { DescMessage } from '@firstline/contracts';
import type { DeliveredMessage, HandledInfo, MessageBus, Subscription, TopicSpec } from '../port';
import { readTopic, type Received } from '../typed';
import {
  CONSUME_METADATA,
  type ConsumeOptions,
  type ConsumeTopicOptions,
} from './consume.decorator';

type AnyConsumeOptions = ConsumeOptions | ConsumeTopicOptions<DescMessage, boolean>;
/** A subscription of either kind, as this module keeps them. */
type AnySubscription = Subscription<DeliveredMessage> | Subscription<Received<unknown>>;

/** Injection token of the application's `MessageBus`. */
export const MESSAGE_BUS = Symbol('MessageBus');

const BUS_MODULE_OPTIONS = Symbol('BusModuleOptions');

export interface BusModuleOptions {
  bus: MessageBus;
  /** Created when missing, before any consumer starts. */
  topics: TopicSpec[];
  /** Group of the `@Consume` handlers that name none: the service's name. */
  defaultGroup?: string;
  /** This replica's name, for `everyReplica` subscriptions (default "local"). */
  replica?: string;
  /**
   * Whether shutting the application down stops the bus (default true). False where services
   * share one bus in one process: then only this application's consumers stop.
   */
  ownsBus?: boolean;
  /** Called after each batch handled by this application's consumers. */
  onHandled?: (info: HandledInfo) => void;
  /** Wraps every handler call, e.g. to run it in the trace of the records it handles. */
  aroundHandler?: (messages: DeliveredMessage[], handle: () => Promise<void>) => Promise<void>;
}

/** Finds the `@Consume` methods of the application's providers and runs them on the bus. */
@Injectable()
class BusConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscriptions: AnySubscription[] = [];

  constructor(
    @Inject(BUS_MODULE_OPTIONS) private readonly options: BusModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { bus, topics } = this.options;
    await bus.ensureTopics(topics);
    const perReplica: Array<{ prefix: string; group: string }> = [];
    for (const { subscription, everyReplica } of this.discover()) {
      if (everyReplica) {
        const prefix = `${subscription.group}.replica.`;
        subscription.group = `${prefix}${this.options.replica ?? 'local'}`;
        perReplica.push({ prefix, group: subscription.group });
      }
      await bus.subscribe<DeliveredMessage | Received<unknown>>(
        subscription as Subscription<DeliveredMessage | Received<unknown>>,
      );
      this.subscriptions.push(subscription);
    }
    await bus.start();
    for (const { prefix, group } of perReplica) await bus.deleteIdleGroups(prefix, group);
  }

  /** Before the application's other resources close: in-flight batches still need them. */
  async beforeApplicationShutdown(): Promise<void> {
    const { bus, ownsBus = true } = this.options;
    if (ownsBus) await bus.stop();
    else {
      await Promise.all(
        this.subscriptions.map(({ group, topics }) => bus.unsubscribe(group, topics)),
      );
    }
    this.subscriptions = [];
  }

  private discover(): Array<{ subscription: AnySubscription; everyReplica: boolean }> {
    const subscriptions: Array<{ subscription: AnySubscription; everyReplica: boolean }> = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype: Record<string, unknown> = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const consume = this.reflector.get<AnyConsumeOptions | undefined>(
          CONSUME_METADATA,
          prototype[method] as () => unknown,
        );
        if (!consume) continue;
        const name = `${instance.constructor.name}.${method}`;
        if (!wrapper.isDependencyTreeStatic()) {
          throw new Error(`@Consume on ${name}: a consumer must be a singleton provider`);
        }
        const group = consume.group ?? this.options.defaultGroup;
        if (!group) {
          throw new Error(
            `@Consume on ${name} names no group, and BusModule.forRoot has no defaultGroup`,
          );
        }
        const handle = (instance as Record<string, (items: unknown[]) => Promise<void>>)[
          method
        ].bind(instance);
        const around = this.options.aroundHandler;
        const common = {
          group,
          retry: consume.retry,
          maxBatchSize: consume.maxBatchSize,
          gatherPartitions: consume.gatherPartitions,
          onHandled: this.options.onHandled,
        };
        if ('topic' in consume) {
          const typed: Subscription<Received<unknown>> = {
            ...common,
            topics: [consume.topic.name],
            read: readTopic(consume.topic, consume.check),
            handler: around
              ? (received) => around(recordsOf(received), () => handle(received))
              : handle,
          };
          subscriptions.push({ subscription: typed, everyReplica: !!consume.everyReplica });
        } else {
          const raw: Subscription<DeliveredMessage> = {
            ...common,
            topics: consume.topics,
            handler: around ? (records) => around(records, () => handle(records)) : handle,
          };
          subscriptions.push({ subscription: raw, everyReplica: !!consume.everyReplica });
        }
      }
    }
    return subscriptions;
  }
}

function recordsOf(received: Array<Received<unknown>>): DeliveredMessage[] {
  return received.map(({ record }) => record);
}

/**
 * The bus for a Nest application: provides it under `MESSAGE_BUS`, and when the application has
 * bootstrapped creates the topics, subscribes every `@Consume` method and starts consuming.
 */
@Module({})
export class BusModule {
  static forRoot(options: BusModuleOptions): DynamicModule {
    return {
      module: BusModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: BUS_MODULE_OPTIONS, useValue: options },
        { provide: MESSAGE_BUS, useValue: options.bus },
        BusConsumers,
      ],
      exports: [MESSAGE_BUS],
    };
  }
}
