/**
 * Opening a bundle, streaming: parts (from a reader function, so the same code serves a folder,
 * Walrus objects, or the cloud decrypting a registered image) → AES-128-CBC decryption → gunzip →
 * SHA1 of the tar stream → the tar's one file (sparse ones too) → the output. Each part is read whole (10 MiB) and
 * checked against its SHA1 before any of it goes further, so a tampered or truncated part is named
 * as such instead of surfacing as a decryption error; the image digest and size are checked at the
 * end. An output path is written atomically: a temp file beside it, renamed when all checks pass,
 * removed on any failure.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { CliError } from '../errors';
import type { Manifest } from './manifest';
import { extractFirstFile, type TarFile, type TarFileSink } from './tar-reader';

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
    if (code === 'ENOENT' || code === 'NoSuchKey')
      throw new CliError('MissingBundlePart', `bundle part ${name} does not exist`);
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
      throw new CliError(
        'CorruptBundle',
        `bundle part ${part.filename} is corrupt: its SHA1 is ${actual}, the manifest says ${part.digest}`,
      );
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
interface Destination extends TarFileSink {
  commit(): Promise<void>;
  abort(err: Error): Promise<void>;
}

const ZEROS = Buffer.alloc(1 << 20);

/** A temp file beside the target; holes stay holes (the file is as sparse as the image was). */
async function fileDestination(file: string): Promise<Destination> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.unbundle-${process.pid}-${Date.now()}`);
  const fh = await fs.promises.open(tmp, 'wx', 0o644);
  let position = 0;
  let open = true;
  const close = async () => {
    if (open) {
      open = false;
      await fh.close();
    }
  };
  return {
    async data(chunk) {
      await fh.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    },
    async hole(bytes) {
      position += bytes;
    },
    async commit() {
      await fh.truncate(position); // a trailing hole
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
  const write = async (chunk: Buffer) => {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  };
  return {
    data: write,
    async hole(bytes) {
      for (; bytes > 0; bytes -= ZEROS.length) await write(bytes >= ZEROS.length ? ZEROS : ZEROS.subarray(0, bytes));
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
  if (
    /bad decrypt|wrong final block length/i.test(err.message ?? '') ||
    String(err.code ?? '').startsWith('ERR_OSSL')
  ) {
    return new CliError('CorruptBundle', 'cannot decrypt the bundle: the key does not fit or the parts are damaged');
  }
  if (String(err.code ?? '').startsWith('Z_'))
    return new CliError('CorruptBundle', `the decrypted bundle is not valid gzip data (${err.message})`);
  return err instanceof Error ? err : new Error(String(e));
}

/** Unbundles an image: verifies every part, the image digest and size; writes the image. */
export async function unbundle(opts: UnbundleOptions): Promise<UnbundleResult> {
  const { manifest } = opts;
  const dest = typeof opts.output === 'string' ? await fileDestination(opts.output) : streamDestination(opts.output);
  const tap = new Sha1Tap();
  let file: TarFile | undefined;
  try {
    await pipeline(
      verifiedParts(opts),
      createDecipheriv('aes-128-cbc', opts.key, opts.iv),
      zlib.createGunzip(),
      tap,
      async (tar: AsyncIterable<Buffer>) => {
        file = await extractFirstFile(tar, dest);
      },
      { signal: opts.signal },
    );
    if (!file) throw new CliError('CorruptBundle', 'the bundle holds no image file');
    const size = file.size;
    const digest = tap.hash.digest('hex');
    if (digest !== manifest.image.digest.toLowerCase()) {
      throw new CliError(
        'CorruptBundle',
        `the unbundled image's SHA1 digest is ${digest}, the manifest says ${manifest.image.digest}`,
      );
    }
    if (size !== manifest.image.size)
      throw new CliError(
        'CorruptBundle',
        `the unbundled image is ${size} bytes, the manifest says ${manifest.image.size}`,
      );
    await dest.commit();
    return { name: manifest.image.name, size, digest, path: typeof opts.output === 'string' ? opts.output : undefined };
  } catch (e) {
    const err = asBundleError(e);
    await dest.abort(err);
    throw err;
  }
}
