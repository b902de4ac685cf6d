/**
 * Bundle parts: the encrypted stream cut into 10 MiB pieces named `<prefix>.part.NN` (two digits
 * at least, counting from 00, as euca2ools names them), each with its SHA1. The splitter hands
 * every finished part to a sink: one that writes the parts into a folder, or a caller's callback
 * (euca-bundle-and-upload-image streams them to Walrus with no part ever on disk). One part is held
 * in memory at a time. (The folder sink and reader are in ./folder.)
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';

export const PART_SIZE = 10 * 1024 * 1024;

export function partName(prefix: string, index: number): string {
  return `${prefix}.part.${String(index).padStart(2, '0')}`;
}

/**
 * Receives each finished part; the bundle waits for it before filling the next one, and reuses
 * `data`'s memory after that, so a sink that keeps the bytes must copy them.
 */
export type PartSink = (name: string, data: Buffer, sha1: string) => Promise<void>;

export interface BundlePart {
  index: number;
  filename: string;
  /** Lowercase hex. */
  sha1: string;
  size: number;
}

/** A Writable that cuts what it is given into parts and hands them to a sink, in order. */
export class PartSplitter extends Writable {
  readonly parts: BundlePart[] = [];
  private buffer: Buffer;
  private filled = 0;

  constructor(
    private readonly prefix: string,
    private readonly sink: PartSink,
    private readonly partSize = PART_SIZE,
  ) {
    super({ highWaterMark: 1 << 20 });
    this.buffer = Buffer.allocUnsafe(partSize);
  }

  get bytes(): number {
    return this.parts.reduce((n, p) => n + p.size, 0);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.take(chunk).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    (this.filled > 0 || this.parts.length === 0 ? this.emitPart() : Promise.resolve()).then(() => done(), done);
  }

  private async take(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.partSize - this.filled);
      chunk.copy(this.buffer, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.partSize) await this.emitPart();
    }
  }

  private async emitPart(): Promise<void> {
    const data = this.buffer.subarray(0, this.filled);
    const part: BundlePart = {
      index: this.parts.length,
      filename: partName(this.prefix, this.parts.length),
      sha1: createHash('sha1').update(data).digest('hex'),
      size: data.length,
    };
    await this.sink(part.filename, data, part.sha1);
    this.parts.push(part);
    this.filled = 0;
  }
}
