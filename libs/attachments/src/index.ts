export * from './store';
export * from './content-type';
export * from './postgres-store';
export * from './s3-store';
export * from './config';
export * from './migration';
export * from './provider';
export * from './download';
