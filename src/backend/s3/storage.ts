/**
 * Object bytes in the data dir's files (object-bytes.ts; the default backend):
 * var/lib/eucalyptus/walrus/<bucket-id>/<file-id>, names that are random
 * identifiers and never derived from a key, so no key can reach outside the data dir. A new file
 * is written to walrus/tmp, fsynced and renamed into its bucket's folder; it becomes an object only
 * when the model commits a row naming it, and a failed write removes its temp file before the
 * error goes on. A joined file (<id>.join) lists other files of its bucket, read one after
 * another: a multipart object is its parts. At start-up, sweep() removes temp files and files no
 * row (or joined file in use) names, left by a crash between rename and commit, or between commit
 * and unlink of a replaced file.
 */
import { ServiceError } from '../errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  FILE_ID,
  isJoin,
  joinedRanges,
  joinedSize,
  type JoinedPart,
  type LiveFiles,
  newFileId,
  type ObjectBytes,
} from './object-bytes';

/** Pieces are gathered into writes of about this size: fewer system calls for socket-sized pieces. */
export const WRITE_BATCH = 512 * 1024;
/** Reads are of this size: big enough that a GET costs few system calls and events. */
export const READ_SIZE = 512 * 1024;
/**
 * How many reads of a file are under way at once: the disk works on the next while the socket
 * takes the last (a read at a time held a single GET to about half of dd's rate from the disk).
 */
const READ_AHEAD = 3;
/** How much is written between the background syncs of a large file. */
const EARLY_SYNC = 4 * 1024 * 1024;

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

/** A byte range of an open file, start..end inclusive. */
interface Piece {
  fd: number;
  start: number;
  end: number;
}

const readAt = (fd: number, length: number, position: number) =>
  new Promise<Buffer>((resolve, reject) => {
    const buffer = Buffer.allocUnsafeSlow(length);
    fs.read(fd, buffer, 0, length, position, (e, n) => {
      if (e) reject(e);
      else if (n < length) reject(new Error('a Walrus file is shorter than its object'));
      else resolve(buffer);
    });
  });

/**
 * The pieces' bytes in order, READ_AHEAD reads under way at once. However the reading ends (done,
 * failed, the client gone), every descriptor is closed.
 */
function readAhead(pieces: Piece[]): Readable {
  const reads = (function* () {
    for (const piece of pieces)
      for (let at = piece.start; at <= piece.end; at += READ_SIZE)
        yield () => readAt(piece.fd, Math.min(READ_SIZE, piece.end - at + 1), at);
  })();
  const queue: Promise<Buffer>[] = [];
  /** Every read issued and not yet settled, taken from the queue or not. */
  const underWay = new Set<Promise<unknown>>();
  const fill = () => {
    while (queue.length < READ_AHEAD) {
      const next = reads.next();
      if (next.done) return;
      const read = next.value();
      // A read failing after the stream ended is nobody's error.
      const settled = read.catch(() => undefined).finally(() => underWay.delete(settled));
      underWay.add(settled);
      queue.push(read);
    }
  };
  const stream = new Readable({
    highWaterMark: READ_SIZE,
    read() {
      fill();
      const read = queue.shift();
      if (!read) return void this.push(null);
      read.then(
        (bytes) => this.push(bytes),
        (e: Error) => this.destroy(e),
      );
    },
  });
  stream.once('close', () => {
    // Reads under way finish on descriptors that are still open.
    void Promise.allSettled([...underWay]).then(() => pieces.forEach((p) => fs.close(p.fd, () => undefined)));
  });
  return stream;
}

export class ObjectFiles implements ObjectBytes {
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
  }

  get description(): string {
    return this.root;
  }

  /** Creates the folders; cheap, and safe to call from a process that only reads. */
  async init(): Promise<void> {
    this.makeFolders();
  }

  private folders = false;

  /** The root and temp folders, made once (a write before init() makes them too). */
  private makeFolders(): void {
    for (const dir of [this.root, this.tmpDir]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.folders = true;
  }

  newId(): string {
    return newFileId();
  }

  bucketDir(bucketId: string): string {
    return path.join(this.root, bucketId);
  }

  file(bucketId: string, fileId: string): string {
    if (!FILE_ID.test(bucketId) || !FILE_ID.test(fileId))
      throw new Error(`not a Walrus file id: ${bucketId}/${fileId}`);
    return path.join(this.root, bucketId, fileId);
  }

  async createBucket(bucketId: string): Promise<void> {
    fs.mkdirSync(this.bucketDir(bucketId), { recursive: true, mode: 0o700 });
  }

  async removeBucket(bucketId: string): Promise<void> {
    fs.rmSync(this.bucketDir(bucketId), { recursive: true, force: true });
  }

  /**
   * Writes the body to a new file in the bucket's folder and returns its id. Durable (fsynced,
   * renamed, folder fsynced) when this resolves; if the body throws, no file remains.
   */
  async write(
    bucketId: string,
    body: AsyncIterable<Buffer> | Iterable<Buffer>,
    fileId = this.newId(),
  ): Promise<string> {
    const target = this.file(bucketId, fileId);
    if (!this.folders) this.makeFolders();
    const tmp = path.join(this.tmpDir, fileId);
    const fh = await fs.promises.open(tmp, 'wx', 0o600).catch((e) => Promise.reject(outOfSpace(e) ?? e));
    try {
      try {
        let batch: Buffer[] = [];
        let batched = 0;
        // Writeback starts while the body still arrives: a sync is kept running in the background
        // (one at a time), so the last one, which the object waits for, has little left to do.
        let unsynced = 0;
        let syncing: Promise<void> | undefined;
        // One batch is written while the next is gathered: the body is never kept waiting on the disk.
        let writing: Promise<void> | undefined;
        const writeAll = async (pieces: Buffer[], length: number) => {
          // Gathered, not copied: one writev of the batch's buffers (a short write writes the rest).
          let left = length;
          while (left > 0) {
            const { bytesWritten } = await fh.writev(pieces);
            left -= bytesWritten;
            let skip = bytesWritten;
            while (skip > 0 && pieces.length && skip >= pieces[0].length) skip -= pieces.shift()!.length;
            if (skip > 0) pieces[0] = pieces[0].subarray(skip);
          }
          unsynced += length;
          if (unsynced >= EARLY_SYNC && !syncing) {
            unsynced = 0;
            syncing = fh.datasync().finally(() => (syncing = undefined));
          }
        };
        const flush = async () => {
          await writing;
          writing = writeAll(batch, batched);
          // Failing now or at the next flush: either way the write fails, never unhandled.
          writing.catch(() => undefined);
          batch = [];
          batched = 0;
        };
        try {
          for await (const piece of body) {
            batch.push(piece);
            batched += piece.length;
            if (batched >= WRITE_BATCH) await flush();
          }
          if (batched) await flush();
        } finally {
          // However the body ends, the write and sync under way end before the file is closed.
          await writing?.catch(() => undefined);
          await syncing?.catch(() => undefined);
        }
        await writing;
        await syncing;
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
   * Makes one file of several without copying a byte (a multipart upload's parts become its
   * object): a small durable list of them, which open() reads through and remove() removes with
   * them. The files it lists then belong to it alone.
   */
  async join(bucketId: string, parts: JoinedPart[]): Promise<string> {
    const body = Buffer.from(JSON.stringify(parts.map((p) => ({ fileId: p.fileId, size: p.size }))));
    return this.write(bucketId, [body], `${this.newId()}.join`);
  }

  private joined(bucketId: string, fileId: string): JoinedPart[] {
    return JSON.parse(fs.readFileSync(this.file(bucketId, fileId), 'utf8')) as JoinedPart[];
  }

  /**
   * Opens a file for reading now (so a concurrent replace, which unlinks the old file, cannot pull
   * it away) and streams bytes start..end inclusive. A joined file opens the files it lists that
   * the range reaches, all at once, and streams their bytes in turn.
   */
  async open(bucketId: string, fileId: string, start?: number, end?: number): Promise<Readable> {
    if (!isJoin(fileId)) {
      const fd = fs.openSync(this.file(bucketId, fileId), 'r');
      const to = end ?? fs.fstatSync(fd).size - 1;
      return readAhead([{ fd, start: start ?? 0, end: to }]);
    }
    const parts = this.joined(bucketId, fileId);
    const pieces: Piece[] = [];
    try {
      for (const r of joinedRanges(parts, start ?? 0, end ?? joinedSize(parts) - 1))
        pieces.push({ fd: fs.openSync(this.file(bucketId, r.fileId), 'r'), start: r.start, end: r.end });
    } catch (e) {
      for (const piece of pieces) fs.closeSync(piece.fd);
      throw e;
    }
    return readAhead(pieces);
  }

  /** Removes a file; a joined one with the files it lists. */
  async remove(bucketId: string, fileId: string): Promise<void> {
    if (isJoin(fileId)) {
      let parts: JoinedPart[] = [];
      try {
        parts = this.joined(bucketId, fileId);
      } catch {
        // already gone
      }
      for (const p of parts) fs.rmSync(this.file(bucketId, p.fileId), { force: true });
    }
    fs.rmSync(this.file(bucketId, fileId), { force: true });
  }

  /** Removes a joined file's list alone, the files it listed kept (a join that was not committed). */
  async unjoin(bucketId: string, fileId: string): Promise<void> {
    if (isJoin(fileId)) fs.rmSync(this.file(bucketId, fileId), { force: true });
  }

  /** Removes temp files, files no object or part names, and folders of buckets that are gone. */
  async sweep(live: LiveFiles): Promise<{ removed: number }> {
    this.makeFolders();
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
      const files = fs.readdirSync(full);
      // The files a joined file in use lists are in use with it.
      const listed = new Set<string>();
      for (const file of files)
        if (FILE_ID.test(file) && isJoin(file) && (await live.fileInUse(file)))
          for (const p of this.joined(entry.name, file)) listed.add(p.fileId);
      for (const file of files) {
        if (FILE_ID.test(file) && (listed.has(file) || (await live.fileInUse(file)))) continue;
        fs.rmSync(path.join(full, file), { recursive: true, force: true });
        removed++;
      }
    }
    return { removed };
  }
}
