import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, parseConfig, type Env } from '@firstline/config';
import { z } from 'zod';
import { PostgresAttachmentStore, type SqlClient } from './postgres-store';
import { S3AttachmentStore } from './s3-store';
import type { AttachmentStore } from '../store';

const attachmentVariables = {
  ATTACHMENT_STORE: z.enum(['database', 's3']).default('database'),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['0', '1']).optional(),
};

export type AttachmentStoreConfig =
  | { kind: 'database' }
  | {
      kind: 's3';
      bucket: string;
      region: string;
      endpoint?: string;
      credentials?: { accessKeyId: string; secretAccessKey: string };
      forcePathStyle: boolean;
    };

/** Which store holds files; checked at start-up like every variable. Throws ConfigError. */
export function loadAttachmentStoreConfig(env: Env = process.env): AttachmentStoreConfig {
  const parsed = parseConfig(attachmentVariables, env);
  if (parsed.ATTACHMENT_STORE === 'database') return { kind: 'database' };
  if (!parsed.S3_BUCKET) throw new ConfigError('S3_BUCKET', 'is required when ATTACHMENT_STORE=s3');
  if (Boolean(parsed.S3_ACCESS_KEY_ID) !== Boolean(parsed.S3_SECRET_ACCESS_KEY)) {
    const missing = parsed.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID';
    throw new ConfigError(missing, 'is required with the other S3 key (or set neither)');
  }
  return {
    kind: 's3',
    bucket: parsed.S3_BUCKET,
    region: parsed.S3_REGION,
    endpoint: parsed.S3_ENDPOINT,
    credentials:
      parsed.S3_ACCESS_KEY_ID && parsed.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: parsed.S3_ACCESS_KEY_ID, secretAccessKey: parsed.S3_SECRET_ACCESS_KEY }
        : undefined,
    // Self-hosted S3 servers rarely have a wildcard DNS name for bucket sub-domains.
    forcePathStyle: parsed.S3_FORCE_PATH_STYLE
      ? parsed.S3_FORCE_PATH_STYLE === '1'
      : Boolean(parsed.S3_ENDPOINT),
  };
}

/** The configured store; `database` is the connection the service already has. */
export function createAttachmentStore(
  config: AttachmentStoreConfig,
  database: SqlClient,
): AttachmentStore {
  if (config.kind === 'database') return new PostgresAttachmentStore(database);
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    credentials: config.credentials,
    forcePathStyle: config.forcePathStyle,
  });
  return new S3AttachmentStore({ bucket: config.bucket, client });
}
