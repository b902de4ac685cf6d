/**
 * The fuzzer: thousands of malformed requests against a running cloud, across EC2 and Euare
 * Query and Walrus REST: random and missing parameters, wrong types, huge values, invalid UTF-8,
 * missing and broken signatures, truncated and oversized bodies, XML with entity expansion or
 * external entities, bucket names and keys with `..`, `/`, NUL and control characters. Every
 * request that could change something is sent with a broken signature or a malformed body, so
 * none should be accepted; read-only ones carry garbage parameters.
 *
 * What it shows: no 5xx, the daemon still the same process, and the store and the data dir
 * exactly as before. HARDENING_FUZZ_COUNT sets how many (default 20,000; CI runs the default).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { signV4 } from '../../src/shared/auth/sigv4';
import { cloudPaths } from '../../src/shared/paths';
import { runOk } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { storedRows } from '../helpers/database';

const COUNT = Number(process.env.HARDENING_FUZZ_COUNT ?? 20_000);
const CONCURRENCY = 24;

/** A small seeded PRNG (mulberry32): the same run each time. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Send only part of the body, then close: a truncated request. */
  truncate?: boolean;
}

const READ_ONLY_EC2 = [
  'DescribeInstances',
  'DescribeImages',
  'DescribeVolumes',
  'DescribeSnapshots',
  'DescribeKeyPairs',
  'DescribeSecurityGroups',
  'DescribeAddresses',
  'DescribeTags',
  'DescribeAvailabilityZones',
  'DescribeRegions',
  'DescribeInstanceTypes',
  'DescribeBundleTasks',
  'DescribeConversionTasks',
  'DescribeImageAttribute',
  'DescribeSnapshotAttribute',
  'DescribeInstanceAttribute',
  'GetConsoleOutput',
  'GetPasswordData',
];
const MUTATING_EC2 = [
  'RunInstances',
  'TerminateInstances',
  'CreateKeyPair',
  'ImportKeyPair',
  'DeleteKeyPair',
  'CreateSecurityGroup',
  'DeleteSecurityGroup',
  'AuthorizeSecurityGroupIngress',
  'AllocateAddress',
  'ReleaseAddress',
  'RegisterImage',
  'DeregisterImage',
  'CreateVolume',
  'DeleteVolume',
  'AttachVolume',
  'CreateSnapshot',
  'CreateTags',
  'ModifyImageAttribute',
  'ImportVolume',
  'ModifyPropertyValue',
];
const READ_ONLY_IAM = [
  'ListUsers',
  'ListGroups',
  'GetUser',
  'ListAccessKeys',
  'ListAccounts',
  'GetAccountSummary',
  'ListUserPolicies',
  'GetGroup',
  'ListSigningCertificates',
  'GetLoginProfile',
];
const MUTATING_IAM = [
  'CreateUser',
  'DeleteUser',
  'CreateGroup',
  'PutUserPolicy',
  'CreateAccessKey',
  'CreateAccount',
  'DeleteAccount',
  'UpdateUser',
  'AddUserToGroup',
  'CreateLoginProfile',
];
const NASTY = [
  '',
  ' ',
  '..',
  '../..',
  '/',
  '//',
  '%00',
  '%01%02',
  '%C3%28',
  '%FF%FE',
  '%E2%82',
  'a'.repeat(70_000),
  '-1',
  '999999999999999999999',
  'NaN',
  '1e309',
  '[]',
  '{}',
  '<x/>',
  "'; DROP TABLE users;--",
  '%0d%0aSet-Cookie:x',
  'i-12345678',
  'vol-GGGGGGGG',
  'emi-00000000',
  '\u202e',
  '%F0%9F%92%A9',
];
const XML_BOMBS = [
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 ' +
    '"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 ' +
    '"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Tagging><TagSet><Tag><Key>k</Key><Value>&lol3;</Value></Tag></TagSet></Tagging>',
  '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM ' +
    '"file:///etc/passwd">]><Delete><Object><Key>&xxe;</Key></Object></Delete>',
  '<Delete><Object><Key>k</Key></Object>',
  '<Tagging><TagSet><Tag><Key>k</Key></TagSet></Tagging>',
  'not xml at all',
  '<CORSConfiguration>' + '<CORSRule>'.repeat(5000),
  '\u0000\u0001\u0002',
];

function generator(seed: number, creds: { accessKeyId: string; secretAccessKey: string }, host: string) {
  const r = prng(seed);
  const garbage = () => r.pick(NASTY);
  const params = (action: string | undefined, extra: number) => {
    const p = new URLSearchParams();
    if (action !== undefined) p.set('Action', action);
    if (r.next() < 0.8) p.set('Version', r.pick(['2012-12-01', '2010-05-08', 'yesterday', '']));
    for (let i = 0; i < extra; i++)
      p.append(
        r.pick([
          'InstanceId.1',
          'ImageId',
          'VolumeId',
          'KeyName',
          'UserName',
          'GroupName',
          'MaxResults',
          'Filter.1.Name',
          'Filter.1.Value.1',
          'Size',
          'PolicyDocument',
          'Marker',
          'X'.repeat(r.int(300) + 1),
        ]),
        garbage(),
      );
    return p.toString().replace(/%25([0-9A-F]{2})/g, '%$1');
  };
  const sign = (req: FuzzRequest, service: string) => {
    const url = new URL(`http://${host}${req.path}`);
    const headers = { ...req.headers, host };
    const s = { method: req.method, url, headers, body: req.body, path: req.path };
    try {
      signV4(s, creds, service, 'eucalyptus');
      req.headers = s.headers;
    } catch {
      // A path no client could sign (invalid percent-encoding) goes unsigned.
    }
  };
  /** Breaks a signed request: a changed signature, date, or a different key id. */
  const breakSignature = (req: FuzzRequest) => {
    const how = r.int(3);
    if (how === 0)
      req.headers.authorization = (req.headers.authorization ?? '').replace(
        /Signature=(\w)/,
        (_, c) => `Signature=${c === 'a' ? 'b' : 'a'}`,
      );
    else if (how === 1) req.headers['x-amz-date'] = '20010101T000000Z';
    else
      req.headers.authorization = (req.headers.authorization ?? '').replace(
        /Credential=\w+/,
        'Credential=AKIFUZZFUZZFUZZFUZZZ',
      );
  };
  const query = (svc: 'ec2' | 'iam'): FuzzRequest => {
    const base = svc === 'ec2' ? '/services/Eucalyptus' : '/services/Euare';
    const mutating = r.next() < 0.5;
    const action =
      r.next() < 0.05
        ? undefined
        : r.pick(svc === 'ec2' ? (mutating ? MUTATING_EC2 : READ_ONLY_EC2) : mutating ? MUTATING_IAM : READ_ONLY_IAM);
    const body = params(action, r.int(6));
    const req: FuzzRequest = {
      kind: `${svc}-${mutating ? 'mutating' : 'read'}`,
      method: 'POST',
      path: base,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    };
    const auth = r.int(4);
    if (auth === 0) return req; // unsigned
    sign(req, svc === 'ec2' ? 'ec2' : 'iam');
    if (mutating || auth === 1) breakSignature(req);
    if (r.next() < 0.05) req.truncate = true;
    return req;
  };
  const s3 = (): FuzzRequest => {
    const bucket = r.pick([
      'fuzz-target',
      'no-such-bucket',
      '..',
      'a',
      'UPPER',
      'x'.repeat(70),
      '%00',
      '%C3%28',
      'fuzz-target%2F..%2F..',
    ]);
    const key =
      r.next() < 0.3
        ? ''
        : `/${r.pick(['../../etc/passwd', 'a%00b', '%01%02%03', '%C3%28', 'k'.repeat(1100), 'dir/../x', '%2F%2F', 'ok'])}`;
    const sub = r.pick([
      '',
      '?acl',
      '?tagging',
      '?delete',
      '?cors',
      '?lifecycle',
      '?policy',
      '?versioning',
      '?uploads',
      '?uploadId=zzz',
      '?versionId=%00',
      '?list-type=7',
      '?max-keys=-5',
    ]);
    const method = r.pick(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']);
    const body = ['PUT', 'POST'].includes(method)
      ? r.next() < 0.5
        ? r.pick(XML_BOMBS)
        : Buffer.alloc(r.int(4096), 0x41)
      : undefined;
    const req: FuzzRequest = { kind: 's3', method, path: `/services/Walrus/${bucket}${key}${sub}`, headers: {}, body };
    if (r.next() < 0.3) return req; // anonymous
    sign(req, 's3');
    // Writes never go through with a valid signature, except malformed documents sent to a
    // bucket's configuration (which must be refused for what they are).
    const parsedBody =
      key === '' &&
      ['?tagging', '?delete', '?cors', '?lifecycle', '?policy', '?versioning', '?acl'].includes(sub) &&
      typeof body === 'string' &&
      XML_BOMBS.includes(body);
    if (method !== 'GET' && method !== 'HEAD' && !(parsedBody && r.next() < 0.5)) breakSignature(req);
    if (r.next() < 0.05) req.truncate = true;
    return req;
  };
  const oversized = (): FuzzRequest => ({
    kind: 'oversized',
    method: 'POST',
    path: r.pick(['/services/Eucalyptus', '/services/Euare']),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.alloc(1024 * 1024 + 10, 0x61),
  });
  return (): FuzzRequest => {
    const k = r.int(100);
    if (k < 35) return query('ec2');
    if (k < 60) return query('iam');
    if (k < 99) return s3();
    return oversized();
  };
}

/** Sends one request; the status, or 'closed' when the server (rightly) closed the connection. */
function send(port: number, agent: http.Agent, req: FuzzRequest): Promise<number | 'closed'> {
  if (req.truncate) {
    return new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        const body = Buffer.from(req.body ?? '');
        const head = `${req.method} ${req.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(req.headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}Content-Length: ${body.length + 500}\r\n\r\n`;
        sock.end(Buffer.concat([Buffer.from(head), body.subarray(0, Math.floor(body.length / 2))]));
      });
      sock.on('data', () => undefined);
      sock.on('close', () => resolve('closed'));
      sock.on('error', () => resolve('closed'));
      sock.setTimeout(5000, () => sock.destroy());
    });
  }
  return new Promise((resolve) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const r = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        agent,
        headers: { ...req.headers, ...(body ? { 'content-length': body.length } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve('closed'));
      },
    );
    r.on('error', () => resolve('closed'));
    r.setTimeout(30_000, () => r.destroy());
    r.end(body);
  });
}

/** The store's every row and the data dir's files: what no rejected request may change. */
async function snapshot(dataDir: string): Promise<string> {
  // nodes: the cluster's polling bookkeeping (last seen), and leases (renewed): both move on their own.
  const rows = await storedRows(dataDir, ['nodes', 'leases']);
  // Every file's content too (the database's, which the rows above show, and logs aside).
  const files = (fs.readdirSync(dataDir, { recursive: true }) as string[])
    .filter((f) => !/^var[/\\](log|run)|[/\\]db[/\\]|\.port$|node[/\\]var[/\\](log|run)/.test(f))
    .sort()
    .map((f) => {
      const file = path.join(dataDir, f);
      const st = fs.lstatSync(file);
      if (!st.isFile()) return f;
      return `${f} ${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
    });
  return [rows, ...files].join('\n');
}

let cloud: TestCloud;
before(async () => {
  cloud = await startCloud();
});
after(() => cloud.stop());

test(`fuzzing: ${COUNT} malformed requests get 4xx answers, the daemon lives on and nothing changes`, async () => {
  const creds = { accessKeyId: cloud.eucarc.EC2_ACCESS_KEY, secretAccessKey: cloud.eucarc.EC2_SECRET_KEY };
  // A bucket of the admin's for the Walrus requests to aim at.
  const target = {
    method: 'PUT',
    path: '/services/Walrus/fuzz-target',
    headers: {} as Record<string, string>,
    kind: 'setup',
  };
  const s = {
    method: 'PUT',
    url: new URL(`http://127.0.0.1:${cloud.port}${target.path}`),
    headers: { host: `127.0.0.1:${cloud.port}` } as Record<string, string>,
  };
  signV4(s, creds, 's3', 'eucalyptus');
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  assert.equal(await send(cloud.port, agent, { ...target, headers: s.headers }), 200);

  // Reads that set up an account's defaults (its default security group) happen once, before.
  await runOk('euca-describe-groups', [], cloud.env);

  const pidFile = cloudPaths(cloud.dataDir).pidFile;
  const pid = fs.readFileSync(pidFile, 'utf8').trim();
  const before = await snapshot(cloud.dataDir);
  const next = generator(20261122, creds, `127.0.0.1:${cloud.port}`);
  const statuses = new Map<string, number>();
  const accepted: string[] = [];
  const serverErrors: string[] = [];
  let sent = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < COUNT) {
        sent++;
        const req = next();
        const status = await send(cloud.port, agent, req);
        statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
        // 501 is S3's honest answer for what Walrus does not offer (website hosting, form POSTs, ...).
        if (typeof status === 'number' && status >= 500 && status !== 501)
          serverErrors.push(`${status} ${req.method} ${req.path.slice(0, 120)}`);
        if (
          typeof status === 'number' &&
          status < 300 &&
          req.kind !== 'ec2-read' &&
          req.kind !== 'iam-read' &&
          !(req.kind === 's3' && ['GET', 'HEAD', 'OPTIONS'].includes(req.method))
        ) {
          accepted.push(`${status} ${req.kind} ${req.method} ${req.path.slice(0, 120)}`);
        }
      }
    }),
  );
  agent.destroy();
  const seconds = (Date.now() - started) / 1000;
  const after = await snapshot(cloud.dataDir);
  const summary = [...statuses.entries()]
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  console.log(
    `fuzz: ${sent} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s); answers ${summary}; server errors (5xx but 501 NotImplemented) ${serverErrors.length}; accepted writes ${accepted.length}`,
  );
  assert.deepEqual(serverErrors.slice(0, 10), []);
  assert.deepEqual(accepted.slice(0, 10), []);
  assert.equal(fs.readFileSync(pidFile, 'utf8').trim(), pid, 'the daemon did not restart');
  process.kill(Number(pid), 0);
  assert.equal(after, before, 'no rejected request changed the store or the data dir');
  assert.doesNotMatch(cloud.output(), /internal error/);
  assert.ok(
    !fs.existsSync(path.join(cloudPaths(cloud.dataDir).walrusDir, 'tmp')) ||
      fs.readdirSync(path.join(cloudPaths(cloud.dataDir).walrusDir, 'tmp')).length === 0,
    'no temp files left',
  );
});
