import { createHash, randomBytes } from 'node:crypto';
import { readWhole, storeFile, type AttachmentStore } from '../src';

/** What every AttachmentStore must do, run against each implementation. */
export function attachmentStoreContract(
  name: string,
  open: () => Promise<{ store: AttachmentStore; partBytes: number; close(): Promise<void> }>,
): void {
  describe(`${name} as an attachment store`, () => {
    let store: AttachmentStore;
    let partBytes: number;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ store, partBytes, close } = await open());
    });
    afterAll(() => close());

    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

    it('keeps a file under the SHA-256 of its bytes and reads it back with its type and size', async () => {
      const bytes = Buffer.from('%PDF-1.4 a small document');
      const { storageKey, sizeBytes } = await storeFile(store, bytes, 'application/pdf');
      expect(storageKey).toBe(`sha256/${sha256(bytes)}`);
      expect(sizeBytes).toBe(bytes.length);
      const file = await store.open(storageKey);
      expect(file).toMatchObject({ contentType: 'application/pdf', sizeBytes: bytes.length });
      expect(await readWhole(file!)).toEqual(bytes);
    });

    it('streams a file of several parts in, and out part by part, never larger than a part', async () => {
      const bytes = randomBytes(partBytes * 2 + 12_345);
      async function* chunks() {
        for (let at = 0; at < bytes.length; at += 64 * 1024)
          yield bytes.subarray(at, at + 64 * 1024);
      }
      const { storageKey } = await storeFile(store, chunks(), 'application/octet-stream');
      const file = await store.open(storageKey);
      expect(file?.sizeBytes).toBe(bytes.length);
      const received: Buffer[] = [];
      for await (const part of file!.content()) received.push(part);
      expect(Buffer.concat(received).equals(bytes)).toBe(true);
      expect(Math.max(...received.map((part) => part.length))).toBeLessThanOrEqual(partBytes);
    });

    it('keeps the same bytes once, and the first type they were kept with', async () => {
      const bytes = randomBytes(1000);
      const first = await storeFile(store, bytes, 'image/png');
      const second = await storeFile(store, bytes, 'application/octet-stream');
      expect(second.storageKey).toBe(first.storageKey);
      const file = await store.open(first.storageKey);
      expect(await readWhole(file!)).toEqual(bytes);
    });

    it('keeps an empty file', async () => {
      const { storageKey } = await storeFile(store, Buffer.alloc(0), 'text/plain');
      const file = await store.open(storageKey);
      expect(file?.sizeBytes).toBe(0);
      expect(await readWhole(file!)).toEqual(Buffer.alloc(0));
    });

    it('has nothing under a key it never kept, nor of a discarded file', async () => {
      const staged = store.stage();
      await staged.write(randomBytes(partBytes + 10));
      const key = await staged.end();
      await staged.discard();
      expect(await store.open(key)).toBeUndefined();
      expect(await store.open(`sha256/${'0'.repeat(64)}`)).toBeUndefined();
    });

    it('gives the first bytes of a staged file for sniffing before it is kept', async () => {
      const staged = store.stage();
      await staged.write(Buffer.from([0x89, 0x50]));
      await staged.write(Buffer.from([0x4e, 0x47]));
      expect([...staged.head]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      await staged.discard();
    });

    it('never sweeps a kept file', async () => {
      const kept = await storeFile(store, randomBytes(partBytes + 1), 'application/zip');
      await store.sweepAbandoned(new Date(Date.now() + 60_000));
      expect((await readWhole((await store.open(kept.storageKey))!)).length).toBe(partBytes + 1);
    });
  });
}
