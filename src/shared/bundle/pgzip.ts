/**
 * Parallel gzip, the way pigz does it: the input is cut into blocks, each block is deflated on
 * its own (level 6, pigz's default) with the 32 KiB before it as a preset dictionary, so the
 * blocks compress concurrently on libuv's thread pool and still compress almost as well as one
 * stream. Every block but the last ends with a sync flush (byte-aligned, no final bit), the last
 * with Z_FINISH, so the raw blocks concatenate into one deflate stream; a gzip header and a
 * trailer with the CRC32 and length of the whole input make it one ordinary gzip member that
 * gunzip, zlib and every EC2 tool read.
 */
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';

/** pigz uses 128 KiB; bigger blocks mean fewer thread-pool hops for the same ratio (measured). */
export const GZIP_BLOCK_SIZE = 512 * 1024;
/** libuv's 4 pool threads busy, and 2 more blocks queued so that none waits between blocks. */
const DEFAULT_CONCURRENCY = 6;
const DICTIONARY_SIZE = 32 * 1024;
/** CRC-32 as gzip uses it: zlib's (Node 20.15 and later), else a table-driven one. */
const crc32: (data: Buffer, value: number) => number =
  (zlib as { crc32?: (data: Buffer, value: number) => number }).crc32 ??
  (() => {
    const table = new Int32Array(256).map((_, n) => {
      for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
      return n;
    });
    return (data: Buffer, value: number) => {
      let c = ~value;
      for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
      return ~c >>> 0;
    };
  })();

/** No mtime, no name, Unix: what gzip and pigz write for a stream read from a pipe. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);

export interface ParallelGzipOptions {
  level?: number;
  blockSize?: number;
  /** Blocks being compressed at once; the rest wait. Bounds memory as well as threads. */
  concurrency?: number;
}

function deflateBlock(block: Buffer, dictionary: Buffer | undefined, last: boolean, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zlib.deflateRaw(
      block,
      { level, dictionary, finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH },
      (err, out) => (err ? reject(err) : resolve(out)),
    ),
  );
}

/** A Transform from bytes to one gzip member, compressing blocks concurrently, output in order. */
export class ParallelGzip extends Transform {
  private readonly level: number;
  private readonly blockSize: number;
  private readonly concurrency: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private previousTail: Buffer | undefined;
  private readonly inFlight: Promise<Buffer>[] = [];
  private crc = 0;
  private length = 0;
  private headerWritten = false;

  constructor(opts: ParallelGzipOptions = {}) {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    this.level = opts.level ?? 6;
    this.blockSize = opts.blockSize ?? GZIP_BLOCK_SIZE;
    this.concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    this.length += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.drainFullBlocks().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    (async () => {
      await this.drainFullBlocks();
      this.startBlock(this.takeBlock(this.pendingBytes), true);
      while (this.inFlight.length) this.pushCompressed(await this.inFlight.shift()!);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.crc >>> 0, 0);
      trailer.writeUInt32LE(this.length % 2 ** 32, 4);
      this.push(trailer);
    })().then(() => done(), done);
  }

  private async drainFullBlocks(): Promise<void> {
    while (this.pendingBytes >= this.blockSize) {
      // A full block with nothing after it yet may be the last one, which ends with Z_FINISH:
      // it waits for more input or the end.
      if (this.pendingBytes === this.blockSize) break;
      this.startBlock(this.takeBlock(this.blockSize), false);
      while (this.inFlight.length >= this.concurrency) this.pushCompressed(await this.inFlight.shift()!);
    }
  }

  private takeBlock(size: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const block = all.subarray(0, size);
    const rest = all.subarray(size);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return block;
  }

  private startBlock(block: Buffer, last: boolean): void {
    const dictionary = this.previousTail;
    // The next block's dictionary: the last 32 KiB of input, copied out of buffers still in use.
    const tail = block.length >= DICTIONARY_SIZE ? block : Buffer.concat([dictionary ?? Buffer.alloc(0), block]);
    this.previousTail = Buffer.from(tail.subarray(Math.max(0, tail.length - DICTIONARY_SIZE)));
    const job = deflateBlock(block, dictionary, last, this.level);
    job.catch(() => undefined); // awaited in order later; keep an early failure from being "unhandled"
    this.inFlight.push(job);
  }

  private pushCompressed(out: Buffer): void {
    if (!this.headerWritten) {
      this.push(GZIP_HEADER);
      this.headerWritten = true;
    }
    this.push(out);
  }
}

/** Compresses a whole buffer the parallel way (tests, small inputs). */
export async function parallelGzip(data: Buffer, opts?: ParallelGzipOptions): Promise<Buffer> {
  const gz = new ParallelGzip(opts);
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  gz.end(data);
  await ended;
  return Buffer.concat(out);
}
