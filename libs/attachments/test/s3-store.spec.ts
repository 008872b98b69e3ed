import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestBucket, type TestBucket } from '@firstline/testing';
import type { AttachmentStore } from '../src';
import {
  createAttachmentStore,
  loadAttachmentStoreConfig,
  S3_PART_BYTES,
  STAGING_PREFIX,
} from '../src/stores';
import { attachmentStoreContract } from './store-contract';

const unusedDatabase = {
  query: () => Promise.reject(new Error('the S3 store does not use the database')),
};

function storeIn(bucket: TestBucket): AttachmentStore {
  return createAttachmentStore(loadAttachmentStoreConfig(bucket.settings), unusedDatabase);
}

attachmentStoreContract('an S3-compatible bucket (s3rver)', async () => {
  const bucket = await startTestBucket();
  return { store: storeIn(bucket), partBytes: S3_PART_BYTES, close: bucket.close };
});

describe('the S3 attachment store', () => {
  let bucket: TestBucket;
  beforeAll(async () => {
    bucket = await startTestBucket();
  });
  afterAll(() => bucket.close());

  it('sweeps a staged object a crash left before it was copied to its key', async () => {
    const client = new S3Client({
      endpoint: bucket.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: bucket.credentials,
    });
    await client.send(
      new PutObjectCommand({ Bucket: bucket.bucket, Key: `${STAGING_PREFIX}left`, Body: 'x' }),
    );
    client.destroy();
    const store = storeIn(bucket);
    expect(await store.sweepAbandoned(new Date(Date.now() - 60_000))).toBe(0);
    expect(await store.sweepAbandoned(new Date(Date.now() + 60_000))).toBe(1);
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
