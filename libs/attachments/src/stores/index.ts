export * from './postgres-store';
export * from './s3-store';
export * from './config';
export * from './migration';
export * from './provider';
