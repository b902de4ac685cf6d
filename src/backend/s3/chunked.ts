/**
 * Decoding `Content-Encoding: aws-chunked` bodies, streaming: strips the framing
 * (`<hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n` ... `0...\r\n<trailers>\r\n`), verifies each
 * chunk's signature against the chain that starts at the request's own signature
 * (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), and reads the trailing headers (checksums) of the
 * *-TRAILER forms, verifying x-amz-trailer-signature when the trailer is signed. Data is yielded as
 * it arrives; a chunk's signature is checked when its last byte has been seen, so nothing may be
 * committed before the generator has finished.
 */
import { createHash, createHmac, type Hash, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../errors';

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export type ChunkedMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

/** What the request's SigV4 header gives the chunk signatures to chain from. */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

export interface ChunkedOptions {
  mode: ChunkedMode;
  /** Required for the signed modes. */
  signing?: ChunkSigning;
  /** Receives the trailing headers (lower-case names, without the trailer signature). */
  onTrailers?: (headers: Record<string, string>) => void;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** A size line or a trailer line longer than this is not a client speaking aws-chunked. */
const MAX_LINE = 4096;
const CRLF = Buffer.from('\r\n');

const malformed = (why: string) => new ServiceError('InvalidRequest', `Malformed aws-chunked body: ${why}`);
const badSignature = () =>
  new ServiceError(
    'SignatureDoesNotMatch',
    'The chunk signature we calculated does not match the signature you provided. Check your AWS Secret ' +
      'Access Key and signing method.',
    403,
  );

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function chunkSignature(s: ChunkSigning, previous: string, dataSha256Hex: string): string {
  const text = ['AWS4-HMAC-SHA256-PAYLOAD', s.amzDate, s.scope, previous, EMPTY_SHA256, dataSha256Hex].join('\n');
  return createHmac('sha256', s.signingKey).update(text, 'utf8').digest('hex');
}

export function trailerSignature(s: ChunkSigning, previous: string, trailers: Record<string, string>): string {
  const canonical = Object.keys(trailers)
    .sort()
    .map((k) => `${k}:${trailers[k]}\n`)
    .join('');
  const text = [
    'AWS4-HMAC-SHA256-TRAILER',
    s.amzDate,
    s.scope,
    previous,
    createHash('sha256').update(canonical, 'utf8').digest('hex'),
  ].join('\n');
  return createHmac('sha256', s.signingKey).update(text, 'utf8').digest('hex');
}

function parseSizeLine(line: string, signed: boolean): { size: number; signature?: string } {
  const [sizeText, ...extensions] = line.split(';');
  if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText.trim())) throw malformed('bad chunk size');
  let signature: string | undefined;
  for (const ext of extensions) {
    const eq = ext.indexOf('=');
    if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') signature = ext.slice(eq + 1).trim();
  }
  if (signed && !signature) throw malformed('a chunk has no chunk-signature');
  return { size: parseInt(sizeText, 16), signature };
}

export async function* decodeAwsChunked(source: AsyncIterable<Buffer>, opts: ChunkedOptions): AsyncGenerator<Buffer> {
  const signed = opts.mode !== 'unsigned-trailer';
  if (signed && !opts.signing)
    throw new ServiceError(
      'InvalidRequest',
      'Signed aws-chunked payloads need a Signature Version 4 Authorization header',
    );
  const signing = opts.signing!;
  let previous = signing?.seedSignature ?? '';
  let pending: Buffer = Buffer.alloc(0);
  let state = 'size' as State;
  let remaining = 0;
  let expected: string | undefined;
  let hash: Hash | undefined;
  const trailers: Record<string, string> = {};
  let trailerSig: string | undefined;

  const verifyChunk = (sha256Hex: string) => {
    if (!signed) return;
    const sig = chunkSignature(signing, previous, sha256Hex);
    if (!sameHex(sig, expected!)) throw badSignature();
    previous = sig;
  };

  const takeLine = (): string | undefined => {
    const i = pending.indexOf(CRLF);
    if (i < 0) {
      if (pending.length > MAX_LINE) throw malformed('line too long');
      return undefined;
    }
    if (i > MAX_LINE) throw malformed('line too long');
    const line = pending.subarray(0, i).toString('latin1');
    pending = pending.subarray(i + 2);
    return line;
  };

  const finish = () => {
    if (opts.mode === 'signed' && Object.keys(trailers).length)
      throw malformed('trailing headers in a payload without trailers');
    if (opts.mode === 'signed-trailer') {
      if (!trailerSig) throw malformed('the trailer has no x-amz-trailer-signature');
      if (!sameHex(trailerSignature(signing, previous, trailers), trailerSig)) throw badSignature();
    }
    opts.onTrailers?.(trailers);
    state = 'done';
  };

  for await (const piece of source) {
    pending = pending.length ? Buffer.concat([pending, piece]) : piece;
    for (;;) {
      if (state === 'size') {
        const line = takeLine();
        if (line === undefined) break;
        const { size, signature } = parseSizeLine(line, signed);
        expected = signature;
        if (size === 0) {
          verifyChunk(EMPTY_SHA256);
          state = 'trailer';
        } else {
          remaining = size;
          hash = signed ? createHash('sha256') : undefined;
          state = 'data';
        }
      } else if (state === 'data') {
        if (!pending.length) break;
        const take = Math.min(remaining, pending.length);
        const data = pending.subarray(0, take);
        pending = pending.subarray(take);
        remaining -= take;
        hash?.update(data);
        yield data;
        if (remaining === 0) state = 'data-end';
      } else if (state === 'data-end') {
        if (pending.length < 2) break;
        if (pending[0] !== 0x0d || pending[1] !== 0x0a) throw malformed('chunk data is longer than its size');
        pending = pending.subarray(2);
        if (signed) verifyChunk(hash!.digest('hex'));
        state = 'size';
      } else if (state === 'trailer') {
        const line = takeLine();
        if (line === undefined) break;
        if (line === '') {
          finish();
          continue;
        }
        const colon = line.indexOf(':');
        if (colon <= 0) throw malformed('bad trailing header');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'x-amz-trailer-signature') trailerSig = value;
        else trailers[name] = value;
      } else {
        // After the end only blank padding may follow.
        if (pending.toString('latin1').trim()) throw malformed('data after the final chunk');
        pending = Buffer.alloc(0);
        break;
      }
    }
  }
  // Some clients end the body right after the last trailing header, without the blank line.
  const ended = state as State;
  if (ended === 'trailer' && !pending.toString('latin1').trim()) finish();
  if ((state as State) !== 'done')
    throw new ServiceError('IncompleteBody', 'The request body ended before the final aws-chunked chunk');
}
