import { SetMetadata } from '@nestjs/common';
import type { DescMessage, Topic } from '@firstline/contracts';
import type { BatchHandler, DeliveredMessage, RetryPolicy } from '../port';
import type { MessageOf, ProblemCheck, Received } from '../typed';

interface ConsumeSettings {
  /** Default: the `defaultGroup` of `BusModule.forRoot`, the service's name. */
  group?: string;
  retry?: Partial<RetryPolicy>;
  maxBatchSize?: number;
  /** See `Subscription.gatherPartitions`. */
  gatherPartitions?: boolean;
  /**
   * Every replica of the service receives every record (a push to the clients connected to each):
   * the group becomes `<group>.replica.<FIRSTLINE_REPLICA_ID>`, stable across the replica's
   * restarts, and at start the idle groups of replicas gone are deleted.
   */
  everyReplica?: boolean;
}

/** Raw records of any topics: for topics outside the contracts, or a handler reading bytes. */
export interface ConsumeOptions extends ConsumeSettings {
  topics: string[];
}

/** Decoded messages of one contract topic: see `readTopic`. */
export interface ConsumeTopicOptions<
  Desc extends DescMessage,
  Compacted extends boolean,
> extends ConsumeSettings {
  topic: Topic<Desc, Compacted>;
  /** What makes a decoded message bad input, dead-lettered before the handler sees it. */
  check?: ProblemCheck<Desc>;
}

export const CONSUME_METADATA = 'firstline:bus:consume';

type MethodDecorator<Handler> = <M extends Handler>(
  target: object,
  method: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void;

/**
 * Makes a provider method the handler of its consumer group: it receives one partition's records
 * in order (or several partitions' with `gatherPartitions`), and resolving means their effects are
 * durable. `BusModule` subscribes every such method when the application has bootstrapped.
 *
 * Given a `topic` of the contracts (`@Consume({ topic: TOPICS.routing })`), the method receives
 * each record decoded beside its metadata, `Array<Received<RoutingDecision>>`: records of another
 * type, that do not decode or fail `check` are dead-lettered as bad input and never reach it.
 */
export function Consume<Desc extends DescMessage, Compacted extends boolean>(
  options: ConsumeTopicOptions<Desc, Compacted>,
): MethodDecorator<BatchHandler<Received<MessageOf<Topic<Desc, Compacted>>>>>;
export function Consume(options: ConsumeOptions): MethodDecorator<BatchHandler<DeliveredMessage>>;
export function Consume(
  options: ConsumeOptions | ConsumeTopicOptions<DescMessage, boolean>,
): MethodDecorator<BatchHandler<never>> {
  return (target, method, descriptor) => {
    SetMetadata(CONSUME_METADATA, options)(target, method, descriptor);
  };
}
