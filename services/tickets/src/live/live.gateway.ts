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
/**
 * How often connected agents are read again: token expiry, team and role changes, and new
 * passwords and deactivations made on other replicas (this replica's are checked at once).
 */
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

/** The subprotocol a client names first; the token follows it as the second value. */
export const LIVE_PROTOCOL = 'firstline.v1';

/**
 * The agents' live updates: `ws://…/api/v1/live`, with `Sec-WebSocket-Protocol: firstline.v1,
 * <the API token>` (a browser: `new WebSocket(url, ['firstline.v1', token])`). The token never
 * goes in the URL, where proxies and access logs would keep it; `?token=` is not read. A
 * connection without a valid token is closed at once with code 4401; an accepted one first
 * receives `{"type":"ready"}`, then JSON pushes of what `LiveUpdates` hands over. A connection
 * whose token stops working (a new password, a deactivation, expiry) is closed with 4401.
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
      client.close(
        UNAUTHORISED_CLOSE,
        `Sign in first: send a valid token as Sec-WebSocket-Protocol: ${LIVE_PROTOCOL}, <token>`,
      );
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
    // Serialised once, however many agents receive it.
    let text: string | undefined;
    for (const [client, { agent }] of this.connections) {
      if (client.readyState !== OPEN || !recipient(agent)) continue;
      text ??= JSON.stringify(message);
      client.send(text);
    }
  }

  /** Checks the agent's connections again now, after a change of their account on this replica. */
  async recheck(agentId: string): Promise<void> {
    await this.refresh(([, connection]) => connection.agent.id === agentId);
  }

  private async refresh(
    which: (entry: [LiveSocket, Connection]) => boolean = () => true,
  ): Promise<void> {
    for (const [client, connection] of [...this.connections].filter(which)) {
      try {
        const agent = await this.auth.authenticate(connection.token);
        if (agent) connection.agent = agent;
        else {
          this.connections.delete(client);
          client.close(UNAUTHORISED_CLOSE, 'The token no longer works: sign in again');
        }
      } catch (error) {
        this.logger.warn(`Could not refresh a live connection: ${String(error)}`);
      }
    }
  }
}

function tokenOf(request: IncomingMessage): string | undefined {
  const protocols = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((part) => part.trim());
  return protocols[0] === LIVE_PROTOCOL && protocols[1] ? protocols[1] : undefined;
}

function send(client: LiveSocket, message: object): void {
  if (client.readyState === OPEN) client.send(JSON.stringify(message));
}
