import { baseUrl, ConfigError, parseConfig, webhookSecret, type Env } from '@firstline/config';
import { OK_API_ROOT, OK_WEBHOOK_SECRET } from '@firstline/ok';
import { z } from 'zod';

/**
 * OK_GROUPS is a JSON array, one object per OK group:
 *   [{"token":"tkn1…","secret":"Zk3…"}, …]
 * `token` is the group's Bot API access token; `secret` the last segment of the group's webhook
 * path, `/ok/webhook/<secret>`, which is how the service tells a real webhook from a forged one
 * and which group it is for (docs/adr/0018-ok.md). The group's id comes from OK itself at start.
 */
const group = z
  .object({
    token: z.string().min(1, 'token must be the group access token'),
    secret: webhookSecret(OK_WEBHOOK_SECRET),
  })
  .strict();

export type GroupConfig = z.infer<typeof group>;

const groupList = z
  .array(group, { message: 'must be a JSON array of groups' })
  .min(1, 'must name at least one group')
  .refine((list) => new Set(list.map((g) => g.secret)).size === list.length, {
    message: 'gives two groups the same secret',
  })
  .refine((list) => new Set(list.map((g) => g.token)).size === list.length, {
    message: 'names a token twice',
  });

const EXAMPLE = '[{"token":"tkn1…","secret":"at least 16 of A-Z, a-z, 0-9, - and _"}]';

/** The error names the group and the field, never the value: it holds access tokens. */
function parseGroups(value: string | undefined): GroupConfig[] {
  if (!value?.trim()) {
    throw new ConfigError('OK_GROUPS', `is required: a JSON array of groups, e.g. ${EXAMPLE}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError('OK_GROUPS', `is invalid: must be JSON, e.g. ${EXAMPLE}`);
  }
  const result = groupList.safeParse(parsed);
  if (result.success) return result.data;
  const { path, message } = result.error.issues[0];
  const where = typeof path[0] === 'number' ? `group ${path[0] + 1}${fieldOf(path)}: ` : '';
  throw new ConfigError('OK_GROUPS', `is invalid: ${where}${message}`);
}

function fieldOf(path: PropertyKey[]): string {
  return path.length > 1 ? ` ${path.slice(1).map(String).join('.')}` : '';
}

const variables = {
  /** Where the Graph API answers; tests point it at the fake. */
  OK_API_URL: baseUrl.default(OK_API_ROOT),
  /**
   * How OK reaches this service from outside: each group subscribes
   * `<OK_PUBLIC_URL>/ok/webhook/<secret>`. OK only posts to webhooks, so it is required.
   */
  OK_PUBLIC_URL: baseUrl,
  /**
   * How long to wait after uploading files before sending the message that carries them: OK
   * needs "a couple of seconds" to process an upload (graph.user.fileUploadUrl).
   */
  OK_UPLOAD_PROCESSING_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(60_000, 'must be at most 60000')
    .default(3_000),
};

export interface OkConfig {
  groups: GroupConfig[];
  apiUrl: string;
  publicUrl: string;
  uploadProcessingMs: number;
}

export const OK_CONFIG = Symbol('OkConfig');

/** Throws ConfigError naming the variable: the one line the process stops with. */
export function loadOkConfig(env: Env = process.env): OkConfig {
  const groups = parseGroups(env.OK_GROUPS);
  const config = parseConfig(variables, env);
  return {
    groups,
    apiUrl: config.OK_API_URL,
    publicUrl: config.OK_PUBLIC_URL,
    uploadProcessingMs: config.OK_UPLOAD_PROCESSING_MS,
  };
}
