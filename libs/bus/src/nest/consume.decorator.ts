import { SetMetadata } from '@nestjs/common';
import type { BatchHandler, RetryPolicy } from '../port';

export interface ConsumeOptions {
  topics: string[];
  /** Default: the `defaultGroup` of `BusModule.forRoot`, the service's name. */
  group?: string;
  retry?: Partial<RetryPolicy>;
  maxBatchSize?: number;
  /** See `Subscription.gatherPartitions`. */
  gatherPartitions?: boolean;
}

export const CONSUME_METADATA = 'firstline:bus:consume';

/**
 * Makes a provider method the handler of its consumer group for these topics: it receives one
 * partition's records in order (or several partitions' with `gatherPartitions`), and resolving means their effects are durable. `BusModule`
 * subscribes every such method when the application has bootstrapped.
 */
export function Consume(options: ConsumeOptions) {
  return <T extends BatchHandler>(
    target: object,
    method: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    SetMetadata(CONSUME_METADATA, options)(target, method, descriptor);
  };
}
