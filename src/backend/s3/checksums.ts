/**
 * The additional checksums S3 clients send with uploads (x-amz-checksum-crc32, -crc32c,
 * -crc64nvme, -sha1, -sha256; new botocore sends CRC32 by default), computed while the body
 * streams. Values are base64 of the big-endian digest, as the headers carry them. CRC32 comes from
 * zlib; CRC32C and CRC64/NVME are table-driven (reflected polynomials 0x82F63B78 and
 * 0x9A6C9329AC4BC9B5), the 64-bit one in two 32-bit halves to stay off BigInt in the byte loop.
 */
import { createHash, type Hash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { ServiceError } from '../errors';

export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

export interface Checksummer {
  update(data: Buffer): void;
  /** Base64 of the digest. */
  digest(): string;
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

const [CRC64_HI, CRC64_LO] = (() => {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  const POLY_HI = 0x9a6c9329;
  const POLY_LO = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let h = 0;
    let l = n;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (bit) {
        h = (h ^ POLY_HI) >>> 0;
        l = (l ^ POLY_LO) >>> 0;
      }
    }
    hi[n] = h;
    lo[n] = l;
  }
  return [hi, lo];
})();

function uint32Base64(v: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b.toString('base64');
}

class Crc32 implements Checksummer {
  private value = 0;
  update(data: Buffer): void {
    this.value = zlib.crc32(data, this.value);
  }
  digest(): string {
    return uint32Base64(this.value);
  }
}

class Crc32c implements Checksummer {
  private crc = 0xffffffff;
  update(data: Buffer): void {
    let c = this.crc;
    for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    this.crc = c >>> 0;
  }
  digest(): string {
    return uint32Base64(~this.crc);
  }
}

class Crc64Nvme implements Checksummer {
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(data: Buffer): void {
    let h = this.hi;
    let l = this.lo;
    for (let i = 0; i < data.length; i++) {
      const idx = (l ^ data[i]) & 0xff;
      l = (((l >>> 8) | ((h & 0xff) << 24)) ^ CRC64_LO[idx]) >>> 0;
      h = ((h >>> 8) ^ CRC64_HI[idx]) >>> 0;
    }
    this.hi = h;
    this.lo = l;
  }
  digest(): string {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(~this.hi >>> 0, 0);
    b.writeUInt32BE(~this.lo >>> 0, 4);
    return b.toString('base64');
  }
}

class Digest implements Checksummer {
  private readonly hash: Hash;
  constructor(algorithm: 'sha1' | 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(data: Buffer): void {
    this.hash.update(data);
  }
  digest(): string {
    return this.hash.digest('base64');
  }
}

export function createChecksummer(algorithm: ChecksumAlgorithm): Checksummer {
  switch (algorithm) {
    case 'crc32':
      return new Crc32();
    case 'crc32c':
      return new Crc32c();
    case 'crc64nvme':
      return new Crc64Nvme();
    case 'sha1':
    case 'sha256':
      return new Digest(algorithm);
  }
}

/** The digest's length in bytes, to reject malformed header values before reading a body. */
export const CHECKSUM_BYTES: Record<ChecksumAlgorithm, number> = {
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
};

/** How a multipart object's checksum is made: COMPOSITE (of its parts' checksums) or FULL_OBJECT. */
export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/** The checksum of a multipart object's parts' checksums, `-N` after it, as S3 makes COMPOSITE ones. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partValues: string[]): string {
  const summer = createChecksummer(algorithm);
  for (const v of partValues) summer.update(Buffer.from(v, 'base64'));
  return `${summer.digest()}-${partValues.length}`;
}

/** A stored checksum's type: a composite one carries its parts' count. */
export const checksumTypeOf = (value: string): ChecksumType => (/-\d+$/.test(value) ? 'COMPOSITE' : 'FULL_OBJECT');

/** The type an upload's checksum takes when the request names none: CRC64/NVME only comes whole. */
export const defaultChecksumType = (algorithm: ChecksumAlgorithm): ChecksumType =>
  algorithm === 'crc64nvme' ? 'FULL_OBJECT' : 'COMPOSITE';

/** The checksum types an algorithm can make: SHA ones only of parts, CRC64/NVME only whole. */
export function checkChecksumType(algorithm: ChecksumAlgorithm, type: string): ChecksumType {
  if (type !== 'COMPOSITE' && type !== 'FULL_OBJECT')
    throw new ServiceError('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
  const allowed = algorithm === 'crc64nvme' ? ['FULL_OBJECT'] : algorithm.startsWith('sha') ? ['COMPOSITE'] : [type];
  if (!allowed.includes(type))
    throw new ServiceError(
      'InvalidRequest',
      `The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`,
    );
  return type;
}

/** Each algorithm's member in S3's model (ChecksumCRC32, ...): request headers and answer elements. */
export const CHECKSUM_MEMBERS = {
  crc32: 'ChecksumCRC32',
  crc32c: 'ChecksumCRC32C',
  crc64nvme: 'ChecksumCRC64NVME',
  sha1: 'ChecksumSHA1',
  sha256: 'ChecksumSHA256',
} as const satisfies Record<ChecksumAlgorithm, string>;

/** A stored checksum as an answer's elements: its algorithm's member and ChecksumType. */
export function checksumElements(c: { algorithm: string; value: string } | undefined): Record<string, string> {
  if (!c || !isChecksumAlgorithm(c.algorithm)) return {};
  return { [CHECKSUM_MEMBERS[c.algorithm]]: c.value, ChecksumType: checksumTypeOf(c.value) };
}
