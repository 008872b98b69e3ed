import { ConfigError, parseConfig, positiveInt, webhookSecret, type Env } from '@firstline/config';
import { z } from 'zod';

/**
 * VK_COMMUNITIES is a JSON array, one object per community:
 *   [{"groupId":218000001,"token":"vk1.a…","mode":"callback","confirmationCode":"c0ffee12","secret":"…"},
 *    {"groupId":218000002,"token":"vk1.a…","mode":"longpoll"}]
 * Callback API communities post to /vk/<groupId>/callback; long-poll ones are polled by this service.
 */
const token = z.string().min(1, 'token must be the community access token');
const communitySchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('callback'),
    groupId: z.number().int().positive(),
    token,
    confirmationCode: z.string().min(1, 'confirmationCode must be the code VK asks for'),
    // The Callback API's secret key: VK takes at most 50 characters; we ask for at least 16.
    secret: webhookSecret({ max: 50 }),
  }),
  z.object({ mode: z.literal('longpoll'), groupId: z.number().int().positive(), token }),
]);

export type Community = z.infer<typeof communitySchema>;
export type CallbackModeCommunity = Extract<Community, { mode: 'callback' }>;

const communityList = z
  .array(communitySchema, { message: 'must be a JSON array of communities' })
  .min(1, 'must name at least one community')
  .refine((list) => new Set(list.map((c) => c.groupId)).size === list.length, {
    message: 'names a groupId twice',
  });

/**
 * Parsed apart from the other variables: the error line must say which community and field is
 * wrong, and must not echo the value, which holds access tokens.
 */
function parseCommunities(value: string | undefined): Community[] {
  if (value === undefined || value.trim() === '') {
    throw new ConfigError('VK_COMMUNITIES', 'is required: a JSON array of communities');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(
      'VK_COMMUNITIES',
      'is invalid: must be JSON, e.g. [{"groupId":1,"token":"…","mode":"longpoll"}]',
    );
  }
  const result = communityList.safeParse(parsed);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const [index, ...field] = issue.path;
  const where =
    index === undefined
      ? ''
      : `community [${String(index)}]${field.length ? ` ${field.join('.')}` : ''}: `;
  throw new ConfigError('VK_COMMUNITIES', `is invalid: ${where}${issue.message}`);
}

const HOUR_MS = 60 * 60 * 1000;

const variables = {
  /** Where the VK API answers; tests point it at the fake. */
  VK_API_URL: z
    .url({ message: 'must be a URL, e.g. https://api.vk.com/method' })
    .default('https://api.vk.com/method'),
  /** Pinned: VK changes object shapes between versions, and normalise() reads 5.199's. */
  VK_API_VERSION: z
    .string()
    .regex(/^5\.\d+$/, 'must be a VK API version such as 5.199')
    .default('5.199'),
  /** Seconds a Bots Long Poll request waits for events (VK allows up to 90). */
  VK_LONG_POLL_WAIT: positiveInt.max(90, 'must be at most 90 seconds').default(25),
  /** Hours an event id is kept for recognising repeats; VK repeats an event for minutes. */
  VK_SEEN_EVENT_RETENTION_HOURS: positiveInt.default(24),
  /** Hours a users.get name is trusted; older ones are asked again on the user's next message. */
  VK_USER_NAME_TTL_HOURS: positiveInt.default(7 * 24),
  /**
   * Hours a handled outbound message is remembered, so a redelivered record is not sent twice:
   * as long as the outbound topic keeps records (Kafka's default, 7 days), so even a group
   * reading it again from the start sends nothing twice.
   */
  VK_SENT_MESSAGE_RETENTION_HOURS: positiveInt.default(7 * 24),
  /** Seconds between two purges of expired event ids, names and handled outbound messages. */
  VK_PURGE_INTERVAL_SECONDS: positiveInt.default(60 * 60),
};

export type VkConfig = ReturnType<typeof loadVkConfig>;

/** Throws ConfigError naming the variable: the one line the process stops with. */
export function loadVkConfig(env: Env = process.env) {
  const config = parseConfig(variables, env);
  return {
    communities: parseCommunities(env.VK_COMMUNITIES),
    api: { url: config.VK_API_URL.replace(/\/+$/, ''), version: config.VK_API_VERSION },
    longPollWaitSeconds: config.VK_LONG_POLL_WAIT,
    housekeeping: {
      seenEventRetentionMs: config.VK_SEEN_EVENT_RETENTION_HOURS * HOUR_MS,
      userNameTtlMs: config.VK_USER_NAME_TTL_HOURS * HOUR_MS,
      sentMessageRetentionMs: config.VK_SENT_MESSAGE_RETENTION_HOURS * HOUR_MS,
      intervalMs: config.VK_PURGE_INTERVAL_SECONDS * 1000,
    },
  };
}

export const VK_CONFIG = Symbol('VkConfig');
