import {
  baseUrl,
  ConfigError,
  mimeTypeList,
  parseConfig,
  positiveInt,
  proxyHops,
  sharedSecret,
  type Env,
} from '@firstline/config';
import {
  DEFAULT_ALLOWED_TYPES,
  DEFAULT_FORMS,
  parseFormDefinitions,
  type FormDefinition,
} from '@firstline/webform';
import { z } from 'zod';

export interface WebformConfig {
  /**
   * How customers and agents reach this service: status and attachment links start with it.
   * Unset, the answer to a submission follows the Host its request named, and links stored for
   * others (attachments in tickets, status links in emails) use the address the service listens
   * on (StoredLinks).
   */
  publicUrl?: string;
  /** Origins whose pages may embed the widget (CORS); `*` allows every site. */
  allowedOrigins: '*' | string[];
  forms: FormDefinition[];
  rateLimits: { perIp: number; perEmail: number; windowMs: number };
  /** Largest body without files (JSON, form-encoded, or the fields of a multipart post). */
  maxBodyBytes: number;
  maxAttachmentBytes: number;
  maxAttachments: number;
  attachmentTypes: string[];
  /** Uploads (multipart posts) read at once per replica; one more is answered 503 with Retry-After. */
  maxConcurrentUploads: number;
  /** Proxies in front of the service whose X-Forwarded-For is believed, for per-IP limits. */
  trustedProxyHops: number;
  /**
   * Verifies the survey's rating links, which the tickets service signs with the same secret;
   * unset, the rating page is off (surveys then carry no link, and a bare number answers them).
   */
  ratingLinkSecret?: Buffer;
  /** How long a "this is me" link in an email copy can be used (docs/adr/0014-identity.md). */
  verificationLinkTtlMs: number;
}

export const WEBFORM_CONFIG = Symbol('WebformConfig');

const origins = z
  .string()
  .transform((value) => value.split(',').map((origin) => origin.trim().replace(/\/+$/, '')))
  .refine(
    (list) =>
      list.length === 1 && list[0] === '*'
        ? true
        : list.every((origin) => /^https?:\/\/[^/]+$/.test(origin)),
    'must be * or a comma-separated list of origins like https://shop.example',
  );

/** Reads the WEBFORM_* variables; a bad one stops the service with one line naming it. */
export function parseWebformConfig(env: Env): WebformConfig {
  const config = parseConfig(
    {
      WEBFORM_PUBLIC_URL: baseUrl.optional(),
      RATING_LINK_SECRET: sharedSecret.optional(),
      WEBFORM_ALLOWED_ORIGINS: origins.default(['*']),
      WEBFORM_RATE_LIMIT_PER_IP: positiveInt.default(30),
      WEBFORM_RATE_LIMIT_PER_EMAIL: positiveInt.default(10),
      WEBFORM_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(600),
      WEBFORM_MAX_BODY_BYTES: positiveInt.default(64 * 1024),
      WEBFORM_MAX_ATTACHMENT_BYTES: positiveInt.default(5 * 1024 * 1024),
      WEBFORM_MAX_ATTACHMENTS: z.coerce
        .number({ message: 'must be a number' })
        .int('must be a whole number')
        .min(0, 'must be 0 or more')
        .default(3),
      WEBFORM_ATTACHMENT_TYPES: mimeTypeList.default(DEFAULT_ALLOWED_TYPES),
      WEBFORM_MAX_CONCURRENT_UPLOADS: positiveInt.default(8),
      WEBFORM_TRUSTED_PROXY_HOPS: proxyHops,
      WEBFORM_VERIFICATION_LINK_TTL_HOURS: positiveInt.default(72),
    },
    env,
  );
  return {
    publicUrl: config.WEBFORM_PUBLIC_URL,
    allowedOrigins:
      config.WEBFORM_ALLOWED_ORIGINS.length === 1 && config.WEBFORM_ALLOWED_ORIGINS[0] === '*'
        ? '*'
        : config.WEBFORM_ALLOWED_ORIGINS,
    forms: parseForms(env.WEBFORM_FORMS),
    rateLimits: {
      perIp: config.WEBFORM_RATE_LIMIT_PER_IP,
      perEmail: config.WEBFORM_RATE_LIMIT_PER_EMAIL,
      windowMs: config.WEBFORM_RATE_LIMIT_WINDOW_SECONDS * 1000,
    },
    maxBodyBytes: config.WEBFORM_MAX_BODY_BYTES,
    maxAttachmentBytes: config.WEBFORM_MAX_ATTACHMENT_BYTES,
    maxAttachments: config.WEBFORM_MAX_ATTACHMENTS,
    attachmentTypes: config.WEBFORM_ATTACHMENT_TYPES,
    maxConcurrentUploads: config.WEBFORM_MAX_CONCURRENT_UPLOADS,
    trustedProxyHops: config.WEBFORM_TRUSTED_PROXY_HOPS,
    ratingLinkSecret: config.RATING_LINK_SECRET,
    verificationLinkTtlMs: config.WEBFORM_VERIFICATION_LINK_TTL_HOURS * 3_600_000,
  };
}

/** WEBFORM_FORMS is a JSON array of form definitions; unset, the built-in contact and callback forms. */
function parseForms(value: string | undefined): FormDefinition[] {
  if (!value?.trim()) return DEFAULT_FORMS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(
      'WEBFORM_FORMS',
      'must be a JSON array of form definitions (see docs/adr/0010-webform.md)',
    );
  }
  try {
    return parseFormDefinitions(parsed);
  } catch (error) {
    throw new ConfigError('WEBFORM_FORMS', `is invalid: ${(error as Error).message}`);
  }
}
