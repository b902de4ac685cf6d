/**
 * Where object data lives: var/lib/eucalyptus/walrus/<bucket-id>/<file-id>, names that are random
 * identifiers and never derived from a key, so no key can reach outside the data dir. A new file
 * is written to walrus/tmp, fsynced and renamed into its bucket's folder; it becomes an object only
 * when the model commits a row naming it, and a failed write removes its temp file before the
 * error goes on. At start-up, sweep() removes temp files and files no row names (left by a crash
 * between rename and commit, or between commit and unlink of a replaced file).
 */
import { ServiceError } from '../errors';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Readable } from 'node:stream';

/** Pieces are gathered into writes of about this size: fewer system calls for socket-sized pieces. */
const WRITE_BATCH = 512 * 1024;
const ID = /^[0-9a-f]{32}$/;

export interface LiveFiles {
  bucketIds: Set<string>;
  fileInUse(fileId: string): Promise<boolean>;
}

/** A full disk (or quota) as the client sees it: Walrus has no room, nothing was stored. */
function outOfSpace(e: unknown): ServiceError | undefined {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  return new ServiceError(
    'InsufficientStorage',
    'Walrus has no space left to store this object; nothing was stored',
    507,
  );
}

export class ObjectFiles {
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
  }

  /** Creates the folders; cheap, and safe to call from a process that only reads. */
  init(): void {
    for (const dir of [this.root, this.tmpDir]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  newId(): string {
    return randomBytes(16).toString('hex');
  }

  bucketDir(bucketId: string): string {
    return path.join(this.root, bucketId);
  }

  file(bucketId: string, fileId: string): string {
    if (!ID.test(bucketId) || !ID.test(fileId)) throw new Error(`not a Walrus file id: ${bucketId}/${fileId}`);
    return path.join(this.root, bucketId, fileId);
  }

  createBucketDir(bucketId: string): void {
    fs.mkdirSync(this.bucketDir(bucketId), { recursive: true, mode: 0o700 });
  }

  removeBucketDir(bucketId: string): void {
    fs.rmSync(this.bucketDir(bucketId), { recursive: true, force: true });
  }

  /**
   * Writes the body to a new file in the bucket's folder and returns its id. Durable (fsynced,
   * renamed, folder fsynced) when this resolves; if the body throws, no file remains.
   */
  async write(bucketId: string, body: AsyncIterable<Buffer>): Promise<string> {
    const fileId = this.newId();
    const target = this.file(bucketId, fileId);
    const tmp = path.join(this.tmpDir, fileId);
    const fh = await fs.promises.open(tmp, 'wx', 0o600).catch((e) => Promise.reject(outOfSpace(e) ?? e));
    try {
      try {
        let batch: Buffer[] = [];
        let batched = 0;
        const flush = async () => {
          let data = batch.length === 1 ? batch[0] : Buffer.concat(batch, batched);
          while (data.length) {
            const { bytesWritten } = await fh.write(data);
            data = data.subarray(bytesWritten);
          }
          batch = [];
          batched = 0;
        };
        for await (const piece of body) {
          batch.push(piece);
          batched += piece.length;
          if (batched >= WRITE_BATCH) await flush();
        }
        if (batched) await flush();
        await fh.sync();
      } finally {
        await fh.close();
      }
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      await fs.promises.rename(tmp, target);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true });
      throw outOfSpace(e) ?? e;
    }
    await this.syncDir(path.dirname(target));
    return fileId;
  }

  private async syncDir(dir: string): Promise<void> {
    const fh = await fs.promises.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /**
   * Opens a file for reading now (so a concurrent replace, which unlinks the old file, cannot pull
   * it away) and streams bytes start..end inclusive.
   */
  open(bucketId: string, fileId: string, start?: number, end?: number): Readable {
    const fd = fs.openSync(this.file(bucketId, fileId), 'r');
    return fs.createReadStream('', { fd, start, end, highWaterMark: 256 * 1024 });
  }

  /** The files' bytes one after another, each opened when its turn comes. */
  async *concat(bucketId: string, fileIds: string[]): AsyncGenerator<Buffer> {
    for (const id of fileIds) yield* this.open(bucketId, id) as AsyncIterable<Buffer>;
  }

  remove(bucketId: string, fileId: string): void {
    fs.rmSync(this.file(bucketId, fileId), { force: true });
  }

  /** Removes temp files, files no object or part names, and folders of buckets that are gone. */
  async sweep(live: LiveFiles): Promise<{ removed: number }> {
    this.init();
    let removed = 0;
    for (const name of fs.readdirSync(this.tmpDir)) {
      fs.rmSync(path.join(this.tmpDir, name), { recursive: true, force: true });
      removed++;
    }
    for (const entry of fs.readdirSync(this.root, { withFileTypes: true })) {
      if (entry.name === 'tmp') continue;
      const full = path.join(this.root, entry.name);
      if (!entry.isDirectory() || !live.bucketIds.has(entry.name)) {
        fs.rmSync(full, { recursive: true, force: true });
        removed++;
        continue;
      }
      for (const file of fs.readdirSync(full)) {
        if (ID.test(file) && (await live.fileInUse(file))) continue;
        fs.rmSync(path.join(full, file), { recursive: true, force: true });
        removed++;
      }
    }
    return { removed };
  }
}
