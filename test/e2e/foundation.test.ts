/**
 * The foundation, end to end: real daemons on free ports with temporary data dirs, real bin
 * commands, and AWS's own clients (aws CLI and boto3 with Signature V4, boto 2 with V2).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signQueryV2 } from '../../src/shared/auth/sigv2';
import { cloudPaths } from '../../src/shared/paths';
import { cleanEnv, PKG, ROOT, run, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';

// The zone's name, its state, and its (empty) messages: every field euca2ools prints.
const ZONE_LINE = /^AVAILABILITYZONE\tcluster01\tavailable\t$/m;

describe('a running cloud', () => {
  let cloud: TestCloud;
  before(async () => {
    cloud = await startCloud();
  });
  after(async () => cloud.stop());

  test('euca-describe-availability-zones prints the zone line, as the seed shows', async () => {
    const r = await run('euca-describe-availability-zones', [], cloud.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'AVAILABILITYZONE\tcluster01\tavailable\t\n');
    assert.equal(r.stderr, '');
  });

  test('euca-describe-regions prints the cloud and Walrus regions with their endpoints', async () => {
    const r = await run('euca-describe-regions', [], cloud.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `REGION\teucalyptus\t${cloud.eucarc.EC2_URL}\nREGION\twalrus\t${cloud.eucarc.S3_URL}\n`);
  });

  test('zone and region names and filters narrow the answer; an unknown zone is an error', async () => {
    assert.match((await run('euca-describe-availability-zones', ['cluster01'], cloud.env)).stdout, ZONE_LINE);
    assert.equal(
      (await run('euca-describe-availability-zones', ['--filter', 'state=unavailable'], cloud.env)).stdout,
      '',
    );
    assert.equal(
      (await run('euca-describe-regions', ['--filter', 'region-name=walr*'], cloud.env)).stdout.split('\n')[0],
      `REGION\twalrus\t${cloud.eucarc.S3_URL}`,
    );
    const bad = await run('euca-describe-availability-zones', ['nozone'], cloud.env);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'euca-describe-availability-zones: error (InvalidParameterValue): Invalid availability zone: [nozone]\n',
    );
  });

  test('Signature V2, as Eucalyptus 3 speaks it, works from our client', async () => {
    const r = await run('euca-describe-availability-zones', ['--signature-version', '2'], cloud.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, ZONE_LINE);
  });

  test('endpoints and keys given as flags win over the environment', async () => {
    const env = { ...cloud.env, EC2_URL: 'http://127.0.0.1:1/services/Eucalyptus', EC2_SECRET_KEY: 'wrong' };
    const r = await run(
      'euca-describe-availability-zones',
      ['-U', cloud.eucarc.EC2_URL, '-I', cloud.eucarc.EC2_ACCESS_KEY, '-S', cloud.eucarc.EC2_SECRET_KEY],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, ZONE_LINE);
  });

  test('euca2ools ini files name regions and users; --region USER@REGION picks them', async () => {
    const home = tempDir('euca-home-');
    fs.mkdirSync(path.join(home, '.euca'));
    fs.writeFileSync(
      path.join(home, '.euca', 'my.cloud.ini'),
      `[region my.cloud]\nec2-url ` +
        `= ${cloud.eucarc.EC2_URL}\nuser = nobody\n\n[user nobody]\nkey-id = ` +
        `AKIDNOBODY0000000000\nsecret-key = nope\n\n` +
        `[user admin]\nkey-id ` +
        `= ${cloud.eucarc.EC2_ACCESS_KEY}\nsecret-key = ${cloud.eucarc.EC2_SECRET_KEY}\n\n[global]\ndefault-region = my.cloud\n`,
    );
    const env = cleanEnv({ HOME: home });
    const asAdmin = await run('euca-describe-availability-zones', ['--region', 'admin@my.cloud'], env);
    assert.equal(asAdmin.code, 0, asAdmin.stderr);
    assert.match(asAdmin.stdout, ZONE_LINE);
    const asDefault = await run('euca-describe-availability-zones', [], env);
    assert.equal(asDefault.code, 1);
    assert.match(asDefault.stderr, /^euca-describe-availability-zones: error \(AuthFailure\): /);
  });

  test('a wrong secret key fails with exit status 1 and one line naming SignatureDoesNotMatch', async () => {
    for (const sig of ['4', '2']) {
      const r = await run('euca-describe-availability-zones', ['--signature-version', sig], {
        ...cloud.env,
        EC2_SECRET_KEY: 'not-the-secret',
      });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.match(r.stderr, /^euca-describe-availability-zones: error \(SignatureDoesNotMatch\): /);
    }
  });

  test('an unknown access key fails with AuthFailure', async () => {
    const r = await run('euca-describe-availability-zones', [], {
      ...cloud.env,
      EC2_ACCESS_KEY: 'AKIDUNKNOWN000000000',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^euca-describe-availability-zones: error \(AuthFailure\): [^\n]+\n$/);
  });

  test('--debug traces request and response with the signature and secrets redacted', async () => {
    const r = await run('euca-describe-availability-zones', ['--debug'], cloud.env);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Authorization: AWS4-HMAC-SHA256 Credential=.*Signature=<redacted>/);
    assert.match(r.stderr, /DescribeAvailabilityZonesResponse/);
    assert.ok(!r.stderr.includes(cloud.eucarc.EC2_SECRET_KEY));
    const v2 = await run('euca-describe-availability-zones', ['--debug', '--signature-version', '2'], cloud.env);
    assert.match(v2.stderr, /Signature=<redacted>/);
    assert.ok(!/Signature=[A-Za-z0-9%]{20,}/.test(v2.stderr), v2.stderr);
  });

  test('the service answers AWS error documents, never a stack trace or a 500', async () => {
    const url = cloud.eucarc.EC2_URL;
    const post = async (body: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    const creds = { accessKeyId: cloud.eucarc.EC2_ACCESS_KEY, secretAccessKey: cloud.eucarc.EC2_SECRET_KEY };
    const u = new URL(url);
    const signed = (params: Record<string, string>, now?: Date) =>
      new URLSearchParams(signQueryV2('POST', u.host, u.pathname, params, creds, now)).toString();

    const unknown = await post(signed({ Action: 'LaunchRockets', Version: '2014-06-15' }));
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /<Code>InvalidAction<\/Code>/);

    const old = await post(
      signed({ Action: 'DescribeRegions', Version: '2014-06-15' }, new Date(Date.now() - 20 * 60 * 1000)),
    );
    assert.equal(old.status, 400);
    assert.match(old.text, /<Code>RequestExpired<\/Code>/);

    const noVersion = await post(signed({ Action: 'DescribeRegions' }));
    assert.equal(noVersion.status, 400);
    assert.match(noVersion.text, /<Code>MissingParameter<\/Code>/);

    const unsigned = await post('Action=DescribeRegions&Version=2014-06-15');
    assert.equal(unsigned.status, 401);
    assert.match(unsigned.text, /<Code>AuthFailure<\/Code>/);

    for (const body of [
      '%%%',
      'Action=&&&=',
      'AWSAccessKeyId=x&Signature=y&SignatureVersion=9&SignatureMethod=z&Action=A',
      '\u0000\uffff',
    ]) {
      const r = await post(body);
      assert.ok(r.status >= 400 && r.status < 500, `${r.status} for ${body}`);
      assert.match(r.text, /<Response><Errors><Error><Code>\w+<\/Code>/);
    }
  });

  test('the EC2 endpoint answers in the namespace of the API version asked for', async () => {
    const u = new URL(cloud.eucarc.EC2_URL);
    const creds = { accessKeyId: cloud.eucarc.EC2_ACCESS_KEY, secretAccessKey: cloud.eucarc.EC2_SECRET_KEY };
    for (const version of ['2009-04-04', '2012-12-01']) {
      const body = new URLSearchParams(
        signQueryV2('POST', u.host, u.pathname, { Action: 'DescribeAvailabilityZones', Version: version }, creds),
      ).toString();
      const res = await fetch(u, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      assert.match(
        await res.text(),
        new RegExp(`<DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/${version}/">`),
      );
    }
  });
});

describe('the daemon lifecycle', () => {
  test('a stopped daemon gives one line naming the URL; a restart keeps the admin keys', async () => {
    const dataDir = tempDir('euca-cloud-');
    const first = await startCloud(dataDir);
    await first.stop();
    const down = await run('euca-describe-availability-zones', [], first.env);
    assert.equal(down.code, 1);
    assert.equal(
      down.stderr,
      `euca-describe-availability-zones: error (ConnectionError): could not connect ` +
        `to ${first.eucarc.EC2_URL}: ECONNREFUSED\n`,
    );

    const second = await startCloud(dataDir, first.port);
    try {
      assert.equal(second.eucarc.EC2_ACCESS_KEY, first.eucarc.EC2_ACCESS_KEY);
      assert.equal(second.eucarc.EC2_SECRET_KEY, first.eucarc.EC2_SECRET_KEY);
      const again = await run('euca-describe-availability-zones', [], first.env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, ZONE_LINE);
    } finally {
      await second.stop();
    }
  });

  test(
    'with an empty HOME and no settings, the first command starts the local cloud and the second reuses ' + 'it',
    async () => {
      const home = tempDir('euca-home-');
      const env = cleanEnv({ HOME: home });
      const paths = cloudPaths(path.join(home, '.euca', 'local'));
      try {
        const first = await run('euca-describe-availability-zones', [], env);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, ZONE_LINE);
        assert.match(
          first.stderr,
          /^euca-describe-availability-zones: started the local cloud \(pid \d+\); data in .*\.euca\/local, log in .*cloud-output\.log\n$/,
        );
        const pid = fs.readFileSync(paths.pidFile, 'utf8').trim();

        const second = await run('euca-describe-availability-zones', [], env);
        assert.equal(second.code, 0);
        assert.match(second.stdout, ZONE_LINE);
        assert.equal(second.stderr, '');
        assert.equal(fs.readFileSync(paths.pidFile, 'utf8').trim(), pid);

        const status = await run('eucalyptus-cloud', ['status'], env);
        assert.equal(status.code, 0);
        assert.match(status.stdout, new RegExp(`running \\(pid ${pid}\\)`));

        // Secrets are private: folders 0700, credential files 0600.
        assert.equal(fs.statSync(paths.credentialsDir).mode & 0o777, 0o700);
        assert.equal(fs.statSync(paths.keysDir).mode & 0o777, 0o700);
        for (const f of fs.readdirSync(paths.credentialsDir))
          assert.equal(fs.statSync(path.join(paths.credentialsDir, f)).mode & 0o777, 0o600, f);
        assert.equal(fs.statSync(path.join(paths.keysDir, 'cloud-pk.pem')).mode & 0o777, 0o600);
        // ... and never logged.
        const log = fs.readFileSync(paths.log, 'utf8');
        const rc = fs.readFileSync(paths.eucarc, 'utf8');
        const secret = /EC2_SECRET_KEY='([^']+)'/.exec(rc)![1];
        assert.ok(!log.includes(secret));
      } finally {
        const stop = await run('eucalyptus-cloud', ['stop'], env);
        assert.match(stop.stdout, /^eucalyptus-cloud stopped \(pid \d+\)\n$/);
      }
      const status = await run('eucalyptus-cloud', ['status'], env);
      assert.equal(status.code, 3);
      assert.equal(status.stdout, 'eucalyptus-cloud is not running\n');
    },
  );
});

describe('the command surface', () => {
  test('every command in package.json has --help and a man page; usage errors exit 2', async () => {
    const env = cleanEnv({ HOME: tempDir('euca-home-') });
    for (const name of Object.keys(PKG.bin)) {
      if (name === 'euca2ools') continue;
      const r = await run(name, ['--help'], env);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: ${name} `));
      assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'man', 'man1', `${name}.1`)), `man page of ${name}`);
    }
    const bad = await run('euca-describe-regions', ['--no-such-flag'], env);
    assert.equal(bad.code, 2);
    assert.ok(!bad.stderr.includes('\u001b['), 'no colour in piped output');
    const forced = await run('euca-describe-regions', ['--no-such-flag'], { ...env, FORCE_COLOR: '1' });
    assert.match(forced.stderr, /\u001b\[31meuca-describe-regions: error: unrecognized arguments: --no-such-flag/);
    assert.match(bad.stderr, /^usage: euca-describe-regions /);
    assert.match(bad.stderr, /euca-describe-regions: error: unrecognized arguments: --no-such-flag\n$/);
  });

  test("the commands' bundle carries none of the daemons' code, nor the TypeScript compiler", () => {
    // Start-up time is every command's: what only the daemons use stays in their bundles.
    const cli = fs.readFileSync(path.join(ROOT, 'dist', 'cli.js'), 'utf8');
    for (const marker of ['llhttp', 'ec2Model', 'ts.createSourceFile', 'better-sqlite3/lib'])
      assert.ok(!cli.includes(marker), `dist/cli.js includes ${marker}`);
  });

  test('package.json lists exactly the built commands and their man pages (the build does not rewrite it)', () => {
    const maps = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'package-maps.json'), 'utf8'));
    assert.deepEqual(PKG.bin, maps.bin);
    assert.deepEqual(PKG.man, maps.man);
  });

  test('euca-version prints the toolkit version on stderr, as euca2ools does; --version the same', async () => {
    const r = await run('euca-version', [], cleanEnv());
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `euca2ools ${PKG.version} (euca2ools 3 compatible)\n`);
    const v = await run('euca-describe-regions', ['--version'], cleanEnv());
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `euca2ools ${PKG.version} (euca2ools 3 compatible)\n`);
  });

  test('the package table lists every foundation command of ../shared/commands.txt', () => {
    const listed = fs.existsSync(path.join(ROOT, '..', 'shared', 'commands.txt'))
      ? fs
          .readFileSync(path.join(ROOT, '..', 'shared', 'commands.txt'), 'utf8')
          .split('\n')
          .filter((l) => l.endsWith('\tfoundation'))
          .map((l) => l.split('\t')[0])
      : ['euca-version', 'eucalyptus-cloud', 'euca-describe-availability-zones', 'euca-describe-regions'];
    for (const name of listed) assert.equal(PKG.bin[name], 'bin/euca2ools.js', name);
  });
});
