import type { BusOptions } from './delivery';
import { InProcessBus } from './in-process-bus';
import { KafkaBus } from './kafka-bus';
import type { MessageBus } from './port';

export interface BusConfig extends Omit<BusOptions, 'deadLetterPartitions'> {
  clientId: string;
  /** Kafka when given; otherwise a new in-process bus. */
  kafkaBrokers?: string[];
  /** Partitions of the dead-letter topic, the one topic the bus creates on its own (default 1). */
  partitions?: number;
  /** Kafka only: copies of each partition of the topics it creates (default 1). */
  replicationFactor?: number;
}

/**
 * A bus from configuration: Kafka when brokers are configured, in-process otherwise. Every call
 * makes a new bus; services sharing one process share one bus, so build it once and hand it on.
 */
export function createBus({
  clientId,
  kafkaBrokers,
  partitions,
  replicationFactor,
  ...options
}: BusConfig): MessageBus {
  const shared: BusOptions = { ...options, deadLetterPartitions: partitions };
  return kafkaBrokers && kafkaBrokers.length > 0
    ? new KafkaBus({ ...shared, brokers: kafkaBrokers, clientId, replicationFactor })
    : new InProcessBus(shared);
}
