/**
 * The wire helpers: Query parameter flattening (and the server's reading of it back), XML list
 * parsing, and the redaction that keeps secrets out of --debug output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactBody, redactHeader, redactQuery } from '../../src/cli/redact';
import { encodeForm, flattenParams } from '../../src/cli/query';
import { listOf, parseXml } from '../../src/cli/xml';
import { idPattern } from '../../src/backend/ids';
import { applyFilters, filtersOf } from '../../src/backend/query-params';
import type { DescribeAvailabilityZonesRequest } from '../../src/shared/wire/ec2';
import { ec2Model } from '../../src/shared/wire/ec2-model';
import { parseQuery } from '../../src/shared/wire/query';

/** The filters of a request, as the server reads them: by the model, then within EC2's limits. */
const filtersParam = (params: Record<string, string>) =>
  filtersOf(parseQuery<DescribeAvailabilityZonesRequest>(ec2Model, 'DescribeAvailabilityZones', params).input.Filters);

test('Query parameters flatten as Name.N and Filter.N.Name / Filter.N.Value.M, and read back', () => {
  const flat = flattenParams({
    ZoneName: ['a', 'b'],
    Filter: [{ Name: 'state', Value: ['x', 'y'] }],
    Skip: undefined,
    Count: 3,
  });
  assert.deepEqual(flat, {
    'ZoneName.1': 'a',
    'ZoneName.2': 'b',
    'Filter.1.Name': 'state',
    'Filter.1.Value.1': 'x',
    'Filter.1.Value.2': 'y',
    Count: '3',
  });
  const zones = parseQuery<DescribeAvailabilityZonesRequest>(ec2Model, 'DescribeAvailabilityZones', {
    ...flat,
    'ZoneName.10': 'j',
  });
  assert.deepEqual(zones.input.ZoneNames, ['a', 'b', 'j']);
  assert.deepEqual(filtersParam(flat), [{ name: 'state', values: ['x', 'y'] }]);
  assert.equal(encodeForm({ 'a b': 'c/d' }), 'a%20b=c%2Fd');
});

test('XML: item and member lists are arrays even with one element', () => {
  const doc = parseXml('<R xmlns="x"><set><item><n>1</n></item></set><m><member>a</member></m></R>');
  assert.deepEqual(listOf(doc.R, 'set'), [{ n: '1' }]);
  assert.deepEqual(listOf(doc.R, 'm'), ['a']);
  assert.deepEqual(listOf(doc.R, 'missing'), []);
});

test('redaction: signatures, secret keys, private keys and passwords', () => {
  assert.equal(
    redactQuery('Action=X&Signature=abc%2B&AWSAccessKeyId=AK'),
    'Action=X&Signature=<redacted>&AWSAccessKeyId=AK',
  );
  assert.equal(
    redactQuery('https://h/?X-Amz-Signature=ff&X-Amz-Date=1'),
    'https://h/?X-Amz-Signature=<redacted>&X-Amz-Date=1',
  );
  assert.equal(
    redactHeader(
      'Authorization',
      'AWS4-HMAC-SHA256 Credential=AK/d/r/s/aws4_request, SignedHeaders=host, Signature=abcdef',
    ),
    'AWS4-HMAC-SHA256 Credential=AK/d/r/s/aws4_request, SignedHeaders=host, Signature=<redacted>',
  );
  assert.equal(redactHeader('Authorization', 'AWS AKID:c2lnbmF0dXJl'), 'AWS AKID:<redacted>');
  const body = redactBody(
    '<SecretAccessKey>s3cr3t</SecretAccessKey><keyMaterial>-----BEGIN RSA PRIVATE KEY-----\nMII\n-----END ' +
      'RSA PRIVATE KEY-----</keyMaterial>',
  );
  assert.ok(!body.includes('s3cr3t') && !body.includes('MII'), body);
  // A security token in a V2 query, and an upload form's policy signature.
  assert.equal(redactQuery('Action=X&SecurityToken=tok&Version=1'), 'Action=X&SecurityToken=<redacted>&Version=1');
  // euca-bundle-instance's upload policy signature, and a presigned URL passed as a parameter.
  assert.equal(
    redactQuery('Storage.S3.UploadPolicySignature=c2ln&Storage.S3.Bucket=b'),
    'Storage.S3.UploadPolicySignature=<redacted>&Storage.S3.Bucket=b',
  );
  assert.equal(
    redactQuery('Image.ImportManifestUrl=http%3A%2F%2Fh%2Fb%2Fk%3FExpires%3D1%26Signature%3Dc2ln&x=1'),
    'Image.ImportManifestUrl=http%3A%2F%2Fh%2Fb%2Fk%3FExpires%3D1%26Signature%3D<redacted>&x=1',
  );
  const form = redactBody(
    '--b\r\nContent-Disposition: form-data; name="Policy"\r\n\r\neyJ9\r\n' +
      '--b\r\nContent-Disposition: form-data; name="Signature"\r\n\r\nc2lnbmF0dXJl\r\n--b--',
  );
  assert.ok(!form.includes('c2lnbmF0dXJl') && form.includes('eyJ9'), form);
});

test('filters are bounded: 50 filters, 200 values in all, 1,024 characters a value (FilterLimitExceeded)', () => {
  const values = (n: number) =>
    Object.fromEntries([
      ['Filter.1.Name', 'tag-value'],
      ...Array.from({ length: n }, (_, i) => [`Filter.1.Value.${i + 1}`, `*a${i}*`]),
    ]);
  assert.equal(filtersParam(values(200))[0].values.length, 200);
  assert.throws(
    () => filtersParam(values(201)),
    (e: Error & { code?: string }) => e.code === 'FilterLimitExceeded',
  );
  assert.throws(
    () => filtersParam({ 'Filter.1.Name': 'x', 'Filter.1.Value.1': 'a'.repeat(1025) }),
    (e: Error & { code?: string }) => e.code === 'FilterLimitExceeded',
  );
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`Filter.${i + 1}.Name`, 'x']));
  assert.throws(
    () => filtersParam(many),
    (e: Error & { code?: string }) => e.code === 'FilterLimitExceeded',
  );
});

test('a filter the action does not have is refused, never matching everything', () => {
  const records = [{ id: 'i-1', state: 'running' }];
  const fields = { 'instance-state-name': (r: { state: string }) => r.state };
  assert.deepEqual(applyFilters(records, [{ name: 'instance-state-name', values: ['run*'] }], fields), records);
  assert.throws(() => applyFilters(records, [{ name: 'instance-state-nmae', values: ['x'] }], fields), {
    code: 'InvalidParameterValue',
    message: "The filter 'instance-state-nmae' is invalid",
  });
  // Also when there is nothing to filter.
  assert.throws(() => applyFilters([], [{ name: 'nope', values: ['x'] }], fields), { code: 'InvalidParameterValue' });
});

test("resource IDs: Eucalyptus' 8 hex digits and EC2's long 17 are well formed, nothing else", () => {
  const instance = idPattern('i');
  for (const id of ['i-1A2B3C4D', 'i-0123456789abcdef0', 'I-0123456789ABCDEF0'.replace('I-', 'i-')])
    assert.ok(instance.test(id), id);
  for (const id of ['i-123', 'i-0123456789abcdef', 'i-0123456789abcdef01', 'vol-1A2B3C4D', 'i-1A2B3C4G'])
    assert.ok(!instance.test(id), id);
  assert.ok(idPattern('e[mkr]i').test('emi-0123456789abcdef0'));
});
