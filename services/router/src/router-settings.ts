import { z } from 'zod';
import { parseConfig, positiveInt, type Env } from '@firstline/config';
import type { AutomaticReplyPolicy } from '@firstline/routing';

const variables = {
  /** A reply this many days after resolution reopens the ticket; later, a new one follows it up. */
  ROUTER_REOPEN_WINDOW_DAYS: positiveInt.default(7),
  ROUTER_AUTOMATIC_REPLIES: z.enum(['on', 'off']).default('on'),
  /** A conversation gets at most one automatic reply within this many minutes. */
  ROUTER_AUTOMATIC_REPLY_WINDOW_MINUTES: positiveInt.default(60),
  /** An agent away or offline this long gives their unanswered tickets back to the queue. */
  ROUTER_AWAY_GRACE_SECONDS: positiveInt.default(600),
  /** A link token (the web status page's, brought to Telegram) moves an identity only this long. */
  ROUTER_LINK_TOKEN_TTL_HOURS: positiveInt.default(24),
};

/** The router's own settings, validated when the module starts. */
export class RouterSettings {
  readonly reopenWindowDays: number;
  readonly automaticReplies: AutomaticReplyPolicy;
  readonly awayGraceMs: number;
  readonly linkTokenTtlMs: number;

  constructor(env: Env = process.env) {
    const config = parseConfig(variables, env);
    this.reopenWindowDays = config.ROUTER_REOPEN_WINDOW_DAYS;
    this.automaticReplies = {
      enabled: config.ROUTER_AUTOMATIC_REPLIES === 'on',
      windowMs: config.ROUTER_AUTOMATIC_REPLY_WINDOW_MINUTES * 60_000,
    };
    this.awayGraceMs = config.ROUTER_AWAY_GRACE_SECONDS * 1000;
    this.linkTokenTtlMs = config.ROUTER_LINK_TOKEN_TTL_HOURS * 3_600_000;
  }
}
