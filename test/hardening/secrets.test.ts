/**
 * Secrets and access: after a workload (keys, users with passwords, key pairs, --debug on every
 * command) no secret key, password, private key or cluster key appears in the cloud's or the
 * node's log, in --debug output or in an error message; every file holding a secret is 0600 in a
 * 0700 folder; a request more than 15 minutes off is refused by EC2, Euare and Walrus; and a
 * signature for one request authorizes no changed one (method, path, query, body, signed header),
 * with Signature V4 and V2.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signQueryV2 } from '../../src/shared/auth/sigv2';
import { signV4 } from '../../src/shared/auth/sigv4';
import { send } from '../../src/cli/http';
import { cloudPaths } from '../../src/shared/paths';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';

describe('secrets and signatures', () => {
  let cloud: TestCloud;
  let creds: { accessKeyId: string; secretAccessKey: string };
  before(async () => {
    cloud = await startCloud();
    creds = { accessKeyId: cloud.eucarc.EC2_ACCESS_KEY, secretAccessKey: cloud.eucarc.EC2_SECRET_KEY };
  });
  after(() => cloud.stop());

  test('no secret in logs, --debug output or error messages after a workload', async () => {
    const env = cloud.env;
    const outputs: string[] = [];
    const debug = async (cmd: string, args: string[], e = env) => {
      const r = await run(cmd, [...args, '--debug'], e);
      outputs.push(r.stderr);
      return r;
    };
    const password = 'Pa55-never-logged';
    await debug('euca-describe-availability-zones', []);
    const user = await runOk('euare-usercreate', ['-u', 'sam', '-k'], env);
    const [samKey, samSecret] = user.trim().split('\n');
    await debug('euare-useraddloginprofile', ['-u', 'sam', '-p', password]);
    const keypair = await debug('euca-add-keypair', ['secretkey']);
    const privateKey = keypair.stdout.split('\n').slice(1).join('\n').trim();
    assert.match(privateKey, /PRIVATE KEY/);
    const sam = {
      ...env,
      EC2_ACCESS_KEY: samKey,
      EC2_SECRET_KEY: samSecret,
      AWS_ACCESS_KEY: samKey,
      AWS_SECRET_KEY: samSecret,
    };
    await debug('euca-describe-instances', [], sam); // denied: an error message
    await debug('euca-describe-images', [], { ...env, EC2_SECRET_KEY: samSecret }); // a bad signature
    await debug('euare-usercreatecert', ['-u', 'sam']);

    const paths = cloudPaths(cloud.dataDir);
    const logs = [
      path.join(paths.logDir, 'cloud-output.log'),
      ...fs
        .readdirSync(path.join(cloud.dataDir, 'node'), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.log'))
        .map((f) => path.join(cloud.dataDir, 'node', f)),
    ]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f, 'utf8'));
    const clusterKey = fs.readFileSync(path.join(paths.keysDir, 'node-cluster.key'), 'utf8').trim();
    const keyBody = privateKey.split('\n').slice(1, 3).join('');
    const haystacks = [...logs, ...outputs, cloud.output()];
    for (const [what, secret] of [
      ['admin secret key', creds.secretAccessKey],
      ['user secret key', samSecret],
      ['password', password],
      ['key pair private key', keyBody],
      ['cluster key', clusterKey],
    ] as const) {
      for (const h of haystacks) assert.ok(!h.includes(secret), `the ${what} appears in a log or in --debug output`);
    }
    for (const h of haystacks) assert.doesNotMatch(h, /-----BEGIN (RSA )?PRIVATE KEY-----\s*\n[A-Za-z0-9+/]{20}/);
  });

  test('every file holding a secret is 0600 in a 0700 folder, in the cloud and for the client', async () => {
    const paths = cloudPaths(cloud.dataDir);
    const check = (dir: string, files: (name: string) => boolean) => {
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700, dir);
      for (const f of fs.readdirSync(dir).filter(files))
        assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, path.join(dir, f));
    };
    check(paths.credentialsDir, () => true);
    check(paths.keysDir, (f) => /pk\.pem$|\.key$|token/.test(f));
    check(path.join(cloud.dataDir, 'node', 'var', 'lib', 'eucalyptus', 'keys'), () => true);
    const work = tempDir('euca-client-secrets-');
    await runOk('euca-add-keypair', ['filekey', '-f', path.join(work, 'filekey.private')], cloud.env);
    assert.equal(fs.statSync(path.join(work, 'filekey.private')).mode & 0o777, 0o600);
    const zip = path.join(work, 'creds.zip');
    await runOk('euca_conf', ['--get-credentials', zip], { ...cloud.env, EUCALYPTUS: cloud.dataDir });
    assert.equal(fs.statSync(zip).mode & 0o777, 0o600);
  });

  const url = (p: string) => new URL(`${new URL(cloud.eucarc.EC2_URL).origin}${p}`);
  const signed = (method: string, p: string, service: string, body?: string, at = new Date()) => {
    const headers: Record<string, string> = {
      host: url(p).host,
      'x-amz-date': at.toISOString().replace(/[-:]|\.\d{3}/g, ''),
    };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const req = { method, url: url(p), headers, body, path: p };
    signV4(req, creds, service, 'eucalyptus');
    return req;
  };
  const status = async (req: {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body?: string;
    path?: string;
  }) => (await send(req)).status;

  test('requests more than 15 minutes off are refused by EC2, Euare and Walrus', async () => {
    const old = new Date(Date.now() - 16 * 60 * 1000);
    const body = 'Action=DescribeKeyPairs&Version=2012-12-01';
    const ec2 = await send(signed('POST', '/services/Eucalyptus', 'ec2', body, old));
    assert.equal(ec2.status, 400);
    assert.match(ec2.body.toString(), /RequestExpired/);
    const iam = await send(signed('POST', '/services/Euare', 'iam', 'Action=ListUsers&Version=2010-05-08', old));
    assert.match(iam.body.toString(), /RequestExpired/);
    const s3 = await send(signed('GET', '/services/Walrus/', 's3', undefined, old));
    assert.equal(s3.status, 403);
    assert.match(s3.body.toString(), /RequestTimeTooSkewed/);
    assert.equal(
      await status(signed('POST', '/services/Eucalyptus', 'ec2', body, new Date(Date.now() - 10 * 60 * 1000))),
      200,
    );
  });

  test('a signature for one request authorizes no changed one (V4 on EC2, Euare and Walrus; V2 Query)', async () => {
    const body = 'Action=DescribeKeyPairs&Version=2012-12-01';
    const good = signed('POST', '/services/Eucalyptus', 'ec2', body);
    assert.equal(await status(good), 200);
    /** Refused for its signature: 401/403, or S3's 400 for a body that is not the one signed. */
    const refused = async (req: Parameters<typeof status>[0], what: string) => {
      const res = await send(req);
      assert.ok([400, 401, 403].includes(res.status), `${what}: ${res.status}`);
      assert.match(
        res.body.toString(),
        /SignatureDoesNotMatch|XAmzContentSHA256Mismatch|AuthFailure|IncompleteSignature/,
        what,
      );
    };
    await refused({ ...good, body: 'Action=DescribeKeyPairs&Version=2012-12-02' }, 'changed body (same length)');
    await refused({ ...good, path: '/services/compute', url: url('/services/compute') }, 'changed path');
    await refused({ ...good, method: 'PUT' }, 'changed method');
    await refused(
      {
        ...good,
        headers: {
          ...good.headers,
          'x-amz-date': good.headers['x-amz-date'].replace(/(\d)Z$/, (_, d) => `${(Number(d) + 1) % 10}Z`),
        },
      },
      'changed signed header',
    );
    const q = signed('GET', '/services/Euare?Action=ListUsers&Version=2010-05-08', 'iam');
    assert.equal(await status(q), 200);
    await refused(
      {
        ...q,
        path: '/services/Euare?Action=ListUsers&Version=2010-05-08&PathPrefix=/x/',
        url: url('/services/Euare?Action=ListUsers&Version=2010-05-08&PathPrefix=/x/'),
      },
      'changed query',
    );

    // Walrus: the payload hash is signed.
    await status(signed('PUT', '/services/Walrus/sig-bucket', 's3'));
    const put = signed('PUT', '/services/Walrus/sig-bucket/obj', 's3', 'original');
    assert.equal(await status(put), 200);
    await refused({ ...put, body: 'tampered' }, 'changed object body');
    await refused(
      { ...put, path: '/services/Walrus/sig-bucket/other', url: url('/services/Walrus/sig-bucket/other') },
      'changed key',
    );

    // Signature V2 (Query): the parameters are what is signed.
    const host = url('/').host;
    const v2 = signQueryV2(
      'POST',
      host,
      '/services/Eucalyptus',
      { Action: 'DescribeKeyPairs', Version: '2012-12-01' },
      creds,
    );
    const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
    const v2req = (p: Record<string, string>) => ({
      method: 'POST',
      url: url('/services/Eucalyptus'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form(p),
    });
    assert.equal(await status(v2req(v2)), 200);
    await refused(v2req({ ...v2, Action: 'DescribeImages' }), 'V2 changed action');
  });
});
