import type { IncomingMessage } from 'node:http';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { AuthService, type SignedInAgent } from '../auth/auth.service';

export const LIVE_PATH = '/api/v1/live';
/** Close code of a connection without a valid token (4000–4999 are the application's). */
export const UNAUTHORISED_CLOSE = 4401;
/** How often connected agents are read again (token expiry, deactivation, team changes). */
const REFRESH_MS = 30_000;

/** The part of a `ws` WebSocket the gateway uses. */
export interface LiveSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

interface Connection {
  token: string;
  agent: SignedInAgent;
}

const OPEN = 1;

/**
 * The agents' live updates: `ws://…/api/v1/live?token=<the API token>` (or the token as the
 * second `Sec-WebSocket-Protocol` value after `firstline.v1`, for clients that keep it out of
 * URLs). A connection without a valid token is closed at once with code 4401; an accepted one
 * first receives `{"type":"ready"}`, then JSON pushes of what `LiveUpdates` hands over.
 */
@Injectable()
@WebSocketGateway({ path: LIVE_PATH })
export class LiveGateway
  implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger(LiveGateway.name);
  private readonly connections = new Map<LiveSocket, Connection>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly auth: AuthService) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async handleConnection(client: LiveSocket, request: IncomingMessage): Promise<void> {
    const token = tokenOf(request);
    const agent = token ? await this.auth.authenticate(token).catch(() => undefined) : undefined;
    if (!agent || !token) {
      client.close(UNAUTHORISED_CLOSE, 'Sign in first: a valid token is required');
      return;
    }
    if (client.readyState !== OPEN) return;
    this.connections.set(client, { token, agent });
    send(client, { type: 'ready', agent: { id: agent.id, role: agent.role } });
  }

  handleDisconnect(client: LiveSocket): void {
    this.connections.delete(client);
  }

  get connected(): number {
    return this.connections.size;
  }

  /** Sends the message to every connected agent `recipient` accepts. */
  push(message: object, recipient: (agent: SignedInAgent) => boolean): void {
    for (const [client, { agent }] of this.connections) {
      if (recipient(agent)) send(client, message);
    }
  }

  private async refresh(): Promise<void> {
    for (const [client, connection] of [...this.connections]) {
      try {
        const agent = await this.auth.authenticate(connection.token);
        if (agent) connection.agent = agent;
        else {
          this.connections.delete(client);
          client.close(UNAUTHORISED_CLOSE, 'The token expired or the agent was deactivated');
        }
      } catch (error) {
        this.logger.warn(`Could not refresh a live connection: ${String(error)}`);
      }
    }
  }
}

function tokenOf(request: IncomingMessage): string | undefined {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = url.searchParams.get('token');
  if (query) return query;
  const protocols = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((part) => part.trim());
  return protocols[0] === 'firstline.v1' && protocols[1] ? protocols[1] : undefined;
}

function send(client: LiveSocket, message: object): void {
  if (client.readyState === OPEN) client.send(JSON.stringify(message));
}
