// The tickets service's agent API (`/api/v1`, same origin) and its live updates. What it answers
// is typed by tickets-api.ts, generated from the service's OpenAPI document.

import type { SupervisorNotification } from './logic.js';
import type { components } from './tickets-api.js';

/** The API's request and answer bodies, by their names in services/tickets/openapi.json. */
export type Schemas = components['schemas'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Agent = Schemas['SignedInAgentView'];

export interface LiveMessage {
  type: string;
  ticketId?: string;
  ticketNumber?: string;
  teamId?: string;
  event?: { type?: string };
  /** For `type: 'chat-typing'`: when the visitor's typing cue ends. */
  until?: string;
  /** For `type: 'delivery'`: the reply and how far it got (sent, delivered, read, failed). */
  messageId?: string;
  status?: string;
  /** For `type: 'notification'`: what a supervisor should look at. */
  notification?: SupervisorNotification;
}

export class Api {
  constructor(readonly token: string) {}

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(`/api/v1${path}`, {
      method,
      headers: {
        ...headers,
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw new ApiError(response.status, errorMessage(parsed, response.status));
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  /** A file from the API, with the token that a plain link or <img> could not send. */
  async blob(path: string): Promise<Blob> {
    const response = await fetch(path, { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new ApiError(response.status, `HTTP ${response.status}`);
    return response.blob();
  }

  /** Uploads one file as multipart (field `file`); the answer names it for a later request. */
  async upload<T>(path: string, file: File): Promise<T> {
    const body = new FormData();
    body.append('file', file, file.name);
    const response = await fetch(`/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}` },
      body,
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw new ApiError(response.status, errorMessage(parsed, response.status));
    return parsed as T;
  }

  /**
   * Live updates over the WebSocket, reconnecting after a lost connection (1 s, doubling to 30 s).
   * `onState` hears whether the connection is up; a refused token ends it for good.
   */
  live(onMessage: (message: LiveMessage) => void, onState: (state: LiveState) => void): () => void {
    let socket: WebSocket | undefined;
    let delay = 1000;
    let stopped = false;
    let retry: number | undefined;
    const connect = () => {
      // The token rides in the subprotocol header, never in the URL (access logs keep URLs).
      const url = `${location.origin.replace(/^http/, 'ws')}/api/v1/live`;
      socket = new WebSocket(url, ['firstline.v1', this.token]);
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as LiveMessage;
        if (message.type === 'ready') {
          delay = 1000;
          onState('live');
        } else onMessage(message);
      };
      socket.onclose = (event) => {
        if (stopped) return;
        if (event.code === 4401) {
          onState('signed-out');
          return;
        }
        onState('reconnecting');
        retry = window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30_000);
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      socket?.close();
    };
  }
}

export type LiveState = 'live' | 'reconnecting' | 'signed-out';

/**
 * A random key for an Idempotency-Key header. getRandomValues, unlike randomUUID, is there on
 * plain http too (a console reached by address on the office network).
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export async function login(email: string, password: string): Promise<Schemas['LoginAnswer']> {
  const response = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new ApiError(response.status, errorMessage(body, response.status));
  return body as Schemas['LoginAnswer'];
}

function errorMessage(body: unknown, status: number): string {
  const message = (body as Partial<Schemas['ErrorBody']> | undefined)?.message;
  return typeof message === 'string' ? message : `HTTP ${status}`;
}
