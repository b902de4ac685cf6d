/** The pure parts of Walrus's configurations: lifecycle day counting, CORS matching, tag rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corsHeaders, matchCors, parseCors } from '../../src/backend/s3/cors';
import { abortsUpload, expires, type LifecycleRule, parseLifecycle } from '../../src/backend/s3/lifecycle';
import { checkTags, parseTaggingHeader } from '../../src/backend/s3/tagging';

const rule = (r: Partial<LifecycleRule>): LifecycleRule => ({ id: 'r', enabled: true, prefix: '', tags: [], ...r });
const at = (iso: string) => Date.parse(iso);

test('lifecycle: days count to the next midnight UTC after creation, as S3 does', () => {
  const r = rule({ prefix: 'logs/', expirationDays: 1 });
  const o = { key: 'logs/a', lastModified: '2026-01-01T10:00:00.000Z' };
  assert.equal(expires(r, o, at('2026-01-02T23:59:59Z')), false);
  assert.equal(expires(r, o, at('2026-01-03T00:00:00Z')), true);
  assert.equal(expires(r, { ...o, key: 'other/a' }, at('2030-01-01T00:00:00Z')), false);
  assert.equal(expires({ ...r, enabled: false }, o, at('2030-01-01T00:00:00Z')), false);
  assert.equal(expires(rule({ expirationDate: '2026-06-01T00:00:00.000Z' }), o, at('2026-05-31T23:59:59Z')), false);
  assert.equal(expires(rule({ expirationDate: '2026-06-01T00:00:00.000Z' }), o, at('2026-06-01T00:00:00Z')), true);
  const tagged = rule({ tags: [{ key: 'tmp', value: 'yes' }], expirationDays: 1 });
  assert.equal(expires(tagged, o, at('2030-01-01T00:00:00Z')), false);
  assert.equal(expires(tagged, { ...o, tags: [{ key: 'tmp', value: 'yes' }] }, at('2030-01-01T00:00:00Z')), true);
  assert.equal(
    abortsUpload(
      rule({ abortUploadDays: 7 }),
      { key: 'x', initiated: '2026-01-01T10:00:00Z' },
      at('2026-01-09T00:00:00Z'),
    ),
    true,
  );
  assert.equal(
    abortsUpload(
      rule({ abortUploadDays: 7 }),
      { key: 'x', initiated: '2026-01-01T10:00:00Z' },
      at('2026-01-08T23:00:00Z'),
    ),
    false,
  );
});

test('lifecycle documents: the legacy Prefix, Filter with And, and the refusals', () => {
  const doc = (rules: string) => Buffer.from(`<LifecycleConfiguration>${rules}</LifecycleConfiguration>`);
  const [legacy] = parseLifecycle(
    doc('<Rule><ID>a</ID><Prefix>p/</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>'),
  );
  assert.deepEqual(legacy, {
    id: 'a',
    enabled: true,
    prefix: 'p/',
    tags: [],
    legacyPrefix: true,
    expirationDays: 3,
    expirationDate: undefined,
    expiredObjectDeleteMarker: undefined,
    noncurrentDays: undefined,
    newerNoncurrentVersions: undefined,
    abortUploadDays: undefined,
  });
  const [and] = parseLifecycle(
    doc(
      '<Rule><Filter><And><Prefix>q/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>',
    ),
  );
  assert.deepEqual([and.prefix, and.tags], ['q/', [{ key: 'k', value: 'v' }]]);
  assert.throws(
    () => parseLifecycle(doc('<Rule><Status>Maybe</Status><Expiration><Days>1</Days></Expiration></Rule>')),
    { code: 'MalformedXML' },
  );
  assert.throws(() => parseLifecycle(doc('<Rule><Status>Enabled</Status></Rule>')), { code: 'InvalidArgument' });
  assert.throws(
    () =>
      parseLifecycle(
        doc('<Rule><Status>Enabled</Status><Expiration><Date>2026-01-01T12:00:00Z</Date></Expiration></Rule>'),
      ),
    { code: 'InvalidArgument' },
  );
  assert.throws(() => parseLifecycle(doc('')), { code: 'MalformedXML' });
});

test('CORS: the first rule that allows origin, method and every header; wildcards', () => {
  const rules = parseCors(
    Buffer.from(
      '<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader></CORSRule>' +
        '<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
    ),
  );
  assert.equal(matchCors(rules, 'https://app.example.com', 'PUT', ['x-amz-date']), rules[0]);
  assert.equal(matchCors(rules, 'https://app.example.com', 'PUT', ['content-type']), undefined);
  assert.equal(matchCors(rules, 'https://app.example.org', 'PUT'), undefined);
  assert.equal(matchCors(rules, 'https://anywhere', 'GET'), rules[1]);
  assert.equal(corsHeaders(rules[1], 'https://anywhere')['Access-Control-Allow-Origin'], '*');
  assert.equal(
    corsHeaders(rules[0], 'https://app.example.com')['Access-Control-Allow-Origin'],
    'https://app.example.com',
  );
  assert.throws(
    () =>
      parseCors(
        Buffer.from('<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>'),
      ),
    { code: 'MalformedXML' },
  );
  assert.throws(
    () =>
      parseCors(
        Buffer.from(
          '<CORSConfiguration><CORSRule><AllowedOrigin>*a*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>',
        ),
      ),
    { code: 'InvalidRequest' },
  );
});

test('tags: the header form, limits, unique keys, no aws: prefix', () => {
  assert.deepEqual(parseTaggingHeader('a=1&b=two%20words'), [
    { key: 'a', value: '1' },
    { key: 'b', value: 'two words' },
  ]);
  assert.equal(parseTaggingHeader(undefined), undefined);
  assert.throws(() => checkTags([{ key: '', value: '' }], 10), { code: 'InvalidTag' });
  assert.throws(() => checkTags([{ key: 'k'.repeat(129), value: '' }], 10), { code: 'InvalidTag' });
  assert.throws(() => checkTags([{ key: 'AWS:x', value: '' }], 10), { code: 'InvalidTag' });
  // More than 10 object tags is InvalidTag, as S3 answers it.
  assert.throws(() => parseTaggingHeader(Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')), {
    code: 'InvalidTag',
  });
});
