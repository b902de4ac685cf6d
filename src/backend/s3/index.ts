/**
 * Walrus, the cloud's S3 service: served path-style under /services/Walrus,
 * /services/objectstorage and at the root path. The HTTP side (handler.ts and the *-ops.ts
 * modules) is kept apart from the model (walrus.ts, multipart.ts), its state (store.ts,
 * schema.ts) and its files (storage.ts). Other parts of the cloud use the Walrus class.
 */
export { handleS3, s3Error } from './handler';
export type { S3HttpRequest } from './call';
export { S3_NS } from './documents';
export { ObjectFiles } from './storage';
export { SqlWalrusStore } from './store';
export type { WalrusStore } from './store';
export { MAX_PUT_SIZE, Walrus } from './walrus';
export type { AccountDirectory, Caller, ObjectHead } from './walrus';
