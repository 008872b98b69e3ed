import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { sniffContentType } from './content-type';

/**
 * Where every channel and the tickets service keep the bytes of attachments (docs/adr/0022):
 * one store behind this port, in the database the service uses or an S3-compatible bucket.
 * Files are content-addressed: the key is the SHA-256 of the bytes, so the same file sent twice,
 * or received by email and forwarded by an agent, is kept once.
 */
export interface AttachmentStore {
  /** Begins a file whose bytes arrive in chunks; nothing is readable until it is kept. */
  stage(): StagedFile;
  /** The file under `storageKey`, its content read lazily; undefined when the store has none. */
  open(storageKey: string): Promise<StoredFile | undefined>;
  /** Removes the bytes of staged files never kept (refused, abandoned) written before `before`. */
  sweepAbandoned(before: Date): Promise<number>;
}

/** Injection token of a service's AttachmentStore (see `attachmentStoreProvider`). */
export const ATTACHMENT_STORE = Symbol('AttachmentStore');

/** A file being written: hashed on the way, stored in parts, never whole in memory. */
export interface StagedFile {
  /** Bytes written so far. */
  readonly sizeBytes: number;
  /** The first bytes (up to `HEAD_BYTES`), for sniffing the type before the file is kept. */
  readonly head: Buffer;
  /** Takes the next bytes; resolves once they are buffered or written, so the sender is paced. */
  write(chunk: Uint8Array): Promise<void>;
  /** Writes what is left; the file's storage key from then on. */
  end(): Promise<string>;
  /** Makes the ended file readable under its key (when the same bytes are stored already, uses those). */
  keep(contentType: string): Promise<string>;
  /** Removes what was written of a file that is not kept. */
  discard(): Promise<void>;
}

/** A stored file, its bytes read part by part. */
export interface StoredFile {
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  content(): AsyncIterable<Buffer>;
}

/** How many first bytes a staged file keeps for sniffing. */
export const HEAD_BYTES = 4096;

const STORAGE_KEY = /^(?:(?:email|webform)\/)?sha256\/[0-9a-f]{64}$/;

/** A file's key in the store: `sha256/<hex digest>`. */
export function storageKeyOf(sha256Hex: string): string {
  return `sha256/${sha256Hex}`;
}

/**
 * Whether `key` can name a stored file: `sha256/<hex>`, or the channel-prefixed keys email and
 * the web form gave files before the store was shared (`email/sha256/<hex>`), which stay readable.
 */
export function isStorageKey(key: string): boolean {
  return STORAGE_KEY.test(key);
}

/** Stores `content` whole: for bytes that are in memory already or arrive as a stream. */
export async function storeFile(
  store: AttachmentStore,
  content: Uint8Array | AsyncIterable<Uint8Array>,
  contentType: string,
): Promise<{ storageKey: string; sizeBytes: number }> {
  const file = store.stage();
  try {
    if (content instanceof Uint8Array) await file.write(content);
    else for await (const chunk of content) await file.write(chunk);
    await file.end();
    const storageKey = await file.keep(contentType);
    return { storageKey, sizeBytes: file.sizeBytes };
  } catch (error) {
    await file.discard().catch(() => undefined);
    throw error;
  }
}

/**
 * Stores the files a channel received with a message, before the message is published, typed by
 * their bytes where they prove it (the message keeps the type the sender declared).
 */
export async function storeInboundFiles(
  store: AttachmentStore,
  files: ReadonlyArray<{ storageKey: string; content: Buffer }>,
): Promise<void> {
  for (const file of files) {
    const stored = await storeFile(
      store,
      file.content,
      sniffContentType(file.content) ?? 'application/octet-stream',
    );
    if (stored.storageKey !== file.storageKey) {
      throw new Error(
        `file ${file.storageKey} was stored as ${stored.storageKey}: keys must be sha256/<hex>`,
      );
    }
  }
}

/**
 * The content of each stored file by key, as streams read while they are sent: what a channel
 * service hands to its platform's upload. A key the store does not have is left out, for the
 * caller to refuse the message.
 */
export async function openFiles(
  store: AttachmentStore,
  storageKeys: readonly string[],
): Promise<Map<string, Readable>> {
  const files = new Map<string, Readable>();
  for (const key of new Set(storageKeys)) {
    const file = await store.open(key);
    if (file) files.set(key, Readable.from(file.content()));
  }
  return files;
}

/** A stored file's bytes in one buffer: for small files only (tests, sniffing a head). */
export async function readWhole(file: StoredFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of file.content()) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * The shared half of every implementation: hashing, the head, and cutting the stream into parts
 * of `partBytes`; the implementation writes the parts and names the file.
 */
export abstract class PartedFile implements StagedFile {
  sizeBytes = 0;
  head: Buffer = Buffer.alloc(0);
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private partsWritten = 0;
  private key?: string;
  private state: 'open' | 'ended' | 'kept' | 'discarded' = 'open';

  protected constructor(private readonly partBytes: number) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new Error(`cannot write to a ${this.state} file`);
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.hash.update(bytes);
    if (this.head.length < HEAD_BYTES) {
      this.head = Buffer.concat([this.head, bytes.subarray(0, HEAD_BYTES - this.head.length)]);
    }
    this.sizeBytes += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    while (this.pendingBytes >= this.partBytes) await this.flush(this.partBytes);
  }

  async end(): Promise<string> {
    if (this.key) return this.key;
    // An empty file is still one (empty) part, so that it can be kept and read back.
    if (this.pendingBytes > 0 || this.partsWritten === 0) await this.flush(this.pendingBytes);
    this.state = 'ended';
    this.key = storageKeyOf(this.hash.digest('hex'));
    return this.key;
  }

  async keep(contentType: string): Promise<string> {
    const key = await this.end();
    if (this.state === 'ended') {
      await this.finish(key, contentType, this.partsWritten);
      this.state = 'kept';
    }
    return key;
  }

  async discard(): Promise<void> {
    if (this.state === 'kept' || this.state === 'discarded') return;
    this.state = 'discarded';
    this.pending = [];
    await this.removeParts(this.partsWritten);
  }

  private async flush(bytes: number): Promise<void> {
    const all = Buffer.concat(this.pending);
    const part = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    await this.writePart(this.partsWritten, part);
    this.partsWritten += 1;
  }

  /** Writes part number `index` (from 0) of the staged bytes. */
  protected abstract writePart(index: number, bytes: Buffer): Promise<void>;
  /** Makes the `parts` written readable under `storageKey`. */
  protected abstract finish(storageKey: string, contentType: string, parts: number): Promise<void>;
  /** Removes the `parts` written of a file that is not kept. */
  protected abstract removeParts(parts: number): Promise<void>;
}
