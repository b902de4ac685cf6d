/**
 * Signature V4 against AWS's published test suite (test/fixtures/sigv4): the server's
 * canonicalization must reproduce each canonical request, string to sign and signature from the
 * raw request; the client's signing (aws4 through lib/auth/sigv4) must produce the same
 * Authorization header for every request it can express as a URL unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signV4 } from '../../src/shared/auth/sigv4';
import { canonicalRequest, sha256Hex, signature, stringToSign } from '../../src/backend/auth/sigv4';
import { decodeQuery, lowerHeaders } from '../../src/backend/request';
import { ROOT } from '../helpers/cli';

interface Vector {
  name: string;
  req: string;
  creq: string;
  sts: string;
  authz: string;
}

const vectors: Vector[] = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'sigv4', 'vectors.json'), 'utf8'),
);
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SCOPE = '20150830/us-east-1/service/aws4_request';

function parseReq(text: string) {
  const [head, body = ''] = text.split('\n\n');
  const [requestLine, ...headerLines] = head.split('\n');
  const m = /^(\S+) (.*) HTTP\/1\.1$/.exec(requestLine)!;
  const q = m[2].indexOf('?');
  const raw: string[] = [];
  for (const l of headerLines) raw.push(l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1));
  return { method: m[1], rawPath: q < 0 ? m[2] : m[2].slice(0, q), search: q < 0 ? '' : m[2].slice(q), raw, body };
}

test('the suite is here', () => assert.ok(vectors.length >= 25, `${vectors.length} vectors`));

for (const v of vectors) {
  test(`server canonicalization: ${v.name}`, () => {
    const r = parseReq(v.req);
    const headers = lowerHeaders(r.raw);
    const signed = /SignedHeaders=([^,]+)/.exec(v.authz)![1].split(';');
    const creq = canonicalRequest(
      {
        method: r.method,
        rawPath: r.rawPath,
        query: decodeQuery(r.search),
        headers,
        payloadHash: sha256Hex(r.body),
        s3: false,
      },
      signed,
    );
    assert.equal(creq, v.creq);
    assert.equal(stringToSign('20150830T123600Z', SCOPE, creq), v.sts);
    assert.equal(
      signature(CREDS.secretAccessKey, SCOPE, '20150830T123600Z', creq),
      /Signature=(\w+)/.exec(v.authz)![1],
    );
  });
}

test('client signing (aws4) matches the suite wherever the request is expressible as a URL', () => {
  let checked = 0;
  for (const v of vectors) {
    const r = parseReq(v.req);
    const url = new URL(`https://example.amazonaws.com${r.rawPath}${r.search}`);
    const names = r.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    // A URL re-encodes or normalizes some paths, and a header object cannot repeat a header.
    if (url.pathname + url.search !== r.rawPath + r.search || new Set(names).size !== names.length || r.body) continue;
    const headers: Record<string, string> = {};
    for (let i = 0; i < r.raw.length; i += 2) headers[r.raw[i]] = r.raw[i + 1];
    const req = { method: r.method, url, headers };
    signV4(req, CREDS, 'service', 'us-east-1');
    assert.equal(req.headers.Authorization, v.authz, v.name);
    checked++;
  }
  assert.ok(checked >= 10, `only ${checked} vectors were checked`);
});
