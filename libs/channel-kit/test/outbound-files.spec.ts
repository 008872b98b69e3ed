import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttachmentStore } from '@firstline/attachments';
import { AttachmentSchema, create } from '@firstline/contracts';
import { PermanentError } from '@firstline/errors';
import {
  assertWithinLimit,
  attachmentReaderProviders,
  formatBytes,
  READ_ATTACHMENT,
  readFromStore,
  readOutboundFile,
  type AttachmentFile,
} from '../src';

describe('readOutboundFile', () => {
  const stored: AttachmentFile = {
    fileName: 'stored-name.bin',
    contentType: 'application/octet-stream',
    bytes: Buffer.from('stored bytes'),
  };
  const store = async (key: string) => {
    if (key !== 'k1') throw new PermanentError(`no attachment ${key}`);
    return stored;
  };
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/terms.txt') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('the terms');
      } else if (request.url === '/busy') response.writeHead(503).end();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads a stored file by its key, under the name and type the message gives it', async () => {
    const attachment = create(AttachmentSchema, {
      storageKey: 'k1',
      fileName: 'Invoice.pdf',
      contentType: 'application/pdf',
    });
    expect(await readOutboundFile(attachment, store)).toEqual({
      fileName: 'Invoice.pdf',
      contentType: 'application/pdf',
      bytes: stored.bytes,
    });
  });

  it('falls back on the store’s name and type when the message has none', async () => {
    const attachment = create(AttachmentSchema, { storageKey: 'k1' });
    expect(await readOutboundFile(attachment, store)).toEqual(stored);
  });

  it('fetches a file that was never stored from its URL', async () => {
    const attachment = create(AttachmentSchema, {
      url: `${base}/terms.txt`,
      fileName: 'terms.txt',
    });
    const file = await readOutboundFile(attachment, store);
    expect(file).toMatchObject({ fileName: 'terms.txt', contentType: 'text/plain' });
    expect(Buffer.from(file.bytes).toString()).toBe('the terms');
  });

  it.each([
    ['a key the store does not have', 'permanent', { storageKey: 'k2' }],
    ['a URL that answers 404', 'permanent', { url: '/gone' }],
    ['a URL that answers 503', 'retryable', { url: '/busy' }],
    ['neither key nor URL', 'bad-input', {}],
  ])('fails for %s: %s', async (_, kind, fields: { storageKey?: string; url?: string }) => {
    const attachment = create(AttachmentSchema, {
      fileName: 'f',
      ...fields,
      ...(fields.url ? { url: `${base}${fields.url}` } : {}),
    });
    await expect(readOutboundFile(attachment, store)).rejects.toMatchObject({ kind });
  });
});

describe('readFromStore', () => {
  const store = (files: Record<string, string>): AttachmentStore => ({
    stage: () => {
      throw new Error('not used');
    },
    sweepAbandoned: async () => 0,
    open: async (key) =>
      key in files
        ? {
            storageKey: key,
            contentType: 'application/pdf',
            sizeBytes: files[key].length,
            content: async function* () {
              yield Buffer.from(files[key].slice(0, 3));
              yield Buffer.from(files[key].slice(3));
            },
          }
        : undefined,
  });

  it('reads a stored file whole, with the type it was stored under', async () => {
    const read = readFromStore(store({ 'sha256/ab': '%PDF-1.7' }));
    await expect(read('sha256/ab')).resolves.toEqual({
      fileName: '',
      contentType: 'application/pdf',
      bytes: Buffer.from('%PDF-1.7'),
    });
  });

  it('fails for good on a key the store does not have', async () => {
    const attachment = create(AttachmentSchema, { storageKey: 'sha256/cd' });
    await expect(readOutboundFile(attachment, readFromStore(store({})))).rejects.toMatchObject({
      kind: 'permanent',
      message: 'attachment sha256/cd is not in the attachment store',
    });
  });
});

describe('assertWithinLimit', () => {
  const file = (size: number): AttachmentFile => ({
    fileName: 'scan.pdf',
    contentType: 'application/pdf',
    bytes: new Uint8Array(size),
  });

  it('lets a file at the limit through and refuses one byte more for good, naming both sizes', () => {
    expect(() => assertWithinLimit(file(1024), 1024, 'Telegram photos')).not.toThrow();
    expect(() => assertWithinLimit(file(1025), 1024, 'Telegram photos')).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        message: '"scan.pdf" is 1 KB; Telegram photos take at most 1 KB',
      }),
    );
  });

  it.each([
    [800, '800 bytes'],
    [1536, '1.5 KB'],
    [10 * 1024 * 1024, '10 MB'],
    [52_953_088, '50.5 MB'],
  ])('writes %i bytes as %s', (bytes, words) => {
    expect(formatBytes(bytes)).toBe(words);
  });
});

describe('attachmentReaderProviders', () => {
  const store = {} as AttachmentStore;
  it('provides a ReadAttachment as READ_ATTACHMENT, and leaves providers as they are', () => {
    const read = readFromStore(store);
    expect(attachmentReaderProviders(read)).toEqual([{ provide: READ_ATTACHMENT, useValue: read }]);
    const factory = { provide: READ_ATTACHMENT, useFactory: () => read };
    expect(attachmentReaderProviders([factory])).toEqual([factory]);
  });
});
