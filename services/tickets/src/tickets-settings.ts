import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  baseUrl,
  parseConfig,
  positiveInt,
  proxyHops,
  sharedSecret,
  type Env,
} from '@firstline/config';
import type { RunMode } from '@firstline/runtime';
import { RATING_PATH } from '@firstline/webform';
import { DEFAULT_KPI_TARGETS, type KpiTargets, type LifecyclePolicy } from '@firstline/ticketing';
import { DEMO_PASSWORD } from './directory/demo-directory';

const HOUR_MS = 60 * 60 * 1000;

const demoVariables = {
  /** On: an empty directory gets the demo, whose accounts share a published password. */
  FIRSTLINE_DEMO: z
    .enum(['1', '0', 'on', 'off', 'true', 'false'], { message: 'must be 1 or 0' })
    .transform((value) => ['1', 'on', 'true'].includes(value))
    .optional(),
};

/** The demo is on in `npm start` and off in production, unless FIRSTLINE_DEMO says otherwise. */
export function isDemo(env: Env, mode: RunMode): boolean {
  return parseConfig(demoVariables, env).FIRSTLINE_DEMO ?? mode === 'embedded';
}

/** Outside the demo: who becomes the first admin when no admin can sign in. */
export const DEFAULT_ADMIN_EMAIL = 'admin@firstline.invalid';

const variables = {
  ...demoVariables,
  FIRSTLINE_ADMIN_EMAIL: z.email('must be an email address').default(DEFAULT_ADMIN_EMAIL),
  /** Unset: a password is generated and logged once, when the admin is created. */
  FIRSTLINE_ADMIN_PASSWORD: z
    .string()
    .min(10, 'must be at least 10 characters')
    .max(200, 'must be at most 200 characters')
    .refine(
      (password) => password !== DEMO_PASSWORD,
      'must not be the demo password, which is published; choose your own',
    )
    .optional(),
  TICKETS_AUTO_CLOSE_HOURS: positiveInt.default(7 * 24),
  /** A live chat in which neither side wrote for this long is resolved, and the visitor asked to rate it. */
  TICKETS_CHAT_INACTIVITY_MINUTES: positiveInt.default(10),
  /** Signs agents' tokens; every replica needs the same one. Unset: random per process. */
  TICKETS_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TICKETS_TOKEN_TTL_MINUTES: positiveInt.default(12 * 60),
  /** Reverse proxies in front of the API: sign-in limits count the client behind them. */
  TICKETS_TRUSTED_PROXY_HOPS: proxyHops,
  /** Signs the survey's rating links; the web-form service, which serves the page, checks them. */
  RATING_LINK_SECRET: sharedSecret.optional(),
  /** Where customers reach the web-form service: the rating page's links start with it. */
  WEBFORM_PUBLIC_URL: baseUrl.default('http://127.0.0.1:3001'),
  /**
   * How long a claim, unassign or transfer waits for the router's answer before the API answers
   * 202 (requested) instead of the outcome.
   */
  TICKETS_COMMAND_WAIT_MS: positiveInt.default(5_000),
  /**
   * Traffic-light targets of the KPIs, over the defaults, as JSON:
   * `{"firstResponseMs": {"green": 1800000, "yellow": 3600000, "higherIsBetter": false}}`.
   */
  TICKETS_KPI_TARGETS: z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .partialRecord(
          z.enum([
            'firstResponseMs',
            'resolutionMs',
            'reopenRate',
            'csatAverage',
            'csatSatisfiedShare',
            'slaCompliance',
            'answerPromisesKept',
            'backlog',
          ]),
          z.object({ green: z.number(), yellow: z.number(), higherIsBetter: z.boolean() }),
        )
        .refine(
          (targets) =>
            Object.values(targets).every(({ green, yellow, higherIsBetter }) =>
              higherIsBetter ? green >= yellow : green <= yellow,
            ),
          'each green bound must be better than its yellow bound',
        ),
    )
    .optional(),
};

/** The tickets service's own settings, validated when the module starts. */
export class TicketsSettings {
  readonly lifecycle: LifecyclePolicy;
  readonly tokenSecret: Buffer;
  readonly tokenTtlMs: number;
  readonly kpiTargets: KpiTargets;
  readonly trustedProxyHops: number;
  /** Unset: surveys carry no rating link, and customers answer them with a number. */
  readonly ratingLinks?: { secret: Buffer; pageUrl: string };
  /** Seed the demo into an empty directory; otherwise make sure someone can sign in as admin. */
  readonly demo: boolean;
  readonly firstAdmin: { email: string; password?: string };
  readonly commandWaitMs: number;

  constructor(env: Env = process.env, mode: RunMode = 'standalone') {
    const config = parseConfig(variables, env);
    this.demo = isDemo(env, mode);
    this.firstAdmin = {
      email: config.FIRSTLINE_ADMIN_EMAIL.toLowerCase(),
      password: config.FIRSTLINE_ADMIN_PASSWORD,
    };
    this.lifecycle = {
      autoCloseAfterMs: config.TICKETS_AUTO_CLOSE_HOURS * HOUR_MS,
      chatInactivityMs: config.TICKETS_CHAT_INACTIVITY_MINUTES * 60 * 1000,
    };
    this.tokenSecret = config.TICKETS_TOKEN_SECRET
      ? Buffer.from(config.TICKETS_TOKEN_SECRET)
      : randomBytes(32);
    this.tokenTtlMs = config.TICKETS_TOKEN_TTL_MINUTES * 60 * 1000;
    this.kpiTargets = { ...DEFAULT_KPI_TARGETS, ...config.TICKETS_KPI_TARGETS };
    this.trustedProxyHops = config.TICKETS_TRUSTED_PROXY_HOPS;
    this.ratingLinks = config.RATING_LINK_SECRET && {
      secret: config.RATING_LINK_SECRET,
      pageUrl: `${config.WEBFORM_PUBLIC_URL}${RATING_PATH}`,
    };
    this.commandWaitMs = config.TICKETS_COMMAND_WAIT_MS;
  }
}
