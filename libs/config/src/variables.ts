import { hostname } from 'node:os';
import { z } from 'zod';
import { parseConfig, type Env } from './config';

/** Reusable validators for the variables several services share. */

const hostPort = /^[A-Za-z0-9.\-_]+:\d{1,5}$/;

export const kafkaBrokers = z
  .string()
  .transform((value) => value.split(',').map((broker) => broker.trim()))
  .refine((brokers) => brokers.every((broker) => hostPort.test(broker)), {
    message: 'must be a comma-separated list of host:port, e.g. 127.0.0.1:9092',
  });

export const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/[^/]+/.test(value) && URL.canParse(value), {
    message: 'must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/firstline',
  });

export const port = z.coerce
  .number({ message: 'must be a TCP port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

export const positiveInt = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  message: 'must be one of fatal, error, warn, info, debug, trace, silent',
});

/** Variables every service reads. */
export const commonVariables = {
  LOG_LEVEL: logLevel.default('info'),
  HOST: z.string().default('0.0.0.0'),
  KAFKA_PARTITIONS: positiveInt.default(6),
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1),
};

/** How many reverse proxies in front of a service append to X-Forwarded-For (0: none, the default). */
export const proxyHops = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .default(0);

/** A signing secret shared by services: long enough that guessing it is out of reach. */
export const sharedSecret = z
  .string()
  .min(32, 'must be at least 32 characters')
  .transform((value) => Buffer.from(value));

/** A comma-separated list of MIME types (files a channel takes), lower case. */
export const mimeTypeList = z
  .string()
  .transform((value) => value.split(',').map((type) => type.trim().toLowerCase()))
  .refine(
    (types) => types.every((type) => /^[a-z]+\/[a-z0-9.+-]+$/.test(type)),
    'must be a comma-separated list of MIME types like image/png,application/pdf',
  );

/** An http(s) base URL, without a trailing slash. */
export const baseUrl = z
  .string()
  .refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));
/**
 * The fewest characters a webhook secret may have. The secret is all that tells a platform's
 * request from a forged one, so it must not be guessable; 16 random characters are out of reach.
 */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/**
 * A webhook secret as a platform accepts it (at most `max` characters, of `alphabet` when the
 * platform restricts them), and at least MIN_WEBHOOK_SECRET_LENGTH long.
 */
export function webhookSecret(platform: {
  max: number;
  alphabet?: { pattern: RegExp; described: string };
}) {
  const schema = z
    .string()
    .min(
      MIN_WEBHOOK_SECRET_LENGTH,
      `secret must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters, so it cannot be guessed`,
    )
    .max(platform.max, `secret must be at most ${platform.max} characters`);
  const { alphabet } = platform;
  return alphabet
    ? schema.regex(alphabet.pattern, `secret may only contain ${alphabet.described}`)
    : schema;
}

/**
 * A variable holding a JSON array of accounts (bots, communities), checked by `list`. A problem
 * names the account by its position (`bot 2: webhook mode needs a secret`) and never repeats the
 * value, which holds their access tokens.
 */
export function jsonList<Item>(
  list: z.ZodType<Item[]>,
  described: { item: string; example: string },
) {
  const expected = `must be a JSON array of ${described.item}s, e.g. ${described.example}`;
  return z.string({ message: expected }).transform((value, context): Item[] => {
    const problem = (message: string) => {
      context.addIssue({ code: 'custom', message, params: { confidential: true } });
      return z.NEVER;
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return problem(expected);
    }
    const result = list.safeParse(parsed);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const index = issue.path[0];
    const where = typeof index === 'number' ? `${described.item} ${index + 1}: ` : '';
    return problem(`${where}${issue.message}`);
  });
}

const replicaVariables = {
  /**
   * Names this replica among the service's replicas: its live-update consumer group and its
   * leases carry it. Default: the host name, which is the pod's or container's own; processes
   * sharing a host must be given one each.
   */
  FIRSTLINE_REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 of A-Z, a-z, 0-9, ".", "_" and "-"')
    .optional(),
};

/** This replica's name: FIRSTLINE_REPLICA_ID, or the host name. */
export function replicaId(env: Env = process.env): string {
  return parseConfig(replicaVariables, env).FIRSTLINE_REPLICA_ID ?? hostname();
}
