// What channels and services use: the port, keys, and how files are typed and served. The stores
// themselves (and their dependencies: the database, the S3 client) are in '@firstline/attachments/stores'.
export * from './store';
export * from './content-type';
export * from './download';
