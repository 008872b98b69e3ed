import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart } from './multipart';

/**
 * A local stand-in for the OK Bot API (the Graph API at https://api.ok.ru/graph), following the
 * official documentation for what Firstline uses (the pages are listed in libs/ok/src/ok-api.ts):
 * every call carries the group's `access_token` in the query; POST bodies are JSON and must be
 * sent as `application/json`; errors are `{ error_code, error_msg, error_data }` with the code in
 * the `invocation-error` header.
 * - POST /graph/me/messages/{chat_id}: at most 5 attachments; answers `{ success, message_id }`
 * - POST /graph/me/subscribe, POST /graph/me/unsubscribe `{ url }`, GET /graph/me/subscriptions
 * - GET /graph/me/info: the token's group
 * - GET /graph/me/fileUploadUrl?type=…: an upload URL and token; an IMAGE's token comes from the
 *   upload itself, in the photo upload answer's shape. The upload URL takes one POST: an IMAGE as
 *   the photo upload documents it (multipart/form-data, the file in `pic1`), other types as the
 *   request body with the file's MIME type (named, when the client names it, in
 *   Content-Disposition). Messages may carry only tokens of finished uploads.
 * - POST /graph/{chat_id}/answer?callbackId=…: the answer to a CALLBACK button press
 * Tests play the customer (`customerWrites`, `customerPresses`), which posts the webhook body to
 * every URL the group subscribed, and inject failures (`failNextSends`).
 */
export class FakeOk {
  /** Messages that reached a chat, in order. */
  readonly delivered: OkDelivered[] = [];
  /** Every POST /graph/me/messages, including refused ones. */
  readonly sendAttempts: Array<{ chatId: string; body: unknown }> = [];
  readonly uploads: OkUpload[] = [];
  readonly callbackAnswers: Array<{ chatId: string; callbackId: string; body: unknown }> = [];
  /** Every webhook POST and what the subscriber answered. */
  readonly webhookDeliveries: Array<{ url: string; body: unknown; status: number }> = [];

  private readonly groups = new Map<string, OkGroup>();
  private readonly sendFailures: OkFailure[] = [];
  private readonly pendingUploads = new Map<string, { type: string; token: string }>();
  private server?: Server;
  private counter = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** A group whose Bot API token the API accepts. */
  group(groupId: string, token: string, name = `Group ${groupId}`): void {
    this.groups.set(token, {
      id: groupId,
      name,
      subscriptions: [],
      chats: new Set(),
      closed: new Set(),
    });
  }

  /** The customer stops accepting the group's messages: sends to the chat answer PERMISSION_DENIED. */
  closeChat(chatId: string): void {
    for (const group of this.groups.values()) if (group.chats.has(chatId)) group.closed.add(chatId);
  }

  /** The next sends (of this text, when `text` is given) fail with these errors. */
  failNextSends(...failures: OkFailure[]): void {
    this.sendFailures.push(...failures);
  }

  subscriptionsOf(groupId: string): string[] {
    return this.groupById(groupId).subscriptions.map(({ url }) => url);
  }

  /** A customer writes to the group: a MESSAGE_CREATED body posted to each subscribed webhook. */
  async customerWrites(
    groupId: string,
    customer: { userId: string; name?: string; chatId?: string },
    message: { text?: string; attachments?: unknown[]; mid?: string },
  ): Promise<OkWebhookPost> {
    const chatId = this.chatOf(groupId, customer);
    const body = {
      webhookType: 'MESSAGE_CREATED',
      sender: {
        user_id: `user:${customer.userId}`,
        ...(customer.name ? { name: customer.name } : {}),
      },
      recipient: { chat_id: chatId },
      message: {
        ...(message.text !== undefined ? { text: message.text } : {}),
        ...(message.attachments ? { attachments: message.attachments } : {}),
        seq: ++this.counter,
        mid: message.mid ?? `mid:${chatId.slice('chat:'.length)}.${this.counter.toString(16)}`,
      },
      timestamp: Date.now(),
    };
    return { body, statuses: await this.deliver(groupId, body) };
  }

  /** A customer presses a CALLBACK button whose payload was `payload`: a MESSAGE_CALLBACK body. */
  async customerPresses(
    groupId: string,
    customer: { userId: string; name?: string; chatId?: string },
    payload: string,
  ): Promise<OkWebhookPost> {
    const chatId = this.chatOf(groupId, customer);
    const body = {
      webhookType: 'MESSAGE_CALLBACK',
      callbackId: `callback-${++this.counter}`,
      payload,
      sender: {
        user_id: `user:${customer.userId}`,
        ...(customer.name ? { name: customer.name } : {}),
      },
      recipient: { chat_id: chatId },
      timestamp: Date.now(),
    };
    return { body, statuses: await this.deliver(groupId, body) };
  }

  /**
   * Posts a webhook body to every URL the group subscribed, as OK does: JSON over POST, one
   * attempt per call (OK redelivers until it gets 200; tests redeliver by calling this again).
   */
  async deliver(groupId: string, body: unknown): Promise<number[]> {
    const statuses: number[] = [];
    for (const { url } of this.groupById(groupId).subscriptions) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=utf-8' },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      this.webhookDeliveries.push({ url, body, status: response.status });
      statuses.push(response.status);
    }
    return statuses;
  }

  private chatOf(groupId: string, customer: { userId: string; chatId?: string }): string {
    const chatId = customer.chatId ?? `chat:C${Number(customer.userId).toString(16)}`;
    this.groupById(groupId).chats.add(chatId);
    return chatId;
  }

  private groupById(groupId: string): OkGroup {
    const group = [...this.groups.values()].find(({ id }) => id === groupId);
    if (!group) throw new Error(`FakeOk: no group ${groupId}; call group() first`);
    return group;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url!, this.url);
    const bytes = await readBody(request);
    const upload = /^\/upload\/(.+)$/.exec(url.pathname);
    if (upload && request.method === 'POST')
      return this.receiveUpload(upload[1], request, bytes, response);
    if (!url.pathname.startsWith('/graph/')) return void response.writeHead(404).end();
    const group = this.groups.get(url.searchParams.get('access_token') ?? '');
    if (!group) return error(response, 102, 'PARAM_SESSION_EXPIRED : Session expired');
    let body: Record<string, unknown> = {};
    if (request.method === 'POST') {
      if (!String(request.headers['content-type']).startsWith('application/json')) {
        return error(response, 100, 'PARAM : Content-Type must be application/json');
      }
      try {
        body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      } catch {
        return error(response, 4, 'REQUEST : Invalid JSON');
      }
    }
    const path = url.pathname.slice('/graph/'.length);
    const send = /^me\/messages\/(chat:[^/]+)$/.exec(path);
    if (send && request.method === 'POST') return this.send(group, send[1], body, response);
    const answer = /^(chat:[^/]+)\/answer$/.exec(path);
    if (answer && request.method === 'POST') {
      const callbackId = url.searchParams.get('callbackId');
      if (!callbackId) return error(response, 100, 'PARAM : callbackId is required');
      this.callbackAnswers.push({ chatId: answer[1], callbackId, body });
      return json(response, { success: true });
    }
    switch (`${request.method} ${path.replace(/\/$/, '')}`) {
      case 'POST me/subscribe':
        if (typeof body.url !== 'string' || !/^https?:/.test(body.url)) {
          return error(response, 100, 'PARAM : url must be an http: or https: URL');
        }
        if (!group.subscriptions.some(({ url: known }) => known === body.url)) {
          group.subscriptions.push({ url: body.url, time: Date.now() });
        }
        return json(response, { success: true });
      case 'POST me/unsubscribe':
        group.subscriptions = group.subscriptions.filter(({ url: known }) => known !== body.url);
        return json(response, { success: true });
      case 'GET me/subscriptions':
        return json(response, { subscriptions: group.subscriptions });
      case 'GET me/info':
        return json(response, { name: group.name, group_id: `group:${group.id}` });
      case 'GET me/fileUploadUrl': {
        const type = (url.searchParams.get('type') ?? 'FILE').toUpperCase();
        if (!['FILE', 'IMAGE', 'VIDEO', 'AUDIO'].includes(type)) {
          return error(response, 100, `PARAM : unknown type ${type}`);
        }
        const id = (++this.counter).toString(16);
        const token = `${type.toLowerCase()}-token-${id}`;
        this.pendingUploads.set(id, { type, token });
        return json(response, {
          url: `${this.url}/upload/${id}`,
          ...(type === 'IMAGE' ? { file_id: id } : { token }),
        });
      }
      default:
        return error(response, 3, `METHOD : ${request.method} ${path} does not exist`);
    }
  }

  private send(
    group: OkGroup,
    chatId: string,
    body: Record<string, unknown>,
    response: ServerResponse,
  ): void {
    this.sendAttempts.push({ chatId, body });
    const message = (body.message ?? {}) as {
      text?: unknown;
      attachments?: unknown[];
      attachment?: unknown;
    };
    const attachments = [
      ...(message.attachments ?? []),
      ...(message.attachment ? [message.attachment] : []),
    ];
    const text = typeof message.text === 'string' ? message.text : '';
    const index = this.sendFailures.findIndex(
      (failure) => failure.text === undefined || failure.text === text,
    );
    const failure = index < 0 ? undefined : this.sendFailures.splice(index, 1)[0];
    if (failure) {
      if (failure.httpStatus)
        return void response.writeHead(failure.httpStatus).end('Service Unavailable');
      return error(response, failure.code ?? 1, failure.message ?? 'UNKNOWN : injected failure');
    }
    if (!group.chats.has(chatId))
      return error(response, 300, `NOT_FOUND : chat ${chatId} not found`);
    if (group.closed.has(chatId))
      return error(response, 10, 'PERMISSION_DENIED : messages are not allowed');
    if (!text && attachments.length === 0) return error(response, 100, 'PARAM : message is empty');
    if (attachments.length > 5) return error(response, 100, 'PARAM : at most 5 attachments');
    const unknownFile = attachments.find((attachment) => {
      const { type, payload } = attachment as { type?: string; payload?: { token?: string } };
      const uploadable = ['FILE', 'IMAGE', 'VIDEO', 'AUDIO'].includes(type ?? '');
      return uploadable && !this.uploads.some((u) => u.type === type && u.token === payload?.token);
    });
    if (unknownFile) return error(response, 100, 'PARAM : attachment token is invalid');
    const mid = `mid:${chatId.slice('chat:'.length)}.${(++this.counter).toString(16)}`;
    this.delivered.push({ groupId: group.id, chatId, mid, text, attachments, at: Date.now() });
    json(response, { success: true, message_id: mid });
  }

  private receiveUpload(
    id: string,
    request: IncomingMessage,
    bytes: Buffer,
    response: ServerResponse,
  ): void {
    const pending = this.pendingUploads.get(id);
    if (!pending) return void response.writeHead(404).end();
    const upload = this.readUpload(pending.type, request, bytes);
    if (typeof upload === 'string') return error(response, 100, `PARAM : ${upload}`);
    this.pendingUploads.delete(id);
    this.uploads.push({ type: pending.type, token: pending.token, ...upload });
    // An image's token comes back from the upload, as the photo upload service answers it.
    if (pending.type === 'IMAGE')
      return json(response, { photos: { [id]: { token: pending.token } } });
    json(response, {});
  }

  /** The file of an upload request, or why it is refused. */
  private readUpload(
    type: string,
    request: IncomingMessage,
    bytes: Buffer,
  ): Omit<OkUpload, 'type' | 'token'> | string {
    const contentType = String(request.headers['content-type'] ?? '');
    if (type === 'IMAGE') {
      let picture;
      try {
        picture = parseMultipart(contentType, bytes).find((part) => part.name === 'pic1');
      } catch (reason) {
        return `an image is uploaded as multipart/form-data: ${(reason as Error).message}`;
      }
      if (!picture?.fileName) return 'no file in pic1';
      if (!picture.contentType?.startsWith('image/')) return 'pic1 must have an image MIME type';
      return { fileName: picture.fileName, contentType: picture.contentType, bytes: picture.bytes };
    }
    if (bytes.length === 0) return 'the request body holds no file';
    if (type === 'AUDIO' && !contentType.startsWith('audio/')) {
      return 'an audio upload needs its audio MIME type in Content-Type';
    }
    const named = /filename\*=UTF-8''([^;]+)/i.exec(String(request.headers['content-disposition']));
    return {
      ...(named ? { fileName: decodeURIComponent(named[1]) } : {}),
      contentType,
      bytes,
    };
  }
}

/** A file an upload URL took. */
export interface OkUpload {
  type: string;
  token: string;
  /** From the multipart part, or from Content-Disposition for a body upload. */
  fileName?: string;
  contentType: string;
  bytes: Buffer;
}

export interface OkDelivered {
  groupId: string;
  chatId: string;
  mid: string;
  text: string;
  attachments: unknown[];
  /** When it reached the chat (Date.now()). */
  at: number;
}

export interface OkWebhookPost {
  body: Record<string, unknown>;
  /** What each subscribed webhook answered. */
  statuses: number[];
}

interface OkGroup {
  id: string;
  name: string;
  subscriptions: Array<{ url: string; time: number }>;
  chats: Set<string>;
  closed: Set<string>;
}

interface OkFailure {
  /** An OK error code (https://apiok.ru/en/dev/errors); 1 when neither this nor httpStatus is set. */
  code?: number;
  message?: string;
  /** Answer this HTTP status with no error object, as a failing gateway does. */
  httpStatus?: number;
  /** Only a send of this text fails; others pass. */
  text?: string;
}

function error(response: ServerResponse, code: number, message: string): void {
  response
    .writeHead(200, {
      'content-type': 'application/json;charset=utf-8',
      'invocation-error': String(code),
    })
    .end(JSON.stringify({ error_code: code, error_msg: message, error_data: null }));
}

function json(response: ServerResponse, body: unknown): void {
  response
    .writeHead(200, { 'content-type': 'application/json;charset=utf-8' })
    .end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
