import type { IncomingMessage } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import { ChatActivityRelay } from '../activity/chat-activity';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { ChatInbound } from '../inbound/chat-inbound';
import {
  ConversationStore,
  HISTORY_PAGE,
  type ChatEntry,
  type QueuePlace,
} from './conversation.store';
import { VisitorAuth } from './visitor-auth';
import { VisitorCues } from './visitor-cues';
import { VisitorListeners } from './visitor-listeners';

export const CHAT_WS_PATH = '/chat/ws';
/**
 * Close codes (4000–4999 are the application's): no valid token; a page of a site not allowed;
 * the visitor already holds CHAT_CONNECTIONS_PER_VISITOR sockets and long polls here.
 */
export const UNKNOWN_VISITOR_CLOSE = 4401;
export const ORIGIN_REFUSED_CLOSE = 4403;
export const TOO_MANY_CONNECTIONS_CLOSE = 4429;

/** The part of a `ws` WebSocket the gateway uses. */
export interface VisitorSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  /** Drops the connection without the closing handshake a dead peer would never answer. */
  terminate(): void;
  on(event: 'pong', listener: () => void): unknown;
}

interface Connection {
  visitorId: string;
  /** Whether the socket answered the last ping (browsers answer by themselves). */
  answered: boolean;
  /** The last message this socket was sent: the next flush starts after it. */
  lastSeq: number;
  pageUrl?: string;
  /** The place in line this socket was last told, in its words: told again when either changes. */
  queueTold?: QueuePlace;
  /** Flushes run one after another, so messages go out once and in order. */
  flushing: Promise<void>;
  stopListening: () => void;
  stopCues: () => void;
}

const OPEN = 1;

/**
 * The widget's WebSocket: `ws://…/chat/ws?token=<visitor token>&after=<last seq seen>&page=<url>`.
 * On connecting the visitor receives `{"type":"ready","agentRead":n,"queue":{…}}` (an agent has
 * read its messages up to n; the chat's place in line, below) and what is new after `after` (the end of the history when 0), then every
 * new message of the conversation as it is stored, as `{"type":"messages","messages":[…]}`. The
 * widget sends `{"event":"send","data":{"clientMessageId","text","locale","files"}}` (files: digests
 * of its uploads, POST /chat/files) and is answered
 * `{"type":"answer","status":"delivered"|"rejected"|"failed",…}`; "delivered" only after the
 * broker took the message. Between messages the widget sends `{"event":"typing"}` and
 * `{"event":"read","data":{"seq"}}`, and receives `{"type":"typing","author","until"}` and
 * `{"type":"read","agentRead"}` (VisitorCues). Whenever the router moves the chat in its team's
 * queue, `{"type":"queue","position","expectedAnswerAt","text"}` (`text` null: nothing to show).
 * The service pings every socket (browsers answer by themselves) and closes one that stays silent.
 */
@Injectable()
@WebSocketGateway({ path: CHAT_WS_PATH })
export class ChatGateway
  implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger(ChatGateway.name);
  private readonly connections = new Map<VisitorSocket, Connection>();
  private pings?: NodeJS.Timeout;

  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly auth: VisitorAuth,
    private readonly store: ConversationStore,
    private readonly listeners: VisitorListeners,
    private readonly inbound: ChatInbound,
    private readonly cues: VisitorCues,
    private readonly activity: ChatActivityRelay,
  ) {}

  /**
   * Every CHAT_PING_SECONDS, closes the sockets that did not answer the last ping (a phone that
   * lost its network leaves one open without a word) and pings the others; a socket told a wait
   * ("about 3 minutes") is told it again as the minutes pass, until the promised time.
   */
  onModuleInit(): void {
    this.pings = setInterval(() => {
      const now = Date.now();
      for (const [client, connection] of this.connections) {
        if (!connection.answered) {
          client.terminate();
          continue;
        }
        connection.answered = false;
        client.ping();
        if (this.countsDown(connection.queueTold, now)) this.tellQueue(client, connection);
      }
    }, this.config.pingMs);
    this.pings.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pings);
  }

  async handleConnection(client: VisitorSocket, request: IncomingMessage): Promise<void> {
    if (!this.auth.allowsOrigin(request.headers.origin)) {
      client.close(ORIGIN_REFUSED_CLOSE, 'This site may not embed the chat');
      return;
    }
    const query = new URL(request.url ?? '', 'http://chat').searchParams;
    const visitorId = await this.auth
      .visitorOf(`Bearer ${query.get('token') ?? ''}`)
      .catch(() => undefined);
    if (!visitorId) {
      client.close(UNKNOWN_VISITOR_CLOSE, 'Start a chat first: POST /chat/session gives a token');
      return;
    }
    if (client.readyState !== OPEN) return;
    const after = Number(query.get('after'));
    const connection: Connection = {
      visitorId,
      answered: true,
      lastSeq: Number.isSafeInteger(after) && after > 0 ? after : 0,
      pageUrl: query.get('page') ?? undefined,
      flushing: Promise.resolve(),
      stopListening: () => undefined,
      stopCues: () => undefined,
    };
    const stopListening = this.listeners.listen(visitorId, (what, stored) =>
      what === 'queue'
        ? this.tellQueue(client, connection)
        : this.flush(client, connection, stored),
    );
    if (!stopListening) {
      client.close(TOO_MANY_CONNECTIONS_CLOSE, 'The chat is open in too many windows: close one');
      return;
    }
    connection.stopListening = stopListening;
    // After the messages it is about: a read mark the widget gets first marks nothing.
    connection.stopCues = this.cues.listen(visitorId, (cue) =>
      connection.flushing.then(() => send(client, cue)),
    );
    client.on('pong', () => (connection.answered = true));
    this.connections.set(client, connection);
    const marks = await this.store.readMarks(visitorId).catch(() => undefined);
    const queue = await this.store.queuePlace(visitorId).catch(() => undefined);
    connection.queueTold = queue;
    send(client, { type: 'ready', agentRead: marks?.agentRead ?? 0, queue: queue ?? null });
    this.flush(client, connection);
  }

  handleDisconnect(client: VisitorSocket): void {
    const connection = this.connections.get(client);
    connection?.stopListening();
    connection?.stopCues();
    this.connections.delete(client);
  }

  get connected(): number {
    return this.connections.size;
  }

  @SubscribeMessage('send')
  async receive(@ConnectedSocket() client: VisitorSocket, @MessageBody() sent: unknown) {
    const connection = this.connections.get(client);
    if (!connection) return;
    const clientMessageId = (sent as { clientMessageId?: unknown } | null)?.clientMessageId;
    try {
      const answer = await this.inbound.accept(connection.visitorId, sent, connection.pageUrl);
      this.activity.forgetTyping(connection.visitorId);
      send(client, { type: 'answer', ...answer });
    } catch (error) {
      // The widget keeps the message and sends it again; its id makes the repeat harmless.
      this.logger.warn(`a chat message could not be taken: ${String(error)}`);
      send(client, { type: 'answer', status: 'failed', clientMessageId });
    }
  }

  /** `{"event":"typing"}`: the visitor is typing (the widget repeats it every few seconds). */
  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() client: VisitorSocket): Promise<void> {
    const connection = this.connections.get(client);
    if (!connection) return;
    await this.activity
      .visitorTyping(connection.visitorId)
      .catch((error: unknown) => this.logger.warn(`typing was not passed on: ${String(error)}`));
  }

  /** `{"event":"read","data":{"seq":n}}`: the widget showed everything up to n, visibly. */
  @SubscribeMessage('read')
  async read(@ConnectedSocket() client: VisitorSocket, @MessageBody() data: unknown) {
    const connection = this.connections.get(client);
    if (!connection) return;
    await this.activity
      .visitorRead(connection.visitorId, (data as { seq?: unknown } | null)?.seq)
      .catch((error: unknown) => this.logger.warn(`a read mark was not kept: ${String(error)}`));
  }

  /**
   * Whether the wait told may read differently now: a promise not yet past by more than a ping
   * (the last rewording drops the wait once it is).
   */
  private countsDown(queue: QueuePlace | undefined, now: number): boolean {
    if (!queue?.text || !queue.expectedAnswerAt) return false;
    return Date.parse(queue.expectedAnswerAt) > now - this.config.pingMs;
  }

  /**
   * Tells the socket the chat's place in line, unless it was told this one in these words (a
   * doubled signal, a minute that changed nothing).
   */
  private tellQueue(client: VisitorSocket, connection: Connection): void {
    connection.flushing = connection.flushing
      .then(async () => {
        const queue = await this.store.queuePlace(connection.visitorId);
        if (connection.queueTold && told(queue) === told(connection.queueTold)) return;
        connection.queueTold = queue;
        send(client, { type: 'queue', ...queue });
      })
      .catch((error: unknown) => {
        // The next move tells it, and a reconnect's "ready" does.
        this.logger.warn(`a visitor's place in line could not be read: ${String(error)}`);
      });
  }

  /**
   * Sends what is new after the socket's last message. `stored`, the message just stored here:
   * when it is the very next one (numbers follow commit order) it is sent as it is, without
   * reading it back, on the way of every message; one already sent needs nothing.
   */
  private flush(client: VisitorSocket, connection: Connection, stored?: ChatEntry): void {
    connection.flushing = connection.flushing
      .then(async () => {
        if (stored && stored.seq <= connection.lastSeq) return;
        if (stored?.seq === connection.lastSeq + 1) {
          connection.lastSeq = stored.seq;
          send(client, { type: 'messages', messages: [stored] });
          return;
        }
        for (;;) {
          if (client.readyState !== OPEN) return;
          const messages = await this.store.after(connection.visitorId, connection.lastSeq);
          if (messages.length === 0) return;
          connection.lastSeq = messages[messages.length - 1].seq;
          send(client, { type: 'messages', messages });
          if (messages.length < HISTORY_PAGE) return;
        }
      })
      .catch((error: unknown) => {
        // The socket is closed so the widget reconnects and resumes from what it has.
        this.logger.warn(`a visitor's messages could not be read: ${String(error)}`);
        client.close(1011, 'Try again');
      });
  }
}

/** A place as told: where the chat is, its promise, and the words, which change with the clock. */
function told(queue: QueuePlace): string {
  return `${queue.position} ${queue.expectedAnswerAt ?? ''} ${queue.text ?? ''}`;
}

function send(client: VisitorSocket, message: object): void {
  if (client.readyState === OPEN) client.send(JSON.stringify(message));
}
