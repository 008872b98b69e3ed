import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart } from './multipart';

/**
 * A local stand-in for the VK API, following the official documentation for what Firstline uses:
 * methods answer `{ response }` or `{ error: { error_code, error_msg } }` over POST at
 * /method/<name>; messages.send ignores a repeated random_id for the same peer and returns the
 * first message's id; Bots Long Poll hands out a server, key and ts and answers `a_check` with
 * `{ ts, updates }` or `{ failed }`. Files go through the upload flows of
 * https://dev.vk.com/en/api/upload/: photos.getMessagesUploadServer, a multipart POST with the
 * file in field `photo` answered `{ server, photo, hash }`, photos.saveMessagesPhoto answered with
 * the saved photos; docs.getMessagesUploadServer (type doc, peer_id), a multipart POST with field
 * `file` answered `{ file }`, docs.save answered `{ type: 'doc', doc }`. messages.send accepts in
 * `attachment` only what was saved, named `<type><owner_id>_<id>[_<access_key>]`.
 */
export class FakeVk {
  /** Every messages.send call, including refused ones, in order. */
  readonly sendAttempts: Array<Record<string, string>> = [];
  /** Messages that reached a peer: one per (peer, random_id). */
  readonly delivered: Array<{
    id: number;
    peer_id: number;
    random_id: number;
    params: Record<string, string>;
    /** When it reached the peer (Date.now()). */
    at: number;
  }> = [];
  readonly calls: Array<{ method: string; params: Record<string, string> }> = [];
  /** Every long-poll request as it arrived. */
  readonly polls: Array<{ group: number; key: string; ts: string }> = [];
  readonly users = new Map<number, { first_name: string; last_name: string }>();
  /** Every file an upload server took, in order. */
  readonly uploads: VkUpload[] = [];
  /** Saved photos and documents by their `attachment` reference. */
  readonly saved = new Map<string, VkUpload>();
  /** Text served at /files/<name>, for outbound attachments to fetch. */
  readonly files = new Map<string, string>();

  private readonly tokens = new Map<string, number>();
  private readonly sendFailures: SendFailure[] = [];
  private readonly longPoll = new Map<
    number,
    { key: string; events: unknown[]; failures: Array<1 | 2 | 3>; keys: number }
  >();
  private server?: Server;
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

  /** A community whose token the API accepts; long-poll state starts at ts 1. */
  community(groupId: number, token: string): void {
    this.tokens.set(token, groupId);
    this.longPoll.set(groupId, { key: `key-${groupId}-0`, events: [], failures: [], keys: 0 });
  }

  /**
   * The next messages.send calls (of this text, when `message` is given) fail with these codes;
   * `afterDelivering` loses only the answer.
   */
  failNextSends(...failures: SendFailure[]): void {
    this.sendFailures.push(...failures);
  }

  /** An event for the community's long-poll clients. */
  pushLongPollEvent(groupId: number, event: unknown): void {
    this.longPoll.get(groupId)!.events.push(event);
  }

  /** The next a_check requests answer `failed` with these codes, in order. */
  failNextPolls(groupId: number, ...answers: Array<1 | 2 | 3>): void {
    this.longPoll.get(groupId)!.failures.push(...answers);
  }

  /** The ts a client would get from groups.getLongPollServer now. */
  currentTs(groupId: number): string {
    return String(this.longPoll.get(groupId)!.events.length + 1);
  }

  callsOf(method: string) {
    return this.calls.filter((call) => call.method === method);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url!, this.url);
    const body = await readBody(request);
    const method = /^\/method\/(.+)$/.exec(url.pathname)?.[1];
    if (method) return json(response, this.method(method, new URLSearchParams(body.toString())));
    const poll = /^\/lp\/(\d+)$/.exec(url.pathname);
    if (poll) return json(response, await this.check(Number(poll[1]), url.searchParams));
    const upload = /^\/upload\/(photo|doc)\/(-?\d+)$/.exec(url.pathname);
    if (upload && request.method === 'POST') {
      return json(response, this.receiveUpload(upload[1] as 'photo' | 'doc', request, body));
    }
    const file = /^\/files\/(.+)$/.exec(url.pathname);
    if (file && this.files.has(file[1])) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(this.files.get(file[1]));
      return;
    }
    response.writeHead(404).end();
  }

  private method(method: string, form: URLSearchParams): unknown {
    const params = Object.fromEntries(form);
    this.calls.push({ method, params });
    const groupId = this.tokens.get(params.access_token);
    if (groupId === undefined) return error(5, 'User authorization failed: invalid access_token');
    if (!params.v) return error(8, 'Invalid request: v is required');
    switch (method) {
      case 'messages.send':
        return this.send(params);
      case 'users.get':
        return {
          response: params.user_ids.split(',').flatMap((id) => {
            const user = this.users.get(Number(id));
            return user ? [{ id: Number(id), ...user }] : [];
          }),
        };
      case 'messages.sendMessageEventAnswer':
        return { response: 1 };
      case 'groups.getLongPollServer': {
        const state = this.longPoll.get(Number(params.group_id))!;
        return {
          response: {
            server: `${this.url}/lp/${params.group_id}`,
            key: state.key,
            ts: this.currentTs(Number(params.group_id)),
          },
        };
      }
      case 'photos.getMessagesUploadServer':
        if (!params.peer_id)
          return error(
            100,
            'One of the parameters specified was missing or invalid: peer_id is undefined',
          );
        return {
          response: {
            upload_url: `${this.url}/upload/photo/${groupId}`,
            album_id: -3,
            group_id: groupId,
          },
        };
      case 'photos.saveMessagesPhoto': {
        const upload = this.uploadNamed(params.photo, 'photo', groupId);
        if (!upload || params.hash !== `hash-${upload.id}` || params.server !== '1') {
          return error(1160, 'Photo is incorrect');
        }
        const photo = {
          id: upload.id,
          owner_id: -groupId,
          album_id: -3,
          access_key: `ak${upload.id}`,
        };
        this.saved.set(`photo${photo.owner_id}_${photo.id}_${photo.access_key}`, upload);
        return { response: [{ ...photo, date: Math.floor(Date.now() / 1000), sizes: [] }] };
      }
      case 'docs.getMessagesUploadServer':
        if (params.type !== 'doc' || !params.peer_id) {
          return error(
            100,
            'One of the parameters specified was missing or invalid: type doc and peer_id are required',
          );
        }
        return { response: { upload_url: `${this.url}/upload/doc/${groupId}` } };
      case 'docs.save': {
        const upload = this.uploadNamed(params.file, 'doc', groupId);
        if (!upload) return error(1150, 'Invalid document id');
        const doc = { id: upload.id, owner_id: -groupId, title: params.title ?? upload.fileName };
        this.saved.set(`doc${doc.owner_id}_${doc.id}`, upload);
        return { response: { type: 'doc', doc: { ...doc, size: upload.bytes.length, url: '' } } };
      }
      default:
        return error(3, 'Unknown method passed');
    }
  }

  /** An upload server's answer to a multipart POST: the file in `photo` or in `file`. */
  private receiveUpload(kind: 'photo' | 'doc', request: IncomingMessage, body: Buffer): unknown {
    let parts;
    try {
      parts = parseMultipart(request.headers['content-type'], body);
    } catch {
      return { error: 'multipart/form-data expected' };
    }
    const part = parts.find((p) => p.name === (kind === 'photo' ? 'photo' : 'file'));
    if (!part?.fileName)
      return kind === 'photo' ? { server: 1, photo: '[]', hash: '' } : { error: 'no file' };
    const upload: VkUpload = {
      id: 9000 + this.uploads.length,
      kind,
      groupId: Number(/\/(-?\d+)$/.exec(request.url!)![1]),
      fileName: part.fileName,
      contentType: part.contentType ?? '',
      bytes: part.bytes,
    };
    this.uploads.push(upload);
    return kind === 'photo'
      ? {
          server: 1,
          photo: JSON.stringify([{ photo: `p${upload.id}`, sizes: [] }]),
          hash: `hash-${upload.id}`,
        }
      : { file: `f${upload.id}|${upload.fileName}` };
  }

  /** The upload a save call names, uploaded to this community's server for this kind. */
  private uploadNamed(value: string | undefined, kind: 'photo' | 'doc', groupId: number) {
    const id =
      kind === 'photo'
        ? /"photo":"p(\d+)"/.exec(value ?? '')?.[1]
        : /^f(\d+)\|/.exec(value ?? '')?.[1];
    const upload = this.uploads.find((u) => String(u.id) === id);
    return upload?.kind === kind && upload.groupId === groupId ? upload : undefined;
  }

  private send(params: Record<string, string>): unknown {
    this.sendAttempts.push(params);
    const unknown = (params.attachment ?? '')
      .split(',')
      .filter((reference) => reference && !this.saved.has(reference));
    if (unknown.length > 0)
      return error(
        100,
        `One of the parameters specified was missing or invalid: attachment ${unknown[0]} not found`,
      );
    const peer = Number(params.peer_id);
    const randomId = Number(params.random_id);
    const index = this.sendFailures.findIndex(
      (failure) => failure.message === undefined || failure.message === params.message,
    );
    const failure = index < 0 ? undefined : this.sendFailures.splice(index, 1)[0];
    if (failure && !failure.afterDelivering) return error(failure.code, messageOf(failure.code));
    let message = this.delivered.find(
      (m) => m.peer_id === peer && m.random_id === randomId && randomId !== 0,
    );
    if (!message) {
      message = {
        id: 100 + this.delivered.length,
        peer_id: peer,
        random_id: randomId,
        params,
        at: Date.now(),
      };
      this.delivered.push(message);
    }
    if (failure) return error(failure.code, messageOf(failure.code));
    return { response: message.id };
  }

  /** a_check: events from `ts` on, waiting up to `wait` seconds for one to arrive. */
  private async check(groupId: number, query: URLSearchParams): Promise<unknown> {
    const state = this.longPoll.get(groupId)!;
    const ts = query.get('ts') ?? '';
    this.polls.push({ group: groupId, key: query.get('key') ?? '', ts });
    const failure = state.failures.shift();
    if (failure) {
      // 1 and 3 model lost history: an event the client will never see, so the ts moves on.
      if (failure !== 2) state.events.push(undefined);
      // After "key expired" or "information lost" the old key stops working, as on VK.
      if (failure !== 1) state.key = `key-${groupId}-${++state.keys}`;
      return failure === 1 ? { failed: 1, ts: this.currentTs(groupId) } : { failed: failure };
    }
    if (query.get('key') !== state.key) return { failed: 2 };
    const from = Number(ts);
    if (!Number.isInteger(from) || from < 1) return { failed: 1, ts: this.currentTs(groupId) };
    const deadline = Date.now() + Number(query.get('wait') ?? 25) * 1000;
    while (state.events.length + 1 <= from && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return {
      ts: this.currentTs(groupId),
      updates: state.events.slice(from - 1).filter((event) => event !== undefined),
    };
  }
}

/** A file an upload server took: a photo (field `photo`) or a document (field `file`). */
export interface VkUpload {
  id: number;
  kind: 'photo' | 'doc';
  /** The community whose upload server took it. */
  groupId: number;
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

interface SendFailure {
  code: number;
  afterDelivering?: boolean;
  /** Only a send of this text fails; others pass. */
  message?: string;
}

/**
 * Posts an event to a Callback API endpoint as VK does: a JSON body, the answer read as text. VK
 * repeats the post, with the same event_id, until the answer is "ok"; tests repeat it by calling
 * this again.
 */
export async function sendCallback(
  url: string,
  event: unknown,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  return { status: response.status, text: await response.text() };
}

const MESSAGES: Record<number, string> = {
  6: 'Too many requests per second',
  9: 'Flood control',
  10: 'Internal server error',
  901: "Can't send messages for users without permission",
  902: "Can't send messages to this user due to their privacy settings",
};

const messageOf = (code: number) => MESSAGES[code] ?? 'Unknown error occurred';
const error = (code: number, message: string) => ({
  error: { error_code: code, error_msg: message },
});

function json(response: ServerResponse, body: unknown): void {
  response
    .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
