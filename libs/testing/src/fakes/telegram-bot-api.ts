import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMultipart, type FormPart } from './multipart';

/**
 * A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), following the
 * documented HTTP interface for what the adapter uses: `/bot<token>/<method>` with JSON,
 * form-encoded, multipart/form-data or query parameters; answers `{ok:true,result}` or
 * `{ok:false,error_code,description,parameters?}`; files at `/file/bot<token>/<file_path>`.
 * Files are sent as https://core.telegram.org/bots/api#sending-files describes: a file_id or URL
 * string, or uploaded in the multipart body, either under the parameter's own name or under any
 * name given as `attach://<name>` (the only way for the files of sendMediaGroup's `media`).
 * Tests play the customer (`customerWrites`, `customerPresses`) and inject failures.
 */

type Params = Record<string, unknown>;

interface SentMessage {
  message_id: number;
  chat_id: string;
  text?: string;
  caption?: string;
  /** A file_id or URL string as given, or the file uploaded with the call. */
  document?: string | UploadedFile;
  photo?: string | UploadedFile;
  /** Shared by the messages of one sendMediaGroup album. */
  media_group_id?: string;
  reply_markup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
}

/** A file uploaded in a call's multipart body. */
export interface UploadedFile {
  method: string;
  fileName: string;
  /** As the part declared it; Telegram goes by the name and the bytes. */
  contentType: string;
  bytes: Buffer;
}

/** Limits of https://core.telegram.org/bots/api#sendphoto, #senddocument, #sendmediagroup. */
const PHOTO_BYTES = 10 * 1024 * 1024;
const FILE_BYTES = 50 * 1024 * 1024;
const CAPTION_CHARACTERS = 1024;

class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

/** Telegram's HTML parse mode: these tags only, properly nested. */
const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-spoiler',
  'span',
]);

class BotState {
  updates: Array<Params & { update_id: number }> = [];
  nextUpdateId = 1;
  /** Updates below this were confirmed by a getUpdates with a higher offset. */
  confirmedBelow = 0;
  webhook?: { url: string; secret?: string };
  sent: SentMessage[] = [];
  /** Every file uploaded to the bot's calls, in order. */
  uploads: UploadedFile[] = [];
  nextMessageId = 1;
  nextMediaGroupId = 1;
  files = new Map<
    string,
    { path: string; content: Buffer; held?: { bytes: number; release: Promise<void> } }
  >();
  openCallbacks = new Set<string>();
  answeredCallbacks: string[] = [];
  blockedChats = new Set<string>();
  failures: Array<{ method: string; error: BotApiError }> = [];
  calls: Array<{ method: string; params: Params; at: number }> = [];
  waiters = new Set<() => void>();
  /** Ends the getUpdates call waiting now, when another one comes. */
  pollInFlight?: () => void;
  /** getUpdates calls ended by a later one: two pollers of one bot. */
  conflicts = 0;
}

export class FakeBotApi {
  private readonly bots = new Map<string, BotState>();
  private server?: Server;
  private nextFileId = 1;
  apiRoot = '';

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.apiRoot;
  }

  async stop(): Promise<void> {
    for (const bot of this.bots.values()) for (const wake of bot.waiters) wake();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  bot(token: string): BotState {
    let state = this.bots.get(token);
    if (!state) this.bots.set(token, (state = new BotState()));
    return state;
  }

  /** A customer writes to the bot in their private chat (chat id = user id); returns the update id. */
  customerWrites(token: string, userId: number, message: Params): number {
    const bot = this.bot(token);
    const from = { id: userId, is_bot: false, first_name: `User${userId}` };
    return this.enqueue(bot, {
      message: {
        message_id: bot.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: userId, type: 'private', first_name: from.first_name },
        from,
        ...message,
      },
    });
  }

  /** A customer presses an inline button under a message the bot sent. */
  customerPresses(token: string, sent: SentMessage, callbackData: string): string {
    const bot = this.bot(token);
    const id = `cb${bot.nextUpdateId}`;
    bot.openCallbacks.add(id);
    const chat = { id: Number(sent.chat_id), type: 'private' };
    this.enqueue(bot, {
      callback_query: {
        id,
        from: { id: Number(sent.chat_id), is_bot: false, first_name: 'Customer' },
        chat_instance: `ci${sent.chat_id}`,
        data: callbackData,
        message: { message_id: sent.message_id, date: 0, chat, text: sent.text },
      },
    });
    return id;
  }

  /** A file the Bot API holds, as a customer's upload would be; returns its file_id. */
  addFile(token: string, content: Buffer, extension: string): string {
    const fileId = `file-${this.nextFileId++}`;
    this.bot(token).files.set(fileId, { path: `documents/${fileId}.${extension}`, content });
    return fileId;
  }

  /**
   * Until `release` is called, a download of this file sends only its first `bytes` and waits, as
   * a large file on a slow link would: a client that streams has the first bytes by then.
   */
  holdFile(token: string, fileId: string, bytes: number): () => void {
    let release!: () => void;
    const file = this.bot(token).files.get(fileId)!;
    file.held = { bytes, release: new Promise<void>((resolve) => (release = resolve)) };
    return release;
  }

  /** The next `times` calls of `method` fail with this Bot API error. */
  failNext(token: string, method: string, error: BotApiError, times = 1): void {
    for (let i = 0; i < times; i += 1) this.bot(token).failures.push({ method, error });
  }

  static tooManyRequests(retryAfter: number): BotApiError {
    return new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, {
      retry_after: retryAfter,
    });
  }

  static badGateway(): BotApiError {
    return new BotApiError(502, 'Bad Gateway');
  }

  private enqueue(bot: BotState, update: Params): number {
    const updateId = bot.nextUpdateId++;
    bot.updates.push({ update_id: updateId, ...update });
    for (const wake of bot.waiters) wake();
    return updateId;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file && request.method === 'GET') {
      const found = [...this.bot(file[1]).files.values()].find((f) => f.path === file[2]);
      if (!found) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('Not Found');
        return;
      }
      // Served as a web server serves static files: the type from the extension.
      response.writeHead(200, {
        'content-type': typeByExtension(found.path),
        'content-length': found.content.length,
      });
      if (found.held) {
        response.write(found.content.subarray(0, found.held.bytes));
        await found.held.release;
        response.end(found.content.subarray(found.held.bytes));
      } else {
        response.end(found.content);
      }
      return;
    }
    const call = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    try {
      if (!call) throw new BotApiError(404, 'Not Found');
      const [, token, method] = call;
      if (!/^\d+:[\w-]+$/.test(token)) throw new BotApiError(401, 'Unauthorized');
      const body = await readBody(request);
      const params = { ...Object.fromEntries(url.searchParams), ...body.params };
      const bot = this.bot(token);
      bot.calls.push({ method, params, at: Date.now() });
      const failure = bot.failures.findIndex((f) => f.method === method);
      if (failure >= 0) throw bot.failures.splice(failure, 1)[0].error;
      const result = await this.call(bot, method, params, response, body.files);
      json(response, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      json(response, error.errorCode, {
        ok: false,
        error_code: error.errorCode,
        description: error.description,
        ...(error.parameters ? { parameters: error.parameters } : {}),
      });
    }
  }

  private async call(
    bot: BotState,
    method: string,
    params: Params,
    response: ServerResponse,
    files: Map<string, FormPart>,
  ): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return { id: 1, is_bot: true, first_name: 'Fake', username: 'fake_bot' };
      case 'getUpdates':
        return this.getUpdates(bot, params, response);
      case 'setWebhook':
        bot.webhook = {
          url: String(params.url),
          secret: params.secret_token as string | undefined,
        };
        return true;
      case 'deleteWebhook':
        bot.webhook = undefined;
        if (params.drop_pending_updates) bot.updates = [];
        return true;
      case 'sendMessage':
        return this.send(bot, params, { text: validText(params) });
      case 'sendDocument':
        return this.send(bot, params, {
          document: inputFile(bot, method, 'document', params.document, files, FILE_BYTES),
          ...caption(params),
        });
      case 'sendPhoto':
        return this.send(bot, params, {
          photo: inputFile(bot, method, 'photo', params.photo, files, PHOTO_BYTES),
          ...caption(params),
        });
      case 'sendMediaGroup':
        return this.sendMediaGroup(bot, params, files);
      case 'getFile': {
        const found = bot.files.get(String(params.file_id));
        if (!found) throw new BadRequest('invalid file_id');
        return {
          file_id: params.file_id,
          file_unique_id: `u-${params.file_id}`,
          file_size: found.content.length,
          file_path: found.path,
        };
      }
      case 'answerCallbackQuery': {
        const id = String(params.callback_query_id);
        if (!bot.openCallbacks.delete(id)) {
          throw new BadRequest(
            'query is too old and response timeout expired or query ID is invalid',
          );
        }
        bot.answeredCallbacks.push(id);
        return true;
      }
      default:
        throw new BotApiError(404, 'Not Found');
    }
  }

  /** Long polling as documented: offset confirms earlier updates; waits up to `timeout` seconds for new ones. */
  private async getUpdates(
    bot: BotState,
    params: Params,
    response: ServerResponse,
  ): Promise<unknown> {
    if (bot.webhook) {
      throw new BotApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = params.offset === undefined ? undefined : Number(params.offset);
    if (offset !== undefined && offset > 0)
      bot.confirmedBelow = Math.max(bot.confirmedBelow, offset);
    bot.updates = bot.updates.filter((u) => u.update_id >= bot.confirmedBelow);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const pending = () => bot.updates.slice(0, limit);
    const timeoutMs = Number(params.timeout ?? 0) * 1000;
    // Telegram serves one getUpdates per bot: a new call ends the one still waiting with 409.
    bot.pollInFlight?.();
    if (pending().length === 0 && timeoutMs > 0) {
      let terminated = false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          bot.waiters.delete(done);
          if (bot.pollInFlight === terminate) bot.pollInFlight = undefined;
          resolve();
        };
        const terminate = () => {
          terminated = true;
          bot.conflicts += 1;
          done();
        };
        const timer = setTimeout(done, timeoutMs);
        bot.waiters.add(done);
        bot.pollInFlight = terminate;
        // The client gave up (aborted its long poll).
        response.once('close', done);
      });
      if (terminated) {
        throw new BotApiError(
          409,
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        );
      }
    }
    return pending();
  }

  /** An album: 2–10 items, photos (and videos) together or documents alone, a message each. */
  private sendMediaGroup(bot: BotState, params: Params, files: Map<string, FormPart>): unknown {
    const media = params.media;
    if (!Array.isArray(media) || media.length < 2 || media.length > 10) {
      throw new BadRequest('media must include 2-10 items');
    }
    const items = media as Array<{ type?: unknown; media?: unknown; caption?: unknown }>;
    const types = new Set(items.map((item) => item.type));
    if (![...types].every((type) => type === 'photo' || type === 'document')) {
      throw new BadRequest('unsupported media type in the album');
    }
    if (types.size > 1) throw new BadRequest("document can't be mixed with other media types");
    // Checked before anything is sent: an album arrives whole or not at all.
    const contents = items.map((item) => {
      const type = item.type as 'photo' | 'document';
      const limit = type === 'photo' ? PHOTO_BYTES : FILE_BYTES;
      return {
        [type]: inputFile(bot, 'sendMediaGroup', type, item.media, files, limit),
        ...caption(item),
      };
    });
    const mediaGroupId = String(bot.nextMediaGroupId++);
    return contents.map((content) =>
      this.send(bot, params, { ...content, media_group_id: mediaGroupId }),
    );
  }

  private send(
    bot: BotState,
    params: Params,
    content: Omit<SentMessage, 'message_id' | 'chat_id' | 'reply_markup'>,
  ): unknown {
    const chatId = String(params.chat_id ?? '');
    if (!chatId) throw new BadRequest('chat_id is empty');
    if (bot.blockedChats.has(chatId))
      throw new BotApiError(403, 'Forbidden: bot was blocked by the user');
    const message: SentMessage = {
      message_id: bot.nextMessageId++,
      chat_id: chatId,
      ...content,
      reply_markup: params.reply_markup as SentMessage['reply_markup'],
    };
    bot.sent.push(message);
    const fileId = `sent-${message.message_id}`;
    const uploaded = (file: string | UploadedFile) => (typeof file === 'string' ? undefined : file);
    return {
      message_id: message.message_id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(chatId), type: 'private' },
      ...(content.text !== undefined ? { text: content.text } : {}),
      ...(content.caption !== undefined ? { caption: content.caption } : {}),
      ...(content.media_group_id ? { media_group_id: content.media_group_id } : {}),
      ...(content.document
        ? {
            document: {
              file_id: fileId,
              file_unique_id: `s${message.message_id}`,
              file_name: uploaded(content.document)?.fileName,
              file_size: uploaded(content.document)?.bytes.length,
            },
          }
        : {}),
      ...(content.photo
        ? {
            photo: [
              {
                file_id: fileId,
                file_unique_id: `s${message.message_id}`,
                width: 1,
                height: 1,
                file_size: uploaded(content.photo)?.bytes.length,
              },
            ],
          }
        : {}),
    };
  }
}

function typeByExtension(path: string): string {
  const types: Record<string, string> = {
    html: 'text/html',
    pdf: 'application/pdf',
    jpg: 'image/jpeg',
    svg: 'image/svg+xml',
  };
  return types[path.split('.').pop() ?? ''] ?? 'application/octet-stream';
}

class BadRequest extends BotApiError {
  constructor(description: string) {
    super(400, `Bad Request: ${description}`);
  }
}

/**
 * A file parameter: a file_id or URL string, `attach://<name>` naming a part of the body, or
 * (for top-level parameters) a part under the parameter's own name. Uploads count against the
 * method's limit; a file above it is refused before anything is sent.
 */
function inputFile(
  bot: BotState,
  method: string,
  parameter: string,
  value: unknown,
  files: Map<string, FormPart>,
  limitBytes: number,
): string | UploadedFile {
  const attached = typeof value === 'string' && /^attach:\/\/(.+)$/.exec(value)?.[1];
  const part = attached
    ? files.get(attached)
    : value === undefined
      ? files.get(parameter)
      : undefined;
  if (attached && !part) throw new BadRequest(`file "${attached}" must be attached`);
  if (!part) {
    if (typeof value !== 'string' || !value) {
      throw new BadRequest(`there is no ${parameter} in the request`);
    }
    return value;
  }
  if (part.fileName === undefined) throw new BadRequest(`${parameter} must be a file`);
  if (part.bytes.length > FILE_BYTES) {
    throw new BotApiError(413, 'Request Entity Too Large');
  }
  if (part.bytes.length > limitBytes) throw new BadRequest(`${parameter} is too big`);
  const file: UploadedFile = {
    method,
    fileName: part.fileName,
    contentType: part.contentType ?? 'application/octet-stream',
    bytes: part.bytes,
  };
  bot.uploads.push(file);
  return file;
}

/** A caption of 0–1,024 characters after entities parsing. */
function caption(params: Params): { caption?: string } {
  if (typeof params.caption !== 'string') return {};
  if (visibleText(params.caption, params.parse_mode).length > CAPTION_CHARACTERS) {
    throw new BadRequest('message caption is too long');
  }
  return { caption: params.caption };
}

/** sendMessage's text: 1-4096 characters after entities parsing; HTML must be well formed. */
function validText(params: Params): string {
  const text = typeof params.text === 'string' ? params.text : '';
  const visible = visibleText(text, params.parse_mode);
  if (!visible.trim()) throw new BadRequest('message text is empty');
  if (visible.length > 4096) throw new BadRequest('message is too long');
  return text;
}

/** The text as the chat shows it; HTML must be well formed. */
function visibleText(text: string, parseMode: unknown): string {
  let visible = text;
  if (parseMode === 'HTML') {
    const open: string[] = [];
    for (const [, slash, name] of text.matchAll(/<(\/?)([a-z-]+)[^>]*>/gi)) {
      if (!HTML_TAGS.has(name.toLowerCase())) {
        throw new BadRequest(`can't parse entities: unsupported start tag "${name}"`);
      }
      if (!slash) open.push(name);
      else if (open.pop() !== name)
        throw new BadRequest(`can't parse entities: unmatched end tag "${name}"`);
    }
    if (open.length)
      throw new BadRequest(
        `can't parse entities: can't find end tag corresponding to start tag "${open[0]}"`,
      );
    visible = text.replace(/<[^>]+>/g, '').replace(/&(lt|gt|amp|quot|#\d+);/g, '_');
  }
  return visible;
}

/** The call's parameters, and the files of a multipart body by part name. */
async function readBody(
  request: IncomingMessage,
): Promise<{ params: Params; files: Map<string, FormPart> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const files = new Map<string, FormPart>();
  if (bytes.length === 0) return { params: {}, files };
  const type = request.headers['content-type'] ?? '';
  const body = bytes.toString('utf8');
  if (type.includes('application/json')) return { params: JSON.parse(body) as Params, files };
  if (type.includes('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(
      [...new URLSearchParams(body)].map(([key, value]) => [key, parseFormValue(value)]),
    );
    return { params, files };
  }
  if (type.includes('multipart/form-data')) {
    let parts: FormPart[];
    try {
      parts = parseMultipart(type, bytes);
    } catch (error) {
      throw new BadRequest(`can't parse multipart/form-data: ${(error as Error).message}`);
    }
    const params: Params = {};
    for (const part of parts) {
      if (part.fileName !== undefined) files.set(part.name, part);
      else params[part.name] = parseFormValue(part.bytes.toString('utf8'));
    }
    return { params, files };
  }
  throw new BadRequest(
    'unsupported content type; send JSON, form parameters or multipart/form-data',
  );
}

/** Form parameters carry JSON-serialised objects (reply_markup) as strings. */
function parseFormValue(value: string): unknown {
  try {
    return value.startsWith('{') || value.startsWith('[') ? JSON.parse(value) : value;
  } catch {
    return value;
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
