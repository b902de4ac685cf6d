/**
 * Where Walrus keeps object bytes, as an interface: the data dir's files (storage.ts, the default)
 * or an S3 service such as Ceph's RADOS Gateway (s3-object-bytes.ts), which several front ends
 * share. Walrus keeps its API, metadata and rules above it; a backend stores opaque files named
 * by random ids within a bucket id, never by a key, and knows nothing of objects. A file becomes
 * an object only when the model commits a row naming it: until then (and after its row goes) it is
 * the backend's to remove, and sweep() removes what a crash left.
 */
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';

/** A file's id: random hex; a joined file's (a list of other files, see join) ends in `.join`. */
export const FILE_ID = /^[0-9a-f]{32}(\.join)?$/;
export const isJoin = (fileId: string) => fileId.endsWith('.join');
export const newFileId = () => randomBytes(16).toString('hex');

/** One of the files a joined file is made of. */
export interface JoinedPart {
  fileId: string;
  size: number;
}

/** What the model says is in use, for sweep(). */
export interface LiveFiles {
  bucketIds: Set<string>;
  fileInUse(fileId: string): Promise<boolean>;
}

export interface ObjectBytes {
  /** Where the bytes are, for the log. */
  readonly description: string;
  /** Makes what the backend needs (folders, its bucket); safe to call again. */
  init(): Promise<void>;
  newId(): string;
  createBucket(bucketId: string): Promise<void>;
  /** Removes what is left of a deleted bucket's files. */
  removeBucket(bucketId: string): Promise<void>;
  /**
   * Stores the body as a new file and returns its id: durable when this resolves; if the body
   * throws, nothing remains.
   */
  write(bucketId: string, body: AsyncIterable<Buffer> | Iterable<Buffer>, fileId?: string): Promise<string>;
  /** One file made of several without copying a byte (a multipart upload's parts): a small list of them. */
  join(bucketId: string, parts: JoinedPart[]): Promise<string>;
  /**
   * Bytes start..end (inclusive) of a file (a joined one's across its parts), opened now: a
   * replace that removes the file later cannot pull it away from a read that has started.
   */
  open(bucketId: string, fileId: string, start?: number, end?: number): Promise<Readable>;
  /** Removes a file (a joined one with its parts). */
  remove(bucketId: string, fileId: string): Promise<void>;
  /** Removes a joined file's list alone, its parts kept (a join that was not committed). */
  unjoin(bucketId: string, fileId: string): Promise<void>;
  /** Removes what no live row names (left by a crash); see each backend for what it spares. */
  sweep(live: LiveFiles): Promise<{ removed: number }>;
}

/** The part ranges a read of from..to (inclusive) of a joined file covers, in order. */
export function joinedRanges(
  parts: JoinedPart[],
  from: number,
  to: number,
): { fileId: string; start: number; end: number }[] {
  const ranges: { fileId: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const p of parts) {
    const [first, last] = [Math.max(from, offset), Math.min(to, offset + p.size - 1)];
    if (first <= last) ranges.push({ fileId: p.fileId, start: first - offset, end: last - offset });
    offset += p.size;
  }
  return ranges;
}

export const joinedSize = (parts: JoinedPart[]) => parts.reduce((n, p) => n + p.size, 0);
