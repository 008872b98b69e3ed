import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import {
  createAttachmentStore,
  loadAttachmentStoreConfig,
  S3_PART_BYTES,
  STAGING_PREFIX,
} from '../src/stores';
import type { AttachmentStore } from '../src';
import { attachmentStoreContract } from './store-contract';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const unusedDatabase = {
  query: () => Promise.reject(new Error('the S3 store does not use the database')),
};

/** A local S3-compatible server with an empty bucket `firstline`. */
async function startBucket() {
  const directory = mkdtempSync(join(tmpdir(), 'firstline-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  await client.send(new CreateBucketCommand({ Bucket: 'firstline' }));
  const store = createAttachmentStore(
    loadAttachmentStoreConfig({
      ATTACHMENT_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: 'firstline',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    }),
    unusedDatabase,
  );
  return {
    store,
    client,
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

attachmentStoreContract('an S3-compatible bucket (s3rver)', async () => {
  const bucket = await startBucket();
  return { store: bucket.store, partBytes: S3_PART_BYTES, close: bucket.close };
});

describe('the S3 attachment store', () => {
  let bucket: { store: AttachmentStore; client: S3Client; close(): Promise<void> };
  beforeAll(async () => {
    bucket = await startBucket();
  });
  afterAll(() => bucket.close());

  it('sweeps a staged object a crash left before it was copied to its key', async () => {
    await bucket.client.send(
      new PutObjectCommand({ Bucket: 'firstline', Key: `${STAGING_PREFIX}left`, Body: 'x' }),
    );
    expect(await bucket.store.sweepAbandoned(new Date(Date.now() - 60_000))).toBe(0);
    expect(await bucket.store.sweepAbandoned(new Date(Date.now() + 60_000))).toBe(1);
  });
});

describe('the attachment store configuration', () => {
  it('is the database unless told otherwise', () => {
    expect(loadAttachmentStoreConfig({})).toEqual({ kind: 'database' });
  });

  it('names the variable an S3 store is missing', () => {
    expect(() => loadAttachmentStoreConfig({ ATTACHMENT_STORE: 's3' })).toThrow(/S3_BUCKET/);
    expect(() =>
      loadAttachmentStoreConfig({ ATTACHMENT_STORE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k' }),
    ).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(() => loadAttachmentStoreConfig({ ATTACHMENT_STORE: 'disk' })).toThrow(
      /ATTACHMENT_STORE/,
    );
  });
});
