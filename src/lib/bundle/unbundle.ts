/**
 * Opening a bundle, streaming: parts (from a reader function, so the same code serves a folder,
 * Walrus objects, or the cloud decrypting a registered image) → AES-128-CBC decryption → gunzip →
 * SHA1 of the tar stream → the tar's one file → the output. Each part is read whole (10 MiB) and
 * checked against its SHA1 before any of it goes further, so a tampered or truncated part is named
 * as such instead of surfacing as a decryption error; the image digest and size are checked at the
 * end. An output path is written atomically: a temp file beside it, renamed when all checks pass,
 * removed on any failure.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform, TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tarStream from 'tar-stream';
import { CliError } from '../errors';
import type { Manifest } from './manifest';

export interface UnbundleOptions {
  manifest: Manifest;
  key: Buffer;
  iv: Buffer;
  /** Opens a part by its file name from the manifest. */
  readPart: (name: string) => Readable | Promise<Readable>;
  /** A path (written atomically) or a stream (ended on success, destroyed on failure). */
  output: Writable | string;
  /** Called with the bundled bytes read so far. */
  onProgress?: (bytes: number) => void;
  /** Called as each part passes its digest check. */
  onPartDone?: (name: string) => void;
  /** Stops the work; an output path is then left untouched. */
  signal?: AbortSignal;
}

export interface UnbundleResult {
  /** The image's file name as the manifest gives it. */
  name: string;
  size: number;
  /** SHA1 of the tar stream, hex. */
  digest: string;
  /** The file written, when output was a path. */
  path?: string;
}

async function readWholePart(opts: UnbundleOptions, name: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  try {
    const stream = await opts.readPart(name);
    for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'NoSuchKey') throw new CliError('MissingBundlePart', `bundle part ${name} does not exist`);
    throw new CliError('MissingBundlePart', `cannot read bundle part ${name}: ${code ?? (e as Error).message}`);
  }
  return chunks;
}

/** The parts in order, each verified against its digest before it is released. */
async function* verifiedParts(opts: UnbundleOptions): AsyncGenerator<Buffer> {
  let bytes = 0;
  for (const part of opts.manifest.image.parts) {
    const chunks = await readWholePart(opts, part.filename);
    const hash = createHash('sha1');
    for (const c of chunks) hash.update(c);
    const actual = hash.digest('hex');
    if (actual !== part.digest) {
      throw new CliError('CorruptBundle', `bundle part ${part.filename} is corrupt: its SHA1 is ${actual}, the manifest says ${part.digest}`);
    }
    opts.onPartDone?.(part.filename);
    for (const c of chunks) {
      bytes += c.length;
      yield c;
    }
    opts.onProgress?.(bytes);
  }
}

class Sha1Tap extends Transform {
  readonly hash = createHash('sha1');
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/** Where the image goes: a temp file renamed into place, or the caller's stream. */
interface Destination {
  write(chunk: Buffer): Promise<void>;
  commit(): Promise<void>;
  abort(err: Error): Promise<void>;
}

async function fileDestination(file: string): Promise<Destination> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.unbundle-${process.pid}-${Date.now()}`);
  const fh = await fs.promises.open(tmp, 'wx', 0o644);
  let open = true;
  const close = async () => {
    if (open) {
      open = false;
      await fh.close();
    }
  };
  return {
    async write(chunk) {
      await fh.write(chunk);
    },
    async commit() {
      await fh.sync();
      await close();
      await fs.promises.rename(tmp, file);
    },
    async abort() {
      await close().catch(() => undefined);
      await fs.promises.rm(tmp, { force: true });
    },
  };
}

function streamDestination(out: Writable): Destination {
  return {
    async write(chunk) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    },
    async commit() {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    },
    async abort(err) {
      out.destroy(err);
    },
  };
}

function asBundleError(e: unknown): Error {
  if (e instanceof CliError) return e;
  const err = e as NodeJS.ErrnoException;
  if (/bad decrypt|wrong final block length/i.test(err.message ?? '') || String(err.code ?? '').startsWith('ERR_OSSL')) {
    return new CliError('CorruptBundle', 'cannot decrypt the bundle: the key does not fit or the parts are damaged');
  }
  if (String(err.code ?? '').startsWith('Z_')) return new CliError('CorruptBundle', `the decrypted bundle is not valid gzip data (${err.message})`);
  if (/tar|header/i.test(err.message ?? '')) return new CliError('CorruptBundle', `the decrypted bundle is not a valid tar stream (${err.message})`);
  return err instanceof Error ? err : new Error(String(e));
}

/** Unbundles an image: verifies every part, the image digest and size; writes the image. */
export async function unbundle(opts: UnbundleOptions): Promise<UnbundleResult> {
  const { manifest } = opts;
  const dest = typeof opts.output === 'string' ? await fileDestination(opts.output) : streamDestination(opts.output);
  const tap = new Sha1Tap();
  // A streamx Writable and async iterable of entries; typed here as far as it is used.
  const extract = tarStream.extract() as unknown as {
    write(chunk: Buffer): boolean;
    end(): void;
    once(event: 'drain', f: () => void): void;
    destroy(err?: Error): void;
    [Symbol.asyncIterator](): AsyncIterator<AsyncIterable<Buffer> & { header: { type?: string | null }; resume(): void }>;
  };
  // Feeds the tar parser with backpressure; the parser is a streamx stream, not a Node one.
  const feeder = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, done) {
      if (extract.write(chunk)) done();
      else extract.once('drain', () => done());
    },
    final(done) {
      extract.end();
      done();
    },
  });
  const readImage = async (): Promise<number> => {
    let size = -1;
    for await (const entry of extract) {
      if (size < 0 && (entry.header.type === 'file' || entry.header.type === 'contiguous-file')) {
        size = 0;
        for await (const chunk of entry) {
          size += chunk.length;
          await dest.write(chunk);
        }
      } else {
        entry.resume();
      }
    }
    return size;
  };
  try {
    // Either side failing stops the other: the decoder tears down the parser and vice versa.
    const stop = new AbortController();
    opts.signal?.addEventListener('abort', () => stop.abort(opts.signal!.reason));
    const decoding = pipeline(verifiedParts(opts), createDecipheriv('aes-128-cbc', opts.key, opts.iv), zlib.createGunzip(), tap, feeder, { signal: stop.signal });
    const reading = readImage();
    const [, size] = await Promise.all([
      decoding.catch((e) => {
        extract.destroy(e);
        throw e;
      }),
      reading.catch((e) => {
        stop.abort();
        throw e;
      }),
    ]);
    if (size < 0) throw new CliError('CorruptBundle', 'the bundle holds no image file');
    const digest = tap.hash.digest('hex');
    if (digest !== manifest.image.digest.toLowerCase()) {
      throw new CliError('CorruptBundle', `the unbundled image's SHA1 digest is ${digest}, the manifest says ${manifest.image.digest}`);
    }
    if (size !== manifest.image.size) throw new CliError('CorruptBundle', `the unbundled image is ${size} bytes, the manifest says ${manifest.image.size}`);
    await dest.commit();
    return { name: manifest.image.name, size, digest, path: typeof opts.output === 'string' ? opts.output : undefined };
  } catch (e) {
    const err = asBundleError(e);
    await dest.abort(err);
    throw err;
  }
}
