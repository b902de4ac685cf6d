/**
 * Reading the tar inside a bundle: the first regular file, streamed out, holes and all. The EC2
 * AMI tools and euca2ools 2 make their tars with `tar -S`, so a sparse disk image arrives as a
 * GNU sparse member (type 'S' with its extension blocks, or the pax 0.0/0.1/1.0 forms), which
 * tar-stream's parser does not know; this reader handles those as well as ustar, GNU long names
 * and pax headers. Every byte of the input is consumed, so a digest taken upstream covers the
 * whole stream. (Bundles are written with tar-stream: one plain member, see ./pipeline.)
 */
import { CliError } from '../errors';

/** Where the file's content goes: data in order, and holes (runs of zeros) between. */
export interface TarFileSink {
  data(chunk: Buffer): Promise<void>;
  hole(bytes: number): Promise<void>;
}

export interface TarFile {
  name: string;
  size: number;
}

type SparseMap = { offset: number; size: number }[];

const BLOCK = 512;

function corrupt(why: string): CliError {
  return new CliError('CorruptBundle', `the decrypted bundle is not a valid tar stream: ${why}`);
}

/** Exact reads over an async stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private done = false;
  /** Bytes taken so far. */
  position = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.size < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.buffered.push(next.value);
        this.size += next.value.length;
      }
    }
    return this.size >= n;
  }

  private take(n: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered, this.size);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length ? [rest] : [];
    this.size = rest.length;
    this.position += n;
    return out;
  }

  /** Exactly n bytes, or undefined at a clean end of input. */
  async read(n: number, what: string): Promise<Buffer | undefined> {
    if (await this.fill(n)) return this.take(n);
    if (this.size === 0) return undefined;
    throw corrupt(`it ends inside ${what}`);
  }

  /** n bytes handed on in pieces (a large member is never held whole). */
  async pass(n: number, to: (chunk: Buffer) => Promise<void>, what: string): Promise<void> {
    while (n > 0) {
      if (!(await this.fill(1))) throw corrupt(`it ends inside ${what}`);
      const chunk = this.take(Math.min(n, this.buffered[0].length));
      n -= chunk.length;
      await to(chunk);
    }
  }

  async skip(n: number, what: string): Promise<void> {
    await this.pass(n, async () => undefined, what);
  }

  async drain(): Promise<void> {
    this.buffered = [];
    this.size = 0;
    while (!(await this.source.next()).done);
  }
}

const padding = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

function numeric(b: Buffer, at: number, len: number, what: string): number {
  const field = b.subarray(at, at + len);
  if (field[0] & 0x80) {
    // GNU base-256, for sizes past 8 GiB.
    let v = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i];
    return v;
  }
  const text = field.toString('ascii').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt(`the ${what} field is not a number`);
  return parseInt(text, 8);
}

function str(b: Buffer, at: number, len: number): string {
  const field = b.subarray(at, at + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return numeric(h, 148, 8, 'checksum') === sum;
}

function parsePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    const len = parseInt(buf.subarray(at, space).toString('ascii'), 10);
    if (space < 0 || !(len > 0)) break;
    const record = buf.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

/** Old GNU sparse ('S'): four map entries in the header, more in extension blocks. */
async function oldGnuSparseMap(h: Buffer, reader: ByteReader): Promise<SparseMap> {
  const map: SparseMap = [];
  const entries = (b: Buffer, at: number, count: number) => {
    for (let i = 0; i < count; i++) {
      const offset = numeric(b, at + i * 24, 12, 'sparse offset');
      const size = numeric(b, at + i * 24 + 12, 12, 'sparse size');
      if (offset === 0 && size === 0 && b[at + i * 24] === 0) break;
      map.push({ offset, size });
    }
  };
  entries(h, 386, 4);
  let extended = h[482] !== 0;
  while (extended) {
    const ext = await reader.read(BLOCK, 'a sparse header');
    if (!ext) throw corrupt('it ends inside a sparse header');
    entries(ext, 0, 21);
    extended = ext[504] !== 0;
  }
  return map;
}

/** pax sparse 1.0: the map is at the start of the data, as decimal lines padded to a block. */
async function pax10SparseMap(reader: ByteReader): Promise<SparseMap> {
  let text = '';
  const numbers: number[] = [];
  let wanted = Infinity;
  while (numbers.length < wanted) {
    const block = await reader.read(BLOCK, 'a sparse map');
    if (!block) throw corrupt('it ends inside a sparse map');
    text += block.toString('ascii');
    const lines = text.split('\n');
    text = lines.pop()!;
    for (const l of lines) {
      numbers.push(Number(l));
      if (numbers.length === 1) wanted = 1 + 2 * numbers[0];
      if (numbers.length >= wanted) break;
    }
  }
  const map: SparseMap = [];
  for (let i = 1; i < wanted; i += 2) map.push({ offset: numbers[i], size: numbers[i + 1] });
  return map;
}

function paxSparseMap(pax: Record<string, string>): SparseMap | undefined {
  if (pax['GNU.sparse.map'] !== undefined) {
    const n = pax['GNU.sparse.map'].split(',').filter(Boolean).map(Number);
    const map: SparseMap = [];
    for (let i = 0; i + 1 < n.length; i += 2) map.push({ offset: n[i], size: n[i + 1] });
    return map;
  }
  return undefined;
}

/** Skips what is left of a member whose data began at `start`, and its padding. */
async function finishMember(reader: ByteReader, start: number, size: number): Promise<void> {
  const rest = start + size + padding(size) - reader.position;
  if (rest < 0) throw corrupt('a sparse map does not fit its member');
  await reader.skip(rest, 'the image');
}

async function emitSparse(reader: ByteReader, map: SparseMap, realSize: number, sink: TarFileSink): Promise<void> {
  let at = 0;
  for (const region of map) {
    if (region.offset < at) throw corrupt('its sparse map goes backwards');
    if (region.offset > at) await sink.hole(region.offset - at);
    await reader.pass(region.size, (c) => sink.data(c), 'a sparse file');
    at = region.offset + region.size;
  }
  if (realSize > at) await sink.hole(realSize - at);
}

/**
 * Streams the first regular file of the tar to `sink` and reads the rest of the input to its end.
 * Undefined when the tar holds no regular file.
 */
export async function extractFirstFile(input: AsyncIterable<Buffer>, sink: TarFileSink): Promise<TarFile | undefined> {
  const reader = new ByteReader(input[Symbol.asyncIterator]());
  let found: TarFile | undefined;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    const h = await reader.read(BLOCK, 'a header');
    if (!h || h.every((b) => b === 0)) break; // end of archive (the zero blocks after it are drained)
    if (!checksumOk(h)) throw corrupt('a header checksum is wrong');
    const type = String.fromCharCode(h[156] || 0x30);
    let size = numeric(h, 124, 12, 'size');
    if (pax.size !== undefined) size = Number(pax.size);
    const ustarPrefix = h.subarray(257, 263).toString('binary') === 'ustar\x0000' ? str(h, 345, 155) : '';
    const name = pax.path ?? longName ?? (ustarPrefix ? `${ustarPrefix}/${str(h, 0, 100)}` : str(h, 0, 100));

    if (type === 'L' || type === 'x' || type === 'g') {
      const body = (await reader.read(size + padding(size), 'an extended header'))!.subarray(0, size);
      if (type === 'L') longName = str(body, 0, body.length);
      if (type === 'x') pax = { ...pax, ...parsePax(body) };
      continue;
    }
    const isFile = type === '0' || type === '7' || type === 'S';
    if (isFile && !found) {
      const start = reader.position; // after the header: the member's data begins here
      if (type === 'S') {
        const map = await oldGnuSparseMap(h, reader);
        const realSize = numeric(h, 483, 12, 'real size');
        found = { name, size: realSize };
        const dataStart = reader.position; // extension blocks are not part of the size
        await emitSparse(reader, map, realSize, sink);
        await finishMember(reader, dataStart, size);
      } else if (pax['GNU.sparse.major'] === '1' && pax['GNU.sparse.minor'] === '0') {
        const map = await pax10SparseMap(reader);
        const realSize = Number(pax['GNU.sparse.realsize']);
        found = { name: pax['GNU.sparse.name'] ?? name, size: realSize };
        await emitSparse(reader, map, realSize, sink);
      } else if (paxSparseMap(pax)) {
        const realSize = Number(pax['GNU.sparse.size'] ?? pax['GNU.sparse.realsize']);
        found = { name: pax['GNU.sparse.name'] ?? name, size: realSize };
        await emitSparse(reader, paxSparseMap(pax)!, realSize, sink);
      } else {
        found = { name, size };
        await reader.pass(size, (c) => sink.data(c), 'the image');
      }
      if (type !== 'S') await finishMember(reader, start, size);
    } else {
      if (type === 'S') await oldGnuSparseMap(h, reader); // its extension blocks precede the data
      await reader.skip(size + padding(size), 'a member');
    }
    longName = undefined;
    pax = {};
  }
  await reader.drain();
  return found;
}
