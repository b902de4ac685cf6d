/**
 * The node controller protocol's signatures: a signed request verifies; a tampered body, path or
 * method, a date more than 5 minutes off, a wrong key or a missing header do not. And the disk
 * layout the simulated driver gives an instance. And a node's client of several front ends.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as http from 'node:http';
import * as net from 'node:net';
import {
  CloudInternalClient,
  CloudUnreachable,
  generateSharedKey,
  parseSharedKey,
  sha256Hex,
  signRequest,
  verifyRequest,
} from '../../src/shared/nc-protocol';
import { startFakeCloud } from '../helpers/node';
import { diskLayout, SWAP_BYTES } from '../../src/backend/node/instances';

const key = generateSharedKey();
const body = JSON.stringify({ Action: 'DescribeResource' });
const path = '/services/EucalyptusNC';

function incoming(
  headers: Record<string, string>,
  overrides: Partial<{ method: string; path: string; body: string }> = {},
) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: overrides.method ?? 'POST',
    path: overrides.path ?? path,
    headers: lower,
    bodySha256: sha256Hex(overrides.body ?? body),
  };
}

describe('NC request signatures', () => {
  test('a signed request verifies, and keys are 64 hex digits', () => {
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(parseSharedKey(`  ${key.toUpperCase()}\n`), key);
    assert.throws(() => parseSharedKey('abc'), /64 hex digits/);
    const headers = signRequest(key, 'POST', path, body);
    assert.match(headers.Authorization, /^EUCA-NC-HMAC-SHA256 [0-9a-f]{64}$/);
    assert.deepEqual(verifyRequest(key, incoming(headers)), { ok: true });
  });

  test('a tampered body, path or method is refused', () => {
    const headers = signRequest(key, 'POST', path, body);
    for (const o of [
      { body: body.replace('Resource', 'Instances') },
      { path: '/services/EucalyptusNC?x=1' },
      { method: 'GET' },
    ]) {
      assert.deepEqual(verifyRequest(key, incoming(headers, o)), { ok: false, reason: 'signature does not match' });
    }
  });

  test('a date more than 5 minutes off either way is refused; within the window it verifies', () => {
    const now = Date.now();
    for (const skew of [-6 * 60_000, 6 * 60_000]) {
      const v = verifyRequest(key, incoming(signRequest(key, 'POST', path, body, new Date(now + skew))), now);
      assert.equal(v.ok, false);
      assert.match((v as { reason: string }).reason, /5 minutes/);
    }
    assert.deepEqual(
      verifyRequest(key, incoming(signRequest(key, 'POST', path, body, new Date(now - 4 * 60_000))), now),
      { ok: true },
    );
  });

  test('a wrong key, a changed date header, or missing headers are refused', () => {
    const headers = signRequest(generateSharedKey(), 'POST', path, body);
    assert.equal(verifyRequest(key, incoming(headers)).ok, false);
    const good = signRequest(key, 'POST', path, body);
    const moved = { ...good, 'X-Euca-Date': new Date(Date.parse(good['X-Euca-Date']) + 1000).toISOString() };
    assert.equal(verifyRequest(key, incoming(moved)).ok, false);
    assert.equal(verifyRequest(key, incoming({ Authorization: good.Authorization })).ok, false);
    assert.equal(verifyRequest(key, incoming({ ...good, Authorization: 'AWS4-HMAC-SHA256 x' })).ok, false);
  });
});

describe('the simulated driver disk layout', () => {
  const GiB = 1024 ** 3;
  test('ephemeral is the type disk less the image and 512 MiB of swap; Windows gets no swap', () => {
    const vmType = { name: 'm1.small', cpus: 1, memoryMiB: 128, diskGiB: 10 };
    assert.deepEqual(diskLayout({ vmType }, 1024 ** 3), { swap: SWAP_BYTES, ephemeral: 9 * GiB - SWAP_BYTES });
    assert.equal(SWAP_BYTES, 512 * 1024 * 1024);
    // Seed 000: a 15 GB type and an 8 GB Windows image leave 7 GB of ephemeral disk.
    assert.deepEqual(diskLayout({ vmType: { ...vmType, diskGiB: 15 }, platform: 'windows' }, 8 * GiB), {
      swap: 0,
      ephemeral: 7 * GiB,
    });
    assert.deepEqual(diskLayout({ vmType: { ...vmType, diskGiB: 1 } }, 0.75 * GiB), { swap: SWAP_BYTES, ephemeral: 0 });
    assert.throws(
      () => diskLayout({ vmType: { ...vmType, diskGiB: 1 } }, 2 * GiB),
      /does not fit the 1 GiB disk of m1.small/,
    );
  });
});

test('a node asks its front ends in turn: one unreachable, the next answers; the one that answered is asked first', async () => {
  const fake = await startFakeCloud(key, 0);
  const dead = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  fake.metadata.set('i-0000000A/meta-data/instance-id', 'i-0000000A');
  const client = new CloudInternalClient(`http://127.0.0.1:${dead} ${fake.url}`, key, { connectTimeoutMs: 500 });
  try {
    for (let i = 0; i < 2; i++) {
      const answer = await client.metadata('i-0000000A', 'meta-data/instance-id');
      assert.equal(answer.status, 200);
      const pieces: Buffer[] = [];
      for await (const piece of answer.body) pieces.push(piece as Buffer);
      assert.equal(Buffer.concat(pieces).toString(), 'i-0000000A');
    }
    const none = new CloudInternalClient(`http://127.0.0.1:${dead}`, key, { connectTimeoutMs: 500 });
    await assert.rejects(none.metadata('i-0000000A', 'meta-data/instance-id'), CloudUnreachable);
    await none.close();
  } finally {
    await client.close();
    await fake.close();
  }
});

test('an image a front end is still preparing (503, Retry-After) is asked for again until it comes', async () => {
  let asked = 0;
  const server = http.createServer((req, res) => {
    if (++asked < 3) res.writeHead(503, { 'retry-after': '0' }).end('being prepared');
    else res.writeHead(200, { 'content-length': '5' }).end('bytes');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new CloudInternalClient(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, key);
  try {
    const { body, size } = await client.image('emi-0000000A');
    const pieces: Buffer[] = [];
    for await (const piece of body) pieces.push(piece as Buffer);
    assert.equal(Buffer.concat(pieces).toString(), 'bytes');
    assert.equal(size, 5);
    assert.equal(asked, 3);
  } finally {
    await client.close();
    server.close();
  }
});
