import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { Slots } from './slots';

export interface AgentReply {
  marker: string;
  ticketId: string;
  /** When the agent pressed Send (Date.now()). */
  sentAt: number;
}

/** A ticket event as the live WebSocket pushes it (protobuf JSON of TicketEvent). */
interface LivePush {
  type: string;
  ticketId?: string;
  event?: {
    assigned?: { agentId?: string };
    messageAdded?: { messageId?: string; direction?: string };
  };
}

/**
 * The agents of one run, signed in through the tickets API, each with the console's live
 * WebSocket open: whoever gets a ticket answers it through the API and resolves it, which frees
 * the capacity for the next. Replicas sit behind no load balancer here, so an agent whose replica
 * went away turns to the other, as a balancer would send them.
 */
export class AgentTeam {
  readonly replies = new Map<string, AgentReply>();
  /** First push of each inbound message (by message id) to any agent, and of each assignment. */
  readonly messagePushedAt = new Map<string, number>();
  readonly ticketAssignedAt = new Map<string, number>();
  private readonly agents: Agent[];
  private replySequence = 0;
  private stopped = false;

  constructor(
    private readonly run: string,
    credentials: Array<{ id: string; email: string; password: string }>,
    readonly ticketsUrls: string[],
  ) {
    this.agents = credentials.map(
      (credential, index) => new Agent(this, credential, index % ticketsUrls.length),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.start()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.agents.map((agent) => agent.stop()));
  }

  get running(): boolean {
    return !this.stopped;
  }

  nextReplyMarker(): string {
    return `rp${++this.replySequence}x${this.run}`;
  }

  /** Tickets some agent is still working on. */
  get busy(): number {
    return this.agents.reduce((sum, agent) => sum + agent.working.size, 0);
  }

  observe(push: LivePush, at: number): void {
    const messageId = push.event?.messageAdded?.messageId;
    if (messageId && inbound(push)) {
      if (!this.messagePushedAt.has(messageId)) this.messagePushedAt.set(messageId, at);
    }
    if (push.ticketId && push.event?.assigned?.agentId) {
      if (!this.ticketAssignedAt.has(push.ticketId)) this.ticketAssignedAt.set(push.ticketId, at);
    }
  }
}

function inbound(push: LivePush): boolean {
  return push.event?.messageAdded?.direction === 'MESSAGE_DIRECTION_INBOUND';
}

class Agent {
  readonly working = new Set<string>();
  private token = '';
  private socket?: WebSocket;
  private sweeper?: Promise<void>;
  /** Tickets last seen assigned to this agent, so a customer's new message there is answered. */
  private readonly mine = new Set<string>();
  private readonly answeredAt = new Map<string, number>();
  /**
   * Tickets worked on at once. Without a bound, an agent holding hundreds of tickets would send
   * hundreds of requests at once, more than the API's connection pool serves.
   */
  private readonly desk = new Slots(8);

  constructor(
    private readonly team: AgentTeam,
    private readonly credential: { id: string; email: string; password: string },
    private replica: number,
  ) {}

  async start(): Promise<void> {
    await this.signIn();
    await this.call('PUT', '/me/presence', { presence: 'online' });
    this.connect();
    this.sweeper = this.sweep();
  }

  async stop(): Promise<void> {
    this.socket?.close();
    await this.sweeper;
  }

  private get baseUrl(): string {
    return `${this.team.ticketsUrls[this.replica]}/api/v1`;
  }

  private switchReplica(): void {
    this.replica = (this.replica + 1) % this.team.ticketsUrls.length;
  }

  private async signIn(): Promise<void> {
    const { status, body } = await this.call<{ token: string }>('POST', '/auth/login', {
      email: this.credential.email,
      password: this.credential.password,
    });
    if (status !== 200) throw new Error(`${this.credential.email} could not sign in: ${status}`);
    this.token = body.token;
  }

  /** The live WebSocket; when it closes (its replica died), the other replica's. */
  private connect(): void {
    if (!this.team.running) return;
    // As the console does: the token rides in Sec-WebSocket-Protocol (a `?token=` is not read,
    // and the socket would be closed at once with 4401, leaving the agents to the sweep).
    const socket = new WebSocket(`${this.baseUrl.replace(/^http/, 'ws')}/live`, [
      'firstline.v1',
      this.token,
    ]);
    this.socket = socket;
    socket.on('message', (data: Buffer) => {
      const at = Date.now();
      const push = JSON.parse(data.toString()) as LivePush;
      if (push.type !== 'ticket-event' || !push.ticketId) return;
      this.team.observe(push, at);
      const assignee = push.event?.assigned?.agentId;
      if (assignee === this.credential.id) this.answer(push.ticketId);
      else if (assignee !== undefined) this.mine.delete(push.ticketId);
      // Only the customer's messages ask for an answer: the push of the agent's own reply would
      // otherwise be answered again, and again.
      else if (inbound(push) && this.mine.has(push.ticketId)) this.answer(push.ticketId);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!this.team.running) return;
      this.switchReplica();
      setTimeout(() => this.connect(), 500);
    });
  }

  /** What the console's queue shows: tickets of mine a push may have missed while reconnecting. */
  private async sweep(): Promise<void> {
    while (this.team.running) {
      await sleep(2_000);
      const { status, body } = await this.call<{ tickets: Array<{ id: string }> }>(
        'GET',
        '/queue?view=mine&limit=100',
      ).catch(() => ({ status: 0, body: { tickets: [] } }));
      // A ticket answered moments ago may still show: its resolution was on its way.
      const recent = Date.now() - 10_000;
      if (status === 200) {
        for (const ticket of body.tickets) {
          if ((this.answeredAt.get(ticket.id) ?? 0) < recent) this.answer(ticket.id);
        }
      }
    }
  }

  /** Replies once and resolves the ticket. */
  private answer(ticketId: string): void {
    this.mine.add(ticketId);
    if (this.working.has(ticketId) || !this.team.running) return;
    this.working.add(ticketId);
    this.desk
      .acquire()
      .then(() => this.reply(ticketId))
      .then(() => this.resolve(ticketId))
      .then(() => this.answeredAt.set(ticketId, Date.now()))
      .catch(() => undefined)
      .finally(() => {
        this.desk.release();
        this.working.delete(ticketId);
      });
  }

  private async reply(ticketId: string): Promise<void> {
    const marker = this.team.nextReplyMarker();
    const text = `Thank you, your parcel is on its way. ${marker}`;
    const sentAt = Date.now();
    for (let attempt = 1; this.team.running; attempt += 1) {
      const answer = await this.call('POST', `/tickets/${ticketId}/replies`, { text }).catch(
        () => undefined,
      );
      if (answer && answer.status >= 400 && answer.status < 500) return;
      // When the request failed on the way, look at the ticket before sending again, as a person
      // would, so that the reply is not stored twice.
      if (
        (answer && answer.status >= 200 && answer.status < 300) ||
        (await this.replyStored(ticketId, marker))
      ) {
        this.team.replies.set(marker, { marker, ticketId, sentAt });
        return;
      }
      this.switchReplica();
      await sleep(Math.min(2_000, 200 * attempt));
    }
  }

  /** Whether the ticket holds the reply; asks until a replica answers. */
  private async replyStored(ticketId: string, marker: string): Promise<boolean> {
    for (let attempt = 1; this.team.running; attempt += 1) {
      const view = await this.call<{ messages: Array<{ text: string }> }>(
        'GET',
        `/tickets/${ticketId}`,
      ).catch(() => undefined);
      if (view?.status === 200) return view.body.messages.some((m) => m.text.includes(marker));
      await sleep(Math.min(2_000, 200 * attempt));
    }
    return false;
  }

  private async resolve(ticketId: string): Promise<void> {
    for (let attempt = 1; this.team.running; attempt += 1) {
      const answer = await this.call('POST', `/tickets/${ticketId}/status`, {
        status: 'resolved',
      }).catch(() => undefined);
      if (answer && answer.status < 500) return;
      this.switchReplica();
      await sleep(Math.min(2_000, 200 * attempt));
    }
  }

  private async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      this.switchReplica();
      throw error;
    }
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}
