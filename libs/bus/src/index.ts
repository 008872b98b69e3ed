export * from './port';

export { deadLetterRecord, type DeadLetter } from './dead-letter';
export { readTopic, topicRecord, type MessageOf, type ProblemCheck, type Received } from './typed';
export { silentLogger, stderrJsonLogger, type BusLogger } from './logger';
export {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_RETRY,
  type BusOptions,
  type HandledListener,
} from './delivery';
export { InProcessBus, type InProcessBusOptions } from './in-process-bus';
export {
  MemoryRecordLog,
  withDefaults,
  type AppendedRecord,
  type CommittedOffset,
  type LoggedRecord,
  type PartitionBounds,
  type RecordLog,
  type SourceCheckpoint,
  type StoredTopic,
  type Trim,
} from './record-log';
export { KafkaBus, type KafkaBusOptions } from './kafka-bus';
export { createBus, type BusConfig } from './create-bus';
export { Consume, type ConsumeOptions, type ConsumeTopicOptions } from './nest/consume.decorator';
export { BusModule, MESSAGE_BUS, type BusModuleOptions } from './nest/bus.module';
