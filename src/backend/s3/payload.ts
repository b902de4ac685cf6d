/**
 * A request body as Walrus consumes it: decoded from aws-chunked when the client framed it so,
 * and checked while it streams against everything the request promised about it: the SHA-256 in
 * x-amz-content-sha256 (SigV4), Content-MD5, an x-amz-checksum-* header or trailer, the declared
 * length and the size limit. The checks of the whole body fail at its end, so whoever writes it
 * (to a temp file) must not commit anything until iteration has finished; the MD5 (the ETag)
 * and the checksum are in `result` by then.
 */
import { ServiceError } from '../errors';
import { DigestStream } from './body-digests';
import { CHECKSUM_BYTES, type ChecksumAlgorithm, isChecksumAlgorithm } from './checksums';
import { type ChunkedMode, type ChunkSigning, decodeAwsChunked } from './chunked';
import type { Checksum } from './store';

export interface PayloadResult {
  size: number;
  md5: Buffer;
  checksum?: Checksum;
}

const STREAMING: Record<string, ChunkedMode> = {
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': 'signed',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': 'signed-trailer',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': 'unsigned-trailer',
};

const CHECKSUM_NAMES: Record<ChecksumAlgorithm, string> = {
  crc32: 'CRC32',
  crc32c: 'CRC32C',
  crc64nvme: 'CRC64NVME',
  sha1: 'SHA1',
  sha256: 'SHA256',
};

function integerHeader(headers: Record<string, string>, name: string): number | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v.trim()))
    throw new ServiceError('InvalidArgument', `The ${name} header is not a valid length`);
  return Number(v.trim());
}

function checkChecksumValue(algorithm: ChecksumAlgorithm, value: string): void {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || Buffer.from(value, 'base64').length !== CHECKSUM_BYTES[algorithm]) {
    throw new ServiceError('InvalidRequest', `Value for x-amz-checksum-${algorithm} header is invalid.`);
  }
}

/** The checksum algorithm a request declares, from its x-amz-checksum-* header or x-amz-trailer. */
function declaredChecksum(
  headers: Record<string, string>,
  trailing: boolean,
): { algorithm: ChecksumAlgorithm; value?: string; inTrailer: boolean } | undefined {
  const named = Object.keys(headers).filter(
    (h) =>
      h.startsWith('x-amz-checksum-') &&
      h !== 'x-amz-checksum-algorithm' &&
      h !== 'x-amz-checksum-type' &&
      h !== 'x-amz-checksum-mode',
  );
  const trailer = headers['x-amz-trailer']?.trim().toLowerCase();
  if (named.length + (trailer ? 1 : 0) > 1)
    throw new ServiceError(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  if (trailer) {
    if (!trailing)
      throw new ServiceError(
        'InvalidRequest',
        'x-amz-trailer is only allowed with aws-chunked payloads that have trailers',
      );
    const algorithm = trailer.replace(/^x-amz-checksum-/, '');
    if (!trailer.startsWith('x-amz-checksum-') || !isChecksumAlgorithm(algorithm))
      throw new ServiceError(
        'InvalidRequest',
        `The value specified in the x-amz-trailer header is not supported: ${trailer}`,
      );
    return { algorithm, inTrailer: true };
  }
  if (!named.length) return undefined;
  const algorithm = named[0].slice('x-amz-checksum-'.length);
  if (!isChecksumAlgorithm(algorithm))
    throw new ServiceError('InvalidRequest', `The checksum header ${named[0]} is not supported`);
  checkChecksumValue(algorithm, headers[named[0]].trim());
  return { algorithm, value: headers[named[0]].trim(), inTrailer: false };
}

async function* guarded(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const piece of source) yield piece;
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw new ServiceError('IncompleteBody', 'The request body ended before the length it declared');
  }
}

export class RequestPayload implements AsyncIterable<Buffer> {
  /** The length the request declares (decoded), when it declares one. */
  readonly declaredSize?: number;
  result?: PayloadResult;
  private consumed = false;
  private readonly mode?: ChunkedMode;
  private readonly sha256?: string;
  private readonly md5?: Buffer;
  private readonly checksum?: { algorithm: ChecksumAlgorithm; value?: string; inTrailer: boolean };

  /** The additional checksum the request declares (header or trailer), checked as the body streams. */
  get checksumAlgorithm(): ChecksumAlgorithm | undefined {
    return this.checksum?.algorithm;
  }

  /**
   * `signing` is the request's SigV4 header signature, when it had one (signed chunks chain from
   * it); `limit` the most bytes this operation accepts.
   */
  constructor(
    private readonly source: AsyncIterable<Buffer>,
    headers: Record<string, string>,
    private readonly signing: ChunkSigning | undefined,
    private readonly limit: number,
  ) {
    const declared = headers['x-amz-content-sha256'];
    const chunkedEncoding = /(^|,)\s*aws-chunked\s*(,|$)/i.test(headers['content-encoding'] ?? '');
    if (
      declared !== undefined &&
      !/^[0-9a-f]{64}$/i.test(declared) &&
      declared !== 'UNSIGNED-PAYLOAD' &&
      !STREAMING[declared]
    ) {
      if (declared.startsWith('STREAMING-AWS4-ECDSA'))
        throw new ServiceError('NotImplemented', 'Signature Version 4A payloads are not supported', 501);
      throw new ServiceError(
        'InvalidArgument',
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, ' +
          'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.',
      );
    }
    if (declared && STREAMING[declared]) this.mode = STREAMING[declared];
    // aws-chunked framing without a STREAMING-* declaration: only when nothing else is declared (a
    // payload hash or UNSIGNED-PAYLOAD says the body is the object's bytes as they are).
    else if (chunkedEncoding && declared === undefined) this.mode = 'unsigned-trailer';
    if (declared && /^[0-9a-f]{64}$/i.test(declared)) this.sha256 = declared.toLowerCase();
    if (this.mode && this.mode !== 'unsigned-trailer' && !signing)
      throw new ServiceError('InvalidRequest', `${declared} needs a Signature Version 4 Authorization header`);

    const md5 = headers['content-md5'];
    if (md5 !== undefined) {
      const bytes = Buffer.from(md5.trim(), 'base64');
      if (bytes.length !== 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(md5.trim()))
        throw new ServiceError('InvalidDigest', 'The Content-MD5 you specified was invalid.');
      this.md5 = bytes;
    }
    this.checksum = declaredChecksum(headers, this.mode === 'signed-trailer' || this.mode === 'unsigned-trailer');
    this.declaredSize = this.mode
      ? integerHeader(headers, 'x-amz-decoded-content-length')
      : integerHeader(headers, 'content-length');
    if (this.mode === 'signed' && this.declaredSize === undefined)
      throw new ServiceError(
        'MissingContentLength',
        'You must provide the x-amz-decoded-content-length header with aws-chunked payloads.',
        411,
      );
    if (this.declaredSize !== undefined && this.declaredSize > limit) throw this.tooLarge();
  }

  private tooLarge(): ServiceError {
    return new ServiceError(
      'EntityTooLarge',
      `Your proposed upload exceeds the maximum allowed size of ${this.limit} bytes`,
    );
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (this.consumed) throw new Error('a request body can be read once');
    this.consumed = true;
    let trailers: Record<string, string> = {};
    const body = this.mode
      ? decodeAwsChunked(guarded(this.source), {
          mode: this.mode,
          signing: this.signing,
          onTrailers: (t) => (trailers = t),
        })
      : guarded(this.source);
    const digests = new DigestStream({ sha256: !!this.sha256, checksum: this.checksum?.algorithm });
    let size = 0;
    let finished = false;
    try {
      for await (const piece of body) {
        size += piece.length;
        if (size > this.limit) throw this.tooLarge();
        const behind = digests.update(piece);
        yield piece;
        if (behind) await behind;
      }
      finished = true;
    } finally {
      if (!finished) digests.abandon();
    }
    const { md5: digest, sha256, checksum: actual } = await digests.finish();
    if (this.declaredSize !== undefined && size !== this.declaredSize) {
      throw new ServiceError('IncompleteBody', `The body has ${size} bytes; the request declared ${this.declaredSize}`);
    }
    if (this.sha256 && sha256 !== this.sha256) {
      throw new ServiceError(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    if (this.md5 && !digest.equals(this.md5))
      throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    let checksum: Checksum | undefined;
    if (this.checksum && actual) {
      const { algorithm } = this.checksum;
      let expected = this.checksum.value;
      if (this.checksum.inTrailer) {
        expected = trailers[`x-amz-checksum-${algorithm}`];
        if (expected === undefined)
          throw new ServiceError(
            'InvalidRequest',
            `The x-amz-checksum-${algorithm} trailer named by x-amz-trailer was not sent`,
          );
        checkChecksumValue(algorithm, expected);
      }
      if (actual !== expected)
        throw new ServiceError(
          'BadDigest',
          `The ${CHECKSUM_NAMES[algorithm]} you specified did not match the calculated checksum.`,
        );
      checksum = { algorithm, value: actual };
    }
    this.result = { size, md5: digest, checksum };
  }

  /** The whole body in memory, for the small XML documents some operations take. */
  async readAll(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const piece of this) parts.push(piece);
    return Buffer.concat(parts);
  }
}
