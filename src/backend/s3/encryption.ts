/**
 * Server-side encryption of object bytes, as S3 offers it. SSE-S3: each object (or multipart
 * upload) has its own data key, kept only sealed under the cloud's master key (AES-256-GCM).
 * SSE-C: the customer's key comes with every request and is never stored; only its MD5 is, to
 * tell whether the next request brings the same key. Bytes are AES-256-CTR on disk, so a range is
 * read by starting the counter at its block. A multipart object is its parts' ciphertexts one
 * after another, each part with its own counter start: completing an upload joins files and never
 * needs the key. SSE-KMS is refused: this cloud has no KMS.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ServiceError } from '../errors';
import { list, malformed, parseXmlBody, s3Answer, text } from './documents';

/** How an object's (or an upload's) bytes are sealed; stored with it. */
export interface Encryption {
  /** AES256: SSE-S3, the cloud's key. SSE-C: the customer's. */
  mode: 'AES256' | 'SSE-C';
  /** SSE-S3: the data key, sealed under the master key (base64 of nonce, tag, sealed key). */
  sealedKey?: string;
  /** SSE-C: base64 of the MD5 of the customer's key. */
  keyMd5?: string;
  /** The counter start of each segment (the object's one, or one per part), base64. */
  ivs: string[];
}

/** What a request asks for: SSE-S3, or SSE-C with the customer's key. */
export type EncryptionRequest = { mode: 'AES256' } | { mode: 'SSE-C'; key: Buffer; keyMd5: string };

/** A write's sealing: what is stored (without counters yet) and the key the bytes are sealed with. */
export interface Sealing {
  encryption: Omit<Encryption, 'ivs'>;
  key: Buffer;
}

const BLOCK = 16;
const badRequest = (code: string, message: string) => new ServiceError(code, message, 400);
const md5Base64 = (b: Buffer) => createHash('md5').update(b).digest('base64');

/** The cloud's master key: 32 random bytes in a file of its own (0600), made on first use. */
export class MasterKey {
  private key?: Buffer;

  constructor(private readonly file: string) {}

  private get bytes(): Buffer {
    if (this.key) return this.key;
    try {
      this.key = Buffer.from(fs.readFileSync(this.file, 'utf8').trim(), 'hex');
    } catch {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      const fresh = randomBytes(32);
      try {
        fs.writeFileSync(this.file, fresh.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
        this.key = fresh;
      } catch {
        this.key = Buffer.from(fs.readFileSync(this.file, 'utf8').trim(), 'hex');
      }
    }
    if (this.key.length !== 32) throw new Error(`${this.file} does not hold a 256-bit key`);
    return this.key;
  }

  seal(dataKey: Buffer): string {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.bytes, nonce);
    const sealed = Buffer.concat([c.update(dataKey), c.final()]);
    return Buffer.concat([nonce, c.getAuthTag(), sealed]).toString('base64');
  }

  unseal(text: string): Buffer {
    const raw = Buffer.from(text, 'base64');
    const d = createDecipheriv('aes-256-gcm', this.bytes, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
  }
}

/** A request's SSE-C headers, as S3's model names them. */
interface CustomerKeyHeaders {
  SSECustomerAlgorithm?: string;
  SSECustomerKey?: string;
  SSECustomerKeyMD5?: string;
}

/** The customer's key a request sends for its object (x-amz-server-side-encryption-customer-*). */
export const sentCustomerKey = (i: CustomerKeyHeaders) =>
  customerKey({ algorithm: i.SSECustomerAlgorithm, key: i.SSECustomerKey, keyMd5: i.SSECustomerKeyMD5 });

/** The customer's key a copy sends for its source (x-amz-copy-source-server-side-encryption-customer-*). */
export const sentCopySourceKey = (i: {
  CopySourceSSECustomerAlgorithm?: string;
  CopySourceSSECustomerKey?: string;
  CopySourceSSECustomerKeyMD5?: string;
}) =>
  customerKey({
    algorithm: i.CopySourceSSECustomerAlgorithm,
    key: i.CopySourceSSECustomerKey,
    keyMd5: i.CopySourceSSECustomerKeyMD5,
  });

/** The customer's key a request sends, checked as S3 checks it; undefined when it sends none. */
function customerKey(h: {
  algorithm?: string;
  key?: string;
  keyMd5?: string;
}): { mode: 'SSE-C'; key: Buffer; keyMd5: string } | undefined {
  if (h.algorithm === undefined && h.key === undefined && h.keyMd5 === undefined) return undefined;
  if (h.algorithm === undefined)
    throw badRequest(
      'InvalidArgument',
      'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.',
    );
  if (h.algorithm !== 'AES256')
    throw badRequest(
      'InvalidEncryptionAlgorithmError',
      'The encryption request you specified is not valid. The valid value is AES256.',
    );
  if (!h.key)
    throw badRequest(
      'InvalidArgument',
      'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.',
    );
  const key = Buffer.from(h.key, 'base64');
  if (key.length !== 32 || key.toString('base64') !== h.key.trim())
    throw badRequest('InvalidArgument', 'The secret key was invalid for the specified algorithm.');
  if (!h.keyMd5)
    throw badRequest(
      'InvalidArgument',
      'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated ' +
        'MD5 of the secret key.',
    );
  const keyMd5 = md5Base64(key);
  if (h.keyMd5.trim() !== keyMd5)
    throw badRequest('InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.');
  return { mode: 'SSE-C', key, keyMd5 };
}

/** The refusal of SSE-KMS: there is no KMS in this cloud, so no key can be found. */
export const noKms = (keyId?: string) =>
  badRequest(
    'KMS.NotFoundException',
    `Invalid keyId ${keyId ?? 'aws/s3'}: this cloud has no KMS; use SSE-S3 (AES256) or SSE-C`,
  );

/** A write's x-amz-server-side-encryption (and SSE-C, and KMS) headers, as the encryption it asks for. */
export function requestedEncryption(
  input: CustomerKeyHeaders & { ServerSideEncryption?: string; SSEKMSKeyId?: string; SSEKMSEncryptionContext?: string },
): EncryptionRequest | undefined {
  const sse = input.ServerSideEncryption?.trim();
  const customer = sentCustomerKey(input);
  if (sse === 'aws:kms' || sse === 'aws:kms:dsse' || input.SSEKMSKeyId || input.SSEKMSEncryptionContext)
    throw noKms(input.SSEKMSKeyId);
  if (sse !== undefined && sse !== 'AES256')
    throw badRequest('InvalidArgument', 'The encryption method specified is not supported');
  if (customer && sse !== undefined)
    throw badRequest(
      'InvalidArgument',
      'Server Side Encryption with Customer provided key is incompatible with the encryption method specified',
    );
  return customer ?? (sse === 'AES256' ? { mode: 'AES256' } : undefined);
}

/** A new write's sealing for what was asked: a fresh sealed data key, or the customer's key. */
export function newSealing(asked: EncryptionRequest, master: MasterKey): Sealing {
  if (asked.mode === 'SSE-C') return { encryption: { mode: 'SSE-C', keyMd5: asked.keyMd5 }, key: asked.key };
  const key = randomBytes(32);
  return { encryption: { mode: 'AES256', sealedKey: master.seal(key) }, key };
}

/**
 * The key an existing object's (or upload's) bytes are sealed with, given what the request sent:
 * SSE-C needs the same customer key again (400 without it or with another); SSE-S3 is unsealed
 * by the cloud; plain objects take no key, and a customer key sent for one is refused.
 */
export function keyFor(
  e: Omit<Encryption, 'ivs'> | undefined,
  sent: EncryptionRequest | undefined,
  master: MasterKey,
): Buffer | undefined {
  if (!e) {
    if (sent?.mode === 'SSE-C')
      throw badRequest('InvalidRequest', 'The encryption parameters are not applicable to this object.');
    return undefined;
  }
  if (e.mode === 'AES256') {
    if (sent?.mode === 'SSE-C')
      throw badRequest('InvalidRequest', 'The encryption parameters are not applicable to this object.');
    return master.unseal(e.sealedKey!);
  }
  if (sent?.mode !== 'SSE-C')
    throw badRequest(
      'InvalidRequest',
      'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to ' +
        'retrieve the object.',
    );
  if (sent.keyMd5 !== e.keyMd5)
    throw badRequest(
      'InvalidRequest',
      'The provided encryption key does not match the key the object was stored with.',
    );
  return sent.key;
}

/** The answer headers that tell how an object is sealed. */
export function encryptionHeaders(e: Omit<Encryption, 'ivs'> | undefined): Record<string, string> {
  if (!e) return {};
  if (e.mode === 'AES256') return { 'x-amz-server-side-encryption': 'AES256' };
  return {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key-MD5': e.keyMd5!,
  };
}

/** A fresh counter start for a segment. */
export const newIv = () => randomBytes(BLOCK);

/** The counter `blocks` blocks past `iv` (128-bit big-endian, as AES-CTR counts). */
function counterAt(iv: Buffer, blocks: number): Buffer {
  const out = Buffer.from(iv);
  let carry = blocks;
  for (let i = BLOCK - 1; i >= 0 && carry > 0; i--) {
    const sum = out[i] + (carry % 256);
    out[i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >> 8);
  }
  return out;
}

/** AES-256-CTR over `bytes`, which start `offset` bytes into the segment that begins at counter `iv`. */
function ctr(key: Buffer, iv: Buffer, offset: number) {
  const c = createCipheriv('aes-256-ctr', key, counterAt(iv, Math.floor(offset / BLOCK)));
  if (offset % BLOCK) c.update(Buffer.alloc(offset % BLOCK));
  return c;
}

/** Seals a body as it streams (one segment, from its first byte). */
export async function* seal(
  body: AsyncIterable<Buffer> | Iterable<Buffer>,
  key: Buffer,
  iv: Buffer,
): AsyncGenerator<Buffer> {
  const c = ctr(key, iv, 0);
  for await (const piece of body) yield c.update(piece);
}

/**
 * Opens bytes start..end of a sealed object: `cipherText` is the file's bytes of that range; the
 * segments (sizes with their counters) say where each part's counter starts.
 */
export function unseal(
  cipherText: Readable,
  key: Buffer,
  segments: { size: number; iv: Buffer }[],
  start: number,
): Readable {
  const plain = Readable.from(
    (async function* () {
      let offset = start;
      let segment = 0;
      let segmentStart = 0;
      const locate = () => {
        while (segment < segments.length - 1 && offset >= segmentStart + segments[segment].size)
          segmentStart += segments[segment++].size;
        return ctr(key, segments[segment].iv, offset - segmentStart);
      };
      let c = locate();
      for await (let piece of cipherText as AsyncIterable<Buffer>) {
        while (piece.length) {
          const left = segmentStart + segments[segment].size - offset;
          const take = segment === segments.length - 1 ? piece.length : Math.min(piece.length, left);
          yield c.update(piece.subarray(0, take));
          offset += take;
          piece = piece.subarray(take);
          if (segment < segments.length - 1 && offset === segmentStart + segments[segment].size) c = locate();
        }
      }
    })(),
    { objectMode: false },
  );
  // Ended early (a client gone) or not: the file underneath is closed with it.
  plain.once('close', () => cipherText.destroy());
  return plain;
}

/** A bucket's default encryption (?encryption), as kept: SSE-S3 is the one this cloud can apply. */
export interface DefaultEncryption {
  algorithm: 'AES256';
  bucketKeyEnabled?: boolean;
}

/** A PUT ?encryption body: one rule, whose default is AES256 (aws:kms is refused: no KMS here). */
export function parseDefaultEncryption(body: Buffer): DefaultEncryption {
  const root = parseXmlBody(body).ServerSideEncryptionConfiguration;
  const rules = root && typeof root === 'object' ? list(root.Rule) : [];
  if (rules.length !== 1) throw malformed();
  const byDefault = rules[0].ApplyServerSideEncryptionByDefault;
  const algorithm = text(byDefault?.SSEAlgorithm);
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') throw noKms(text(byDefault.KMSMasterKeyID));
  if (algorithm !== 'AES256') throw malformed();
  if (text(byDefault.KMSMasterKeyID))
    throw badRequest(
      'InvalidArgument',
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
    );
  const bucketKey = text(rules[0].BucketKeyEnabled);
  return { algorithm, ...(bucketKey === 'true' ? { bucketKeyEnabled: true } : {}) };
}

export function defaultEncryptionDocument(d: DefaultEncryption): string {
  return s3Answer('GetBucketEncryption', 'ServerSideEncryptionConfiguration', {
    Rule: [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: d.algorithm },
        BucketKeyEnabled: d.bucketKeyEnabled ?? false,
      },
    ],
  });
}
