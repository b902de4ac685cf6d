/**
 * The hard parts of Walrus's S3 features, pinned one by one: AES-CTR ranges across segments
 * (every start and end, over parts of odd sizes), composite checksums, form policies, Object Lock's
 * rules, RFC 2047 metadata, and which bucket policies are public.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parsePolicy } from '../../src/backend/iam/policy/document';
import { isPublicPolicy } from '../../src/backend/iam/policy/public';
import { s3ConditionKeys } from '../../src/backend/iam/policy/s3-conditions';
import { compositeChecksum } from '../../src/backend/s3/checksums';
import { seal, unseal } from '../../src/backend/s3/encryption';
import { decodeMetaValue, encodeMetaValue } from '../../src/backend/s3/metadata';
import { checkRemovable, checkRetentionChange, lockForWrite, requestedLock } from '../../src/backend/s3/object-lock';
import { checkPostPolicy } from '../../src/backend/s3/post-object';

const collect = async (r: AsyncIterable<Buffer>) => {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c);
  return Buffer.concat(out);
};

test('sealed bytes read back from any offset, across segments, in pieces of any size', async () => {
  const key = randomBytes(32);
  const sizes = [37, 16, 1, 70, 0, 33];
  const plain = sizes.map((n) => randomBytes(n));
  const ivs = sizes.map(() => randomBytes(16));
  // Each segment sealed on its own, from its first byte, then the files joined.
  const sealed = Buffer.concat(
    await Promise.all(plain.map((p, i) => collect(seal([p.subarray(0, 5), p.subarray(5)], key, ivs[i])))),
  );
  const whole = Buffer.concat(plain);
  const segments = sizes.map((size, i) => ({ size, iv: ivs[i] }));
  for (let start = 0; start < whole.length; start += 3)
    for (const end of [start, start + 1, start + 17, whole.length - 1].filter((e) => e >= start && e < whole.length)) {
      // The file's bytes of the range, arriving in 7-byte pieces.
      const piece = sealed.subarray(start, end + 1);
      const pieces = Array.from({ length: Math.ceil(piece.length / 7) }, (_, i) => piece.subarray(i * 7, i * 7 + 7));
      const got = await collect(unseal(Readable.from(pieces), key, segments, start));
      assert.ok(got.equals(whole.subarray(start, end + 1)), `${start}-${end}`);
    }
  // CTR as OpenSSL counts it, across a carry in the counter's low bytes.
  const iv = Buffer.from('00000000000000000000000000fffffe', 'hex');
  const data = randomBytes(100);
  const sealedOnce = await collect(seal([data], key, iv));
  const c = createCipheriv('aes-256-ctr', key, iv);
  assert.ok(sealedOnce.equals(Buffer.concat([c.update(data), c.final()])));
  const tail = await collect(unseal(Readable.from([sealedOnce.subarray(50)]), key, [{ size: 100, iv }], 50));
  assert.ok(tail.equals(data.subarray(50)));
});

test('a composite checksum is of the parts’ checksums, with their count', () => {
  const parts = [randomBytes(32), randomBytes(32)].map((b) => b.toString('base64'));
  const expected = createHash('sha256')
    .update(Buffer.concat(parts.map((p) => Buffer.from(p, 'base64'))))
    .digest('base64');
  assert.equal(compositeChecksum('sha256', parts), `${expected}-2`);
});

test('a form policy: expiry, conditions, content-length-range, extra fields', () => {
  const policy = (conditions: unknown[], expiration = new Date(Date.now() + 60_000).toISOString()) =>
    Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');
  const fields = { bucket: 'b', key: 'user/a.txt', acl: 'private', 'content-type': 'text/plain' };
  const ok = policy([
    { bucket: 'b' },
    ['starts-with', '$key', 'user/'],
    { acl: 'private' },
    ['eq', '$Content-Type', 'text/plain'],
    ['content-length-range', 1, 10],
  ]);
  assert.deepEqual(checkPostPolicy(ok, fields), { minSize: 1, maxSize: 10 });
  assert.throws(() => checkPostPolicy(ok, { ...fields, key: 'other/a' }), /Policy Condition failed/);
  assert.throws(() => checkPostPolicy(ok, { ...fields, 'x-amz-meta-a': '1' }), /Extra input fields: x-amz-meta-a/);
  assert.doesNotThrow(() => checkPostPolicy(ok, { ...fields, 'x-ignore-me': '1' }));
  assert.throws(() => checkPostPolicy(policy([], '2000-01-01T00:00:00Z'), { bucket: 'b' }), /Policy expired/);
  assert.throws(
    () => checkPostPolicy(policy([['content-length-range', 5, 1]]), { bucket: 'b' }),
    /content-length-range/,
  );
  assert.throws(() => checkPostPolicy('not json', { bucket: 'b' }), /Invalid JSON/);
  const loose = Buffer.from(JSON.stringify({ expiration: '2099-12-01 01:40:00', conditions: [] })).toString('base64');
  assert.throws(() => checkPostPolicy(loose, { bucket: 'b' }), /missing expiration/);
});

test('Object Lock: what a write asks, the default, and what may be removed or weakened', () => {
  const soon = new Date(Date.now() + 86_400_000).toISOString();
  assert.equal(requestedLock({}), undefined);
  assert.throws(() => requestedLock({ ObjectLockMode: 'GOVERNANCE' }), /must both be supplied/);
  assert.throws(() => requestedLock({ ObjectLockMode: 'X', ObjectLockRetainUntilDate: soon }), /Unknown wormMode/);
  assert.throws(
    () => requestedLock({ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: '2001-01-01' }),
    /future/,
  );
  const asked = requestedLock({
    ObjectLockMode: 'COMPLIANCE',
    ObjectLockRetainUntilDate: soon,
    ObjectLockLegalHoldStatus: 'ON',
  });
  assert.deepEqual(asked, { legalHold: true, mode: 'COMPLIANCE', retainUntil: soon });
  assert.throws(() => lockForWrite(asked, undefined), /missing Object Lock Configuration/);
  const byDefault = lockForWrite(
    undefined,
    { enabled: true, defaultRetention: { mode: 'GOVERNANCE', days: 2 } },
    Date.UTC(2026, 0, 30),
  );
  assert.deepEqual(byDefault, { mode: 'GOVERNANCE', retainUntil: '2026-02-01T00:00:00.000Z' });
  const years = lockForWrite(
    undefined,
    { enabled: true, defaultRetention: { mode: 'COMPLIANCE', years: 1 } },
    Date.UTC(2026, 0, 30),
  );
  assert.equal(years!.retainUntil, '2027-01-30T00:00:00.000Z');
  const gov = { mode: 'GOVERNANCE' as const, retainUntil: soon };
  assert.throws(() => checkRemovable(gov, false), /protected by object lock/);
  assert.doesNotThrow(() => checkRemovable(gov, true));
  assert.throws(() => checkRemovable({ ...gov, mode: 'COMPLIANCE' }, true), /protected/);
  assert.throws(() => checkRemovable({ legalHold: true }, true), /protected/);
  assert.doesNotThrow(() => checkRemovable({ mode: 'COMPLIANCE', retainUntil: '2001-01-01T00:00:00Z' }, false));
  const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
  assert.doesNotThrow(() => checkRetentionChange(gov, { mode: 'GOVERNANCE', retainUntil: later }, false));
  assert.throws(() => checkRetentionChange({ ...gov, retainUntil: later }, gov, false), /protected/);
  assert.doesNotThrow(() => checkRetentionChange({ ...gov, retainUntil: later }, gov, true));
  assert.throws(() => checkRetentionChange({ mode: 'COMPLIANCE', retainUntil: later }, {}, true), /protected/);
});

test('metadata that is not ASCII: raw UTF-8 bytes and RFC 2047 words in, RFC 2047 out', () => {
  assert.equal(decodeMetaValue(Buffer.from('café', 'utf8').toString('latin1')), 'café');
  assert.equal(decodeMetaValue('=?UTF-8?B?5pel5pys?='), '日本');
  assert.equal(decodeMetaValue('=?utf-8?Q?caf=C3=A9_au_lait?='), 'café au lait');
  assert.equal(decodeMetaValue('plain'), 'plain');
  assert.equal(decodeMetaValue('\xe9t\xe9'), '\xe9t\xe9'); // latin1 bytes that are not UTF-8: kept
  assert.equal(encodeMetaValue('plain value'), 'plain value');
  assert.equal(encodeMetaValue('café'), '=?UTF-8?B?Y2Fmw6k=?=');
});

test('a bucket policy is public when it allows everyone with nothing pinning who', () => {
  const doc = (st: object) => parsePolicy(JSON.stringify({ Statement: [st] }), { resourcePolicy: true });
  const base = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  assert.equal(isPublicPolicy(doc(base)), true);
  assert.equal(isPublicPolicy(doc({ ...base, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), false);
  assert.equal(isPublicPolicy(doc({ ...base, Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } })), true);
  assert.equal(isPublicPolicy(doc({ ...base, Condition: { StringLike: { 'aws:Referer': 'https://x/*' } } })), true);
  assert.equal(isPublicPolicy(doc({ ...base, Principal: { AWS: '123456789012' } })), false);
  // Conditions that look limiting but let anyone in (found by an attacker's review).
  for (const condition of [
    { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { Null: { 'aws:SourceAccount': 'true' } },
    { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } },
    { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } },
    { StringLike: { 'aws:SourceArn': 'arn:aws:*' } },
    { 'ForAllValues:StringEquals': { 'aws:SourceAccount': '123456789012' } },
  ])
    assert.equal(isPublicPolicy(doc({ ...base, Condition: condition })), true, JSON.stringify(condition));
  assert.equal(
    isPublicPolicy(doc({ ...base, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })),
    false,
  );
  assert.equal(isPublicPolicy(doc({ ...base, Effect: 'Deny' })), false);
});

test("S3's condition keys from a request's query and headers", () => {
  const keys = s3ConditionKeys({
    method: 'GET',
    path: '/b',
    query: { delimiter: '/', 'max-keys': '5' },
    headers: { authorization: 'AWS4-HMAC-SHA256 Credential=…', referer: 'https://x/' },
  });
  assert.deepEqual(keys, {
    's3:prefix': '',
    's3:delimiter': '/',
    's3:max-keys': '5',
    'aws:Referer': 'https://x/',
    's3:signatureversion': 'AWS4-HMAC-SHA256',
    's3:authType': 'REST-HEADER',
  });
  const put = s3ConditionKeys({
    method: 'PUT',
    path: '/b/k',
    headers: { 'x-amz-acl': 'private', 'x-amz-tagging': 'a=1&b=2', 'x-amz-copy-source': 'b/src' },
  });
  assert.equal(put['s3:x-amz-acl'], 'private');
  assert.equal(put['s3:RequestObjectTag/b'], '2');
  assert.deepEqual(put['s3:RequestObjectTagKeys'], ['a', 'b']);
  assert.equal(put['s3:x-amz-copy-source'], 'b/src');
  assert.equal(put['s3:prefix'], undefined);
});
