import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { PartedFile, type AttachmentStore, type StagedFile, type StoredFile } from '../store';

/** S3's smallest part of a multipart upload (but the last). */
export const S3_PART_BYTES = 5 * 1024 * 1024;

/** Where large files wait, under a random name, until their key is known. */
export const STAGING_PREFIX = 'staging/';

export interface S3StoreOptions {
  bucket: string;
  client: S3Client;
}

/**
 * The store in an S3-compatible bucket (AWS S3, MinIO, Ceph, Yandex Object Storage...): a file is
 * the object named by its key, with its content type. A file of one part goes straight to its key;
 * a larger one is a multipart upload under `staging/`, copied to its key once kept.
 */
export class S3AttachmentStore implements AttachmentStore {
  constructor(private readonly options: S3StoreOptions) {}

  stage(): StagedFile {
    return new BucketFile(this.options);
  }

  async open(storageKey: string): Promise<StoredFile | undefined> {
    const { client, bucket } = this.options;
    const head = await headObject(client, bucket, storageKey);
    if (!head) return undefined;
    return {
      storageKey,
      contentType: head.ContentType ?? 'application/octet-stream',
      sizeBytes: head.ContentLength ?? 0,
      content: () => objectContent(client, bucket, storageKey),
    };
  }

  /**
   * Deletes staged objects a crash left between completing an upload and copying it to its key.
   * Multipart uploads a crash left unfinished are the bucket's lifecycle rule's to abort
   * (`AbortIncompleteMultipartUpload`, docs/adr/0022): listing them is not in every S3 server.
   */
  async sweepAbandoned(before: Date): Promise<number> {
    const { client, bucket } = this.options;
    let removed = 0;
    const staged = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: STAGING_PREFIX }),
    );
    for (const object of staged.Contents ?? []) {
      if (!object.LastModified || object.LastModified >= before) continue;
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
      removed += 1;
    }
    return removed;
  }
}

class BucketFile extends PartedFile {
  private readonly stagingKey = `${STAGING_PREFIX}${randomUUID()}`;
  /** The latest part, held back until the next one shows it is not the only one. */
  private held?: Buffer;
  private uploadId?: string;
  private readonly uploaded: CompletedPart[] = [];

  constructor(private readonly options: S3StoreOptions) {
    super(S3_PART_BYTES);
  }

  protected async writePart(_index: number, bytes: Buffer): Promise<void> {
    if (this.held) await this.upload(this.held);
    this.held = bytes;
  }

  protected async finish(storageKey: string, contentType: string): Promise<void> {
    const { client, bucket } = this.options;
    const last = this.held ?? Buffer.alloc(0);
    this.held = undefined;
    if (!this.uploadId) {
      // One part: its bytes are here; the same bytes under the same key are the same file.
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: storageKey,
          Body: last,
          ContentType: contentType,
        }),
      );
      return;
    }
    await this.upload(last);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: this.stagingKey,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.uploaded },
      }),
    );
    if (!(await headObject(client, bucket, storageKey))) {
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: storageKey,
          CopySource: `${bucket}/${this.stagingKey}`,
          ContentType: contentType,
          MetadataDirective: 'REPLACE',
        }),
      );
    }
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.stagingKey }));
  }

  /**
   * Completes what was uploaded and deletes it: the same end as an abort, in the two calls every
   * S3-compatible server has (the parts uploaded are all full, so they make a valid object).
   */
  protected async removeParts(): Promise<void> {
    this.held = undefined;
    if (!this.uploadId) return;
    const { client, bucket } = this.options;
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: this.stagingKey,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.uploaded },
      }),
    );
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.stagingKey }));
  }

  private async upload(bytes: Buffer): Promise<void> {
    const { client, bucket } = this.options;
    if (!this.uploadId) {
      const created = await client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: this.stagingKey }),
      );
      this.uploadId = created.UploadId;
    }
    const PartNumber = this.uploaded.length + 1;
    const part = await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: this.stagingKey,
        UploadId: this.uploadId,
        PartNumber,
        Body: bytes,
      }),
    );
    this.uploaded.push({ ETag: part.ETag, PartNumber });
  }
}

async function headObject(client: S3Client, bucket: string, key: string) {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
      return undefined;
    }
    throw error;
  }
}

async function* objectContent(client: S3Client, bucket: string, key: string) {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  for await (const chunk of object.Body as Readable) yield Buffer.from(chunk as Uint8Array);
}
