/**
 * Signature V2 against known examples: the S3 REST authentication examples of AWS's S3 developer
 * guide (credentials AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY), and the
 * Query form's canonical string as its specification describes it.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { s3V2Resources } from '../../src/backend/auth/verify';
import {
  canonicalQueryV2,
  queryStringToSignV2,
  rfc3986,
  s3StringToSignV2,
  signQueryV2,
} from '../../src/shared/auth/sigv2';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const sign = (text: string) => createHmac('sha1', SECRET).update(text).digest('base64');

test('S3 V2: object GET (the puppy.jpg example)', () => {
  const sts = s3StringToSignV2(
    'GET',
    { date: 'Tue, 27 Mar 2007 19:36:42 +0000' },
    '/johnsmith/photos/puppy.jpg',
    {},
    'Tue, 27 Mar 2007 19:36:42 +0000',
  );
  assert.equal(sts, 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg');
  assert.equal(sign(sts), 'bWq2s1WEIj+Ydj0vQ697zp+IXMU=');
});

test('S3 V2: object PUT with a content type', () => {
  const sts = s3StringToSignV2(
    'PUT',
    { 'content-type': 'image/jpeg' },
    '/johnsmith/photos/puppy.jpg',
    {},
    'Tue, 27 Mar 2007 21:15:45 +0000',
  );
  assert.equal(sign(sts), 'MyyxeRY7whkBe+bq8fHCL/2kKUg=');
});

test('S3 V2: x-amz-* headers are sorted, lower-cased and included; sub-resources kept, others dropped', () => {
  const sts = s3StringToSignV2(
    'GET',
    { 'x-amz-meta-b': ' 2 ', 'x-amz-date': 'D', 'content-md5': 'M' },
    '/b/k',
    { acl: '', prefix: 'p', uploadId: '7' },
    '',
  );
  assert.equal(sts, 'GET\nM\n\n\nx-amz-date:D\nx-amz-meta-b:2\n/b/k?acl&uploadId=7');
});

test('Query V2: parameters sorted by byte order and RFC 3986-encoded; Signature excluded', () => {
  assert.equal(rfc3986("a b*~'()!"), 'a%20b%2A~%27%28%29%21');
  assert.equal(canonicalQueryV2({ b: '2', a: 'x y', B: '1', Signature: 'zzz' }), 'B=1&a=x%20y&b=2');
  assert.equal(
    queryStringToSignV2('post', 'EC2.Example.com:8773', '/services/Eucalyptus', { Action: 'DescribeRegions' }),
    'POST\nec2.example.com:8773\n/services/Eucalyptus\nAction=DescribeRegions',
  );
});

test('Query V2: signQueryV2 adds the authentication parameters and an HmacSHA256 signature', () => {
  const now = new Date('2011-10-03T15:19:30Z');
  const p = signQueryV2(
    'GET',
    'ec2.amazonaws.com',
    '/',
    { Action: 'DescribeImages', Version: '2011-07-15' },
    { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
    now,
  );
  assert.equal(p.Timestamp, '2011-10-03T15:19:30Z');
  assert.equal(p.SignatureMethod, 'HmacSHA256');
  assert.equal(p.SignatureVersion, '2');
  const expected = createHmac('sha256', SECRET)
    .update(
      'GET\nec2.amazonaws.com\n/\nAWSAccessKeyId=AKIDEXAMPLE&Action=DescribeImages&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2011-10-03T15%3A19%3A30Z&Version=2011-07-15',
    )
    .digest('base64');
  assert.equal(p.Signature, expected);
});

test("S3 V2 resources: the path, past Walrus' prefix, a bucket with or without its slash; never another bucket", () => {
  assert.deepEqual(s3V2Resources('/services/Walrus/b/k'), ['/services/Walrus/b/k', '/b/k']);
  assert.deepEqual(s3V2Resources('/services/Walrus/b'), ['/services/Walrus/b', '/b', '/b/']);
  assert.deepEqual(s3V2Resources('/services/Walrus/b/'), ['/services/Walrus/b/', '/b/', '/b']);
  assert.deepEqual(s3V2Resources('/services/Walrus'), ['/services/Walrus', '/']);
  assert.deepEqual(s3V2Resources('/b/k'), ['/b/k']);
  // Bucket "services", key "Walrus/b/k": a signature over /services/Walrus/b/k stands for no such path.
  assert.deepEqual(s3V2Resources('/services/Walrus/services/Walrus/b/k'), ['/services/Walrus/services/Walrus/b/k']);
  assert.deepEqual(s3V2Resources('/services/WalrusX/k'), ['/services/WalrusX/k']);
});
