import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { Env } from '@firstline/config';
import type { MigrationClass } from '@firstline/persistence';

/**
 * What a service is, independent of how it is run: alone in its own process against Kafka and
 * Postgres, or beside the others in the embedded single process.
 */
export interface ServiceDefinition {
  /** Also its consumer group and its name in logs and metrics. */
  name: string;
  /** The Postgres schema it owns; no other service reads it. */
  schema: string;
  /**
   * The Nest module with its controllers, consumers and providers; a dynamic module when the
   * service is given something from outside (the attachment store a channel reads files from).
   */
  module: Type<unknown> | DynamicModule;
  /** Its own migrations, in order; the outbox and inbox tables come with every service. */
  migrations: MigrationClass[];
  defaultPort: number;
  /** Embedded mode starts it only when this says so (channels whose credentials are configured). */
  enabledInEmbeddedMode(env: Env): boolean;
  /**
   * The variable naming what the service works on, for channels that have nothing to do without
   * it (bots, communities, groups). Alone and without it, the service idles (see startIdle).
   */
  idleWithout?: string;
  /**
   * The service reads request bodies itself, in its handlers (web forms: only after the checks
   * that need no body), so Nest's JSON and form parsers are left out.
   */
  readsOwnBodies?: boolean;
  /**
   * Every request body arrives as raw bytes (a Buffer), whatever its content type, up to this size
   * ("2mb", or bytes): webhooks verified on their exact bytes, answered even when not JSON.
   */
  rawBodiesUpTo?: number | string;
  /** Adjusts the application before it listens (e.g. a WebSocket adapter); alone and embedded. */
  configure?(app: INestApplication): void | Promise<void>;
}
