/**
 * Walrus' parts that need no daemon: aws-chunked decoding against AWS's published chunked-upload
 * example, the checksums against their standard check values, the listing algorithm (prefixes,
 * delimiters, markers, pagination) over an in-memory scan, bucket names and key paths.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalRequest, signature, signingKey } from '../../src/backend/auth/sigv4';
import { ServiceError } from '../../src/backend/errors';
import { createChecksummer } from '../../src/backend/s3/checksums';
import { chunkSignature, decodeAwsChunked, trailerSignature } from '../../src/backend/s3/chunked';
import { listPage, successor } from '../../src/backend/s3/listing';
import { splitResource, validBucketName } from '../../src/backend/s3/names';
import { type KeyRange } from '../../src/backend/s3/store';
import { ChunkSigner } from '../../src/shared/auth/sigv4';
import { chunkedLength, signedChunks } from '../../src/cli/s3-chunked';

// AWS's example "PUT Object" in chunks (Signature V4 streaming, S3 API reference).
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AMZ_DATE = '20130524T000000Z';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const seedSigning = {
  signingKey: signingKey(SECRET, '20130524', 'us-east-1', 's3'),
  amzDate: AMZ_DATE,
  scope: SCOPE,
  seedSignature: SEED,
};

function awsExampleBody(): Buffer {
  const a = Buffer.alloc(65536, 'a');
  const b = Buffer.alloc(1024, 'a');
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${CHUNK_SIGS[0]}\r\n`),
    a,
    Buffer.from('\r\n'),
    Buffer.from(`400;chunk-signature=${CHUNK_SIGS[1]}\r\n`),
    b,
    Buffer.from('\r\n'),
    Buffer.from(`0;chunk-signature=${CHUNK_SIGS[2]}\r\n\r\n`),
  ]);
}

/** The body cut into pieces of `size` bytes, as a socket might deliver it. */
async function* pieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of it) out.push(p);
  return Buffer.concat(out);
}

test("AWS's chunked-upload example: the seed signature, then every chunk signature", async () => {
  const headers: Record<string, string> = {
    host: 's3.amazonaws.com',
    'x-amz-date': AMZ_DATE,
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
  };
  const signed = [
    'content-encoding',
    'content-length',
    'host',
    'x-amz-content-sha256',
    'x-amz-date',
    'x-amz-decoded-content-length',
    'x-amz-storage-class',
  ];
  const creq = canonicalRequest(
    {
      method: 'PUT',
      rawPath: '/examplebucket/chunkObject.txt',
      query: [],
      headers,
      payloadHash: headers['x-amz-content-sha256'],
      s3: true,
    },
    signed,
  );
  assert.equal(signature(SECRET, SCOPE, AMZ_DATE, creq), SEED);
  assert.equal(awsExampleBody().length, 66824);
  assert.equal(
    chunkSignature(seedSigning, SEED, createHash('sha256').update(Buffer.alloc(65536, 'a')).digest('hex')),
    CHUNK_SIGS[0],
  );
  for (const size of [1, 7, 8192, 100000]) {
    const data = await collect(
      decodeAwsChunked(pieces(awsExampleBody(), size), { mode: 'signed', signing: seedSigning }),
    );
    assert.deepEqual(data, Buffer.alloc(66560, 'a'), `pieces of ${size}`);
  }
});

test('our client frames a signed aws-chunked body exactly as the example does', async () => {
  const signer = new ChunkSigner(SECRET, AMZ_DATE, SCOPE, SEED);
  const framed = await collect(signedChunks(pieces(Buffer.alloc(66560, 'a'), 5000), signer, 65536));
  assert.deepEqual(framed, awsExampleBody());
  assert.equal(chunkedLength(66560, 65536), 66824);
});

test('a tampered chunk, a wrong signature or a cut-off body is refused', async () => {
  const tampered = awsExampleBody();
  tampered[200] = 0x62;
  const refused = async (body: Buffer, code: string) =>
    assert.rejects(
      collect(decodeAwsChunked(pieces(body, 4096), { mode: 'signed', signing: seedSigning })),
      (e: unknown) => e instanceof ServiceError && e.code === code,
    );
  await refused(tampered, 'SignatureDoesNotMatch');
  await refused(
    Buffer.from(awsExampleBody().toString('latin1').replace(CHUNK_SIGS[1], CHUNK_SIGS[0]), 'latin1'),
    'SignatureDoesNotMatch',
  );
  await refused(awsExampleBody().subarray(0, 60000), 'IncompleteBody');
  await refused(Buffer.from('zz;chunk-signature=00\r\n'), 'InvalidRequest');
  await assert.rejects(
    collect(
      decodeAwsChunked(pieces(Buffer.from('5\r\nhello\r\n0\r\n\r\n'), 3), { mode: 'signed', signing: seedSigning }),
    ),
    /chunk-signature/,
  );
});

test(
  'unsigned aws-chunked with a checksum trailer (what botocore sends over TLS), and the signed ' + 'trailer',
  async () => {
    let trailers: Record<string, string> = {};
    const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    const data = await collect(
      decodeAwsChunked(pieces(body, 3), { mode: 'unsigned-trailer', onTrailers: (t) => (trailers = t) }),
    );
    assert.equal(data.toString(), 'hello world');
    assert.deepEqual(trailers, { 'x-amz-checksum-crc32': 'DUoRhQ==' });

    const c1 = chunkSignature(seedSigning, SEED, createHash('sha256').update('hello').digest('hex'));
    const c0 = chunkSignature(seedSigning, c1, createHash('sha256').update('').digest('hex'));
    const tsig = trailerSignature(seedSigning, c0, { 'x-amz-checksum-crc32': 'NhCmhg==' });
    const signedBody = (sig: string) =>
      Buffer.from(
        `5;chunk-signature=${c1}\r\nhello\r\n0;chunk-signature=${c0}\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:${sig}\r\n\r\n`,
      );
    assert.equal(
      (
        await collect(decodeAwsChunked(pieces(signedBody(tsig), 10), { mode: 'signed-trailer', signing: seedSigning }))
      ).toString(),
      'hello',
    );
    await assert.rejects(
      collect(decodeAwsChunked(pieces(signedBody(c0), 10), { mode: 'signed-trailer', signing: seedSigning })),
      (e: unknown) => e instanceof ServiceError && e.code === 'SignatureDoesNotMatch',
    );
  },
);

test('checksums match their standard check values', () => {
  const check = (alg: Parameters<typeof createChecksummer>[0], hex: string) => {
    const c = createChecksummer(alg);
    c.update(Buffer.from('1234'));
    c.update(Buffer.from('56789'));
    assert.equal(Buffer.from(c.digest(), 'base64').toString('hex'), hex, alg);
  };
  check('crc32', 'cbf43926');
  check('crc32c', 'e3069283');
  check('crc64nvme', 'ae8b14860a799888');
  check('sha1', 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  check('sha256', '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
});

/** A scan over sorted keys in memory, with the store's range semantics. */
function memoryScan(keys: string[]) {
  const sorted = keys.map((k) => Buffer.from(k)).sort(Buffer.compare);
  return async (range: KeyRange, limit: number) =>
    sorted
      .filter(
        (k) =>
          (range.inclusive ? Buffer.compare(k, range.from) >= 0 : Buffer.compare(k, range.from) > 0) &&
          (!range.below || Buffer.compare(k, range.below) < 0),
      )
      .slice(0, limit)
      .map((k) => ({ key: k.toString() }));
}

test('listing: prefix, delimiter, common prefixes and markers page through everything once', async () => {
  const keys = ['a', 'b/1', 'b/2', 'b/3/x', 'c', 'd/1', 'd/2', 'e', 'é', 'b0'];
  const scan = memoryScan(keys);
  const all = await listPage(scan, { prefix: '', delimiter: '/', maxKeys: 1000 });
  assert.deepEqual(
    all.entries.map((e) => e.key),
    ['a', 'b0', 'c', 'e', 'é'],
  );
  assert.deepEqual(all.commonPrefixes, ['b/', 'd/']);
  assert.equal(all.truncated, false);
  assert.deepEqual((await listPage(scan, { prefix: 'b/', delimiter: '/', maxKeys: 1000 })).commonPrefixes, ['b/3/']);

  // Page through with max-keys 2: each key or prefix exactly once, in order.
  const seen: string[] = [];
  let after: { key: string } | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await listPage(scan, { prefix: '', delimiter: '/', maxKeys: 2, after });
    seen.push(...page.entries.map((e) => e.key), ...page.commonPrefixes);
    if (!page.truncated) break;
    after = page.next;
  }
  assert.deepEqual(seen.sort(), ['a', 'b/', 'b0', 'c', 'd/', 'e', 'é'].sort());
  assert.deepEqual(
    (await listPage(scan, { prefix: '', maxKeys: 3, after: { key: 'b/2' } })).entries.map((e) => e.key),
    ['b/3/x', 'b0', 'c'],
  );
  assert.deepEqual(successor(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
});

test('bucket names and resource paths', () => {
  for (const ok of ['abc', 'my.bucket-1', 'a'.repeat(63), 'Legacy_Bucket']) assert.ok(validBucketName(ok), ok);
  for (const bad of ['ab', 'a..b', '-abc', 'abc-', '192.168.1.1', 'a/b', 'bucket/', 'with space', 'a'.repeat(256)])
    assert.ok(!validBucketName(bad), bad);
  assert.deepEqual(splitResource('/b/'), { bucket: 'b', key: undefined });
  assert.deepEqual(splitResource('/b//x/../y%00%0A'), { bucket: 'b', key: '/x/../y\u0000\n' });
  assert.deepEqual(splitResource('/b/a+b%2Bc%E2%82%AC'), { bucket: 'b', key: 'a+b+c€' });
  assert.throws(
    () => splitResource('/b/%FF'),
    (e: unknown) => e instanceof ServiceError && e.code === 'InvalidURI',
  );
});
