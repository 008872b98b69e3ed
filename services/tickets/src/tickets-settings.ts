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
import { RATING_PATH } from '@firstline/webform';
import { DEFAULT_KPI_TARGETS, type KpiTargets, type LifecyclePolicy } from '@firstline/ticketing';

const HOUR_MS = 60 * 60 * 1000;

const variables = {
  TICKETS_AUTO_CLOSE_HOURS: positiveInt.default(7 * 24),
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
  /** False when the secret was generated: tokens then die with the process. */
  readonly tokenSecretConfigured: boolean;
  readonly kpiTargets: KpiTargets;
  readonly trustedProxyHops: number;
  /** Unset: surveys carry no rating link, and customers answer them with a number. */
  readonly ratingLinks?: { secret: Buffer; pageUrl: string };

  constructor(env: Env = process.env) {
    const config = parseConfig(variables, env);
    this.lifecycle = {
      autoCloseAfterMs: config.TICKETS_AUTO_CLOSE_HOURS * HOUR_MS,
    };
    this.tokenSecretConfigured = config.TICKETS_TOKEN_SECRET !== undefined;
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
  }
}
