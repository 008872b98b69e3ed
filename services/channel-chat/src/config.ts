import { mimeTypeList, parseConfig, proxyHops, sharedSecret, type Env } from '@firstline/config';
import { z } from 'zod';
import { CUSTOMER_FILE_TYPES } from '@firstline/attachments';
import { chatSitesSchema, type ChatSites } from '@firstline/chat';

export interface ChatConfig {
  /** Signs the visitor tokens (libs/chat token.ts); a new secret ends every visitor's conversation. */
  tokenSecret: Buffer;
  /** Origins whose pages may embed the widget (CORS and the WebSocket's Origin); `*`: every site. */
  allowedOrigins: '*' | string[];
  /** Longest a long-poll request is held open when nothing is new (the fallback for blocked WebSockets). */
  longPollMs: number;
  /**
   * How often each visitor's WebSocket is pinged: a socket that did not answer the ping before is
   * closed, and the pings keep proxies from closing a quiet chat as idle.
   */
  pingMs: number;
  /** Messages (and messages left) each visitor may send a minute, counted by each replica. */
  messagesPerMinute: number;
  /** New visitors (POST /chat/session) one client address may start a minute, per replica. */
  sessionsPerMinute: number;
  /** Proxies in front of the service whose X-Forwarded-For is believed (the per-address limit). */
  trustedProxyHops: number;
  /**
   * Sockets and long polls each visitor may hold open at once on a replica (one per tab showing
   * the widget): what a single token can take of the replica's memory.
   */
  connectionsPerVisitor: number;
  /** The sites embedding the widget: each one's team (for hours and agents) and pre-chat form. */
  sites: ChatSites;
  /** The types a visitor may upload (the bytes must agree); the size is libs/channel's chat limit. */
  attachmentTypes: string[];
}

export const CHAT_CONFIG = Symbol('ChatConfig');

const sites = z
  .string()
  .transform((value, context) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object of site id → site' });
      return z.NEVER;
    }
  })
  .pipe(chatSitesSchema);

const origins = z
  .string()
  .transform((value) => value.split(',').map((origin) => origin.trim().replace(/\/+$/, '')))
  .refine(
    (list) =>
      (list.length === 1 && list[0] === '*') ||
      list.every((origin) => /^https?:\/\/[^/]+$/.test(origin)),
    'must be * or a comma-separated list of origins like https://shop.example',
  );

/** Reads the CHAT_* variables; a bad one stops the service with one line naming it. */
export function loadChatConfig(env: Env = process.env): ChatConfig {
  const config = parseConfig(
    {
      CHAT_TOKEN_SECRET: sharedSecret,
      CHAT_ALLOWED_ORIGINS: origins.default(['*']),
      CHAT_LONG_POLL_SECONDS: z.coerce
        .number({ message: 'must be a number of seconds' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        // Proxies commonly drop a request that says nothing for a minute.
        .max(55, 'must be at most 55')
        .default(25),
      CHAT_PING_SECONDS: z.coerce
        .number({ message: 'must be a number of seconds' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        // Proxies commonly close a WebSocket that says nothing for a minute.
        .max(55, 'must be at most 55')
        .default(25),
      CHAT_MESSAGES_PER_MINUTE: z.coerce
        .number({ message: 'must be a number of messages' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .default(30),
      CHAT_SESSIONS_PER_MINUTE: z.coerce
        .number({ message: 'must be a number of visitors' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .default(30),
      CHAT_TRUSTED_PROXY_HOPS: proxyHops,
      CHAT_CONNECTIONS_PER_VISITOR: z.coerce
        .number({ message: 'must be a number of connections' })
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .default(30),
      CHAT_SITES: sites.optional(),
      CHAT_ATTACHMENT_TYPES: mimeTypeList.default([...CUSTOMER_FILE_TYPES]),
    },
    env,
  );
  const allowed = config.CHAT_ALLOWED_ORIGINS;
  return {
    tokenSecret: config.CHAT_TOKEN_SECRET,
    allowedOrigins: allowed.length === 1 && allowed[0] === '*' ? '*' : allowed,
    longPollMs: config.CHAT_LONG_POLL_SECONDS * 1000,
    pingMs: config.CHAT_PING_SECONDS * 1000,
    messagesPerMinute: config.CHAT_MESSAGES_PER_MINUTE,
    sessionsPerMinute: config.CHAT_SESSIONS_PER_MINUTE,
    trustedProxyHops: config.CHAT_TRUSTED_PROXY_HOPS,
    connectionsPerVisitor: config.CHAT_CONNECTIONS_PER_VISITOR,
    sites: (config.CHAT_SITES ?? {}) as ChatSites,
    attachmentTypes: config.CHAT_ATTACHMENT_TYPES,
  };
}
