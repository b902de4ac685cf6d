/**
 * euca_conf on a running cloud's data dir: credentials zips that work from a bare shell after
 * `source eucarc`; node controllers paired by token and registered (capacity adds up, a removed
 * node goes, an unpaired one refuses the cluster); checked eucalyptus.conf edits with comments
 * kept; clusters; --upgrade-conf; and a networking mode switched by euca_conf taking effect after
 * a restart.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type NcError, NodeControllerClient } from '../../src/shared/nc-protocol';
import { IdentityStore } from '../../src/backend/iam/store';
import { cloudPaths } from '../../src/shared/paths';
import { SqlStore } from '../../src/backend/store/sql-store';
import { cloudDatabase } from '../../src/backend/store/database';
import { cleanEnv, run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { startNode, type TestNode, waitFor } from '../helpers/node';

type Env = Record<string, string>;

describe('euca_conf', () => {
  let cloud: TestCloud;
  let env: Env;
  let confEnv: Env;
  let work: string;
  const nodes: TestNode[] = [];

  before(async () => {
    cloud = await startCloud();
    env = cloud.env;
    confEnv = cleanEnv({ EUCALYPTUS: cloud.dataDir });
    work = tempDir('euca-conf-');
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const unzip = async (zip: string, dir: string) => {
    fs.mkdirSync(dir);
    const r = await run('python3', ['-m', 'zipfile', '-e', zip, dir], cleanEnv());
    assert.equal(r.code, 0, r.stderr);
    return fs.readdirSync(dir).sort();
  };
  /** Runs commands in a bare bash that has only sourced the eucarc: no local cloud to fall back on. */
  const sourced = async (dir: string, script: string) => {
    const home = tempDir('euca-bare-home-');
    const localDir = path.join(home, 'must-not-exist');
    const r = await run(
      'bash',
      ['-c', `set -e; source ${dir}/eucarc; ${script}`],
      cleanEnv({ HOME: home, EUCA_LOCAL_DIR: localDir }),
    );
    assert.ok(!fs.existsSync(localDir), 'no local cloud was started');
    return r;
  };

  test('--get-credentials: a 0600 zip whose eucarc, sourced in a bare shell, is all the commands need', async () => {
    const zip = path.join(work, 'creds.zip');
    assert.match(
      await runOk('euca_conf', ['--get-credentials', zip], confEnv),
      /wrote the credentials of admin \(account eucalyptus\)/,
    );
    assert.equal(fs.statSync(zip).mode & 0o777, 0o600);
    const files = await unzip(zip, path.join(work, 'creds'));
    assert.equal(files.length, 4);
    assert.ok(files.includes('eucarc') && files.includes('cloud-cert.pem'));
    assert.ok(
      files.some((f) => /^euca2-admin-\w{8}-cert\.pem$/.test(f)) &&
        files.some((f) => /^euca2-admin-\w{8}-pk\.pem$/.test(f)),
    );
    const eucarc = fs.readFileSync(path.join(work, 'creds', 'eucarc'), 'utf8');
    for (const v of [
      'EC2_URL',
      'S3_URL',
      'EUARE_URL',
      'EC2_ACCESS_KEY',
      'EC2_SECRET_KEY',
      'AWS_ACCESS_KEY',
      'AWS_SECRET_KEY',
      'EC2_CERT',
      'EC2_PRIVATE_KEY',
      'EUCALYPTUS_CERT',
      'EC2_USER_ID',
      'EC2_ACCOUNT_NUMBER',
    ]) {
      assert.match(eucarc, new RegExp(`^export ${v}=`, 'm'), v);
    }
    assert.match(eucarc, /^alias ec2-bundle-image=/m);
    const r = await sourced(
      path.join(work, 'creds'),
      'euca-describe-availability-zones; euare-getcallerid; euca-describe-images; test -r "$EC2_CERT" && ' +
        'test -r "$EC2_PRIVATE_KEY" && echo keys-readable',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^AVAILABILITYZONE\tcluster01/m);
    assert.match(r.stdout, /^arn = arn:aws:iam::\d{12}:user\/admin$/m);
    assert.match(r.stdout, /keys-readable/);

    // A second call: the same access key, a new certificate and private key.
    const again = path.join(work, 'again.zip');
    await runOk('euca_conf', ['--get-credentials', again], confEnv);
    const files2 = await unzip(again, path.join(work, 'again'));
    const key = (f: string) => /EC2_ACCESS_KEY='(\w+)'/.exec(fs.readFileSync(f, 'utf8'))![1];
    assert.equal(key(path.join(work, 'again', 'eucarc')), key(path.join(work, 'creds', 'eucarc')));
    assert.notDeepEqual(files2, files);
  });

  test("--cred-account/--cred-user: another account's user gets credentials of their own", async () => {
    const acme = (await runOk('euare-accountcreate', ['-a', 'acme'], env)).trim().split('\t')[1];
    await runOk('euare-usercreate', ['-u', 'alice', '--as-account', 'acme'], env);
    await runOk(
      'euare-useraddpolicy',
      ['-u', 'alice', '-p', 'all', '-e', 'Allow', '-a', '*', '--as-account', 'acme'],
      env,
    );
    const zip = path.join(work, 'alice.zip');
    await runOk('euca_conf', ['--get-credentials', zip, '--cred-account', 'acme', '--cred-user', 'alice'], confEnv);
    const files = await unzip(zip, path.join(work, 'alice'));
    assert.ok(files.some((f) => f.startsWith('euca2-alice-')));
    const r = await sourced(
      path.join(work, 'alice'),
      'euare-getcallerid; euca-describe-availability-zones; euca-add-keypair alicekey >/dev/null; ' +
        'euca-describe-keypairs',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^arn = arn:aws:iam::${acme}:user/alice$`, 'm'));
    assert.match(r.stdout, /^KEYPAIR\talicekey\t/m);
    const missing = await run(
      'euca_conf',
      ['--get-credentials', path.join(work, 'x.zip'), '--cred-account', 'acme', '--cred-user', 'nobody'],
      confEnv,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^euca_conf: error \(NoSuchEntity\): no user named nobody/);
    assert.ok(!fs.existsSync(path.join(work, 'x.zip')));
  });

  test(
    'eucalyptus.conf edits are checked first (nothing written when one is wrong), comments kept, restarts ' + 'named',
    async () => {
      const conf = cloudPaths(cloud.dataDir).conf;
      const before = fs.readFileSync(conf, 'utf8');
      const refused = async (args: string[], why: RegExp) => {
        const r = await run('euca_conf', args, confEnv);
        assert.equal(r.code, 1, r.stdout);
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, why);
      };
      await refused(['--set', 'VNET_SUBNET=10.128.0.1'], /VNET_SUBNET 10\.128\.0\.1 does not fit VNET_NETMASK/);
      await refused(['--set', 'VNET_MODE=TURBO'], /VNET_MODE "TURBO" is not a networking mode/);
      await refused(
        ['--set', 'VNET_MODE=STATIC', '--set', 'VNET_MACMAP=d0:0d:00:00:00:01=192.168.7.7'],
        /VNET_MACMAP D0:0D:00:00:00:01=192\.168\.7\.7 is outside VNET_SUBNET/i,
      );
      await refused(['--set', 'MAX_CORES=lots'], /MAX_CORES="lots": must be a positive whole number/);
      // Only what a node of this build can run: xen and vmware are not drivers it has.
      await refused(['--set', 'HYPERVISOR=xen'], /HYPERVISOR="xen": must be one of kvm, qemu, simulated/);
      for (const h of ['vmware', 'xen']) {
        const usage = await run('euca_conf', ['--hypervisor', h], confEnv);
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, new RegExp(h));
      }
      assert.equal(fs.readFileSync(conf, 'utf8'), before);

      const r = await runOk(
        'euca_conf',
        ['--hypervisor', 'simulated', '--instances', '/srv/instances', '--set', 'SCHEDPOLICY=GREEDY'],
        confEnv,
      );
      assert.match(r, /^HYPERVISOR="simulated"$/m);
      assert.match(r, /restart the cloud .* for the changes to take effect/);
      assert.match(r, /restart the node controllers/);
      const after = fs.readFileSync(conf, 'utf8');
      assert.match(after, /^HYPERVISOR="simulated"$/m);
      assert.match(after, /^INSTANCE_PATH="\/srv\/instances"$/m);
      assert.match(after, /^SCHEDPOLICY="GREEDY"$/m);
      assert.deepEqual(
        after.split('\n').filter((l) => l.startsWith('#')),
        before.split('\n').filter((l) => l.startsWith('#')),
      );
      await runOk(
        'euca_conf',
        [
          '--set',
          'HYPERVISOR=simulated',
          '--instances',
          '/var/lib/eucalyptus/instances',
          '--set',
          'SCHEDPOLICY=ROUNDROBIN',
        ],
        confEnv,
      );
    },
  );

  test('a cloud set up before its first start: the default eucalyptus.conf with the settings; a secret 0600, never shown', async () => {
    const fresh = tempDir('euca-cloud-');
    const conf = cloudPaths(fresh).conf;
    const wrong = await run('euca_conf', ['-d', fresh, '--set', 'VOLUME_EXPORT=iscsi'], cleanEnv());
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /VOLUME_EXPORT="iscsi": must be one of file, nbd/);
    assert.ok(!fs.existsSync(conf), 'nothing written');
    const out = await runOk(
      'euca_conf',
      [
        '-d',
        fresh,
        '--set',
        'VOLUME_EXPORT=nbd',
        '--set',
        'VOLUMES_DIR=/srv/eucalyptus/volumes',
        '--set',
        'WALRUS_S3_SECRET_KEY=very-secret-words',
      ],
      cleanEnv(),
    );
    assert.match(out, /^WALRUS_S3_SECRET_KEY="\*\*\*"$/m);
    assert.doesNotMatch(out, /very-secret-words/);
    const text = fs.readFileSync(conf, 'utf8');
    assert.match(text, /^VNET_MODE="MANAGED-NOVLAN"$/m, 'the defaults, as a first start writes them');
    assert.match(text, /^VOLUME_EXPORT="nbd"$/m);
    assert.match(text, /^VOLUMES_DIR="\/srv\/eucalyptus\/volumes"$/m);
    assert.equal(fs.statSync(conf).mode & 0o777, 0o600);
    const relative = await run('euca_conf', ['-d', fresh, '--set', 'VOLUMES_DIR=volumes'], cleanEnv());
    assert.match(relative.stderr, /VOLUMES_DIR="volumes": must be an absolute path/);
  });

  test("--upgrade-conf carries an older file's settings into a new one", async () => {
    const old = path.join(work, 'eucalyptus.conf.old');
    const fresh = path.join(work, 'eucalyptus.conf.new');
    fs.writeFileSync(
      old,
      'VNET_MODE="MANAGED"\nVNET_SUBNET="172.16.0.0"\nVNET_NETMASK="255.255.0.0"\nVNET_ADDRSPERNET="64"\nNODES="10.0.0.5 10.0.0.6"\n',
    );
    fs.writeFileSync(
      fresh,
      '# the new release\'s file\nVNET_MODE="SYSTEM"\n# subnet\nVNET_SUBNET=""\nVNET_NETMASK=""\n',
    );
    assert.match(await runOk('euca_conf', ['--upgrade-conf', old, fresh], confEnv), /carried 5 settings/);
    const text = fs.readFileSync(fresh, 'utf8');
    assert.match(text, /^# the new release's file$/m);
    assert.match(text, /^VNET_MODE="MANAGED"$/m);
    assert.match(text, /^NODES="10\.0\.0\.5 10\.0\.0\.6"$/m);
  });

  test('clusters: add, list, delete', async () => {
    assert.match(
      await runOk('euca_conf', ['--addcluster', 'cluster02', '127.0.0.1:9999'], confEnv),
      /cluster cluster02 at 127\.0\.0\.1:9999 added/,
    );
    assert.deepEqual(
      (await runOk('euca_conf', ['--list-clusters'], confEnv))
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[1]),
      ['cluster01', 'cluster02'],
    );
    assert.match(await runOk('euca-describe-availability-zones', [], env), /^AVAILABILITYZONE\tcluster02/m);
    const dup = await run('euca_conf', ['--addcluster', 'cluster02', '127.0.0.1'], confEnv);
    assert.match(dup.stderr, /EntityAlreadyExists/);
    await runOk('euca_conf', ['--delcluster', 'cluster02'], confEnv);
    assert.doesNotMatch(await runOk('euca-describe-availability-zones', [], env), /cluster02/);
  });

  test(
    'nodes paired by token: three nodes in the verbose view, capacity their sum; --delnode; an unpaired ' +
      'node refuses the cluster',
    async () => {
      const base = new URL(cloud.eucarc.EC2_URL).origin;
      for (let i = 0; i < 3; i++)
        nodes.push(await startNode(base, undefined, { MAX_CORES: '4', MAX_MEM: '4096', MAX_DISK: '100' }));
      const tokenOf = (n: TestNode) =>
        fs.readFileSync(path.join(n.dataDir, 'var', 'lib', 'eucalyptus', 'keys', 'pairing-token'), 'utf8').trim();
      const [n2, n3, stranger] = nodes;
      const address = (n: TestNode) => new URL(n.url).host;
      // Each printed its token (its output arrives through a pipe: wait for it).
      for (const n of nodes)
        await waitFor(
          'the pairing token printed',
          () => n.output().includes(`pairing token: ${tokenOf(n)}`) || undefined,
        );

      const capacity = async () => {
        const lines = (await runOk('euca-describe-availability-zones', ['verbose'], env)).split('\n');
        const small = lines.find((l) => /\|- m1\.small/.test(l))!;
        return {
          nodes: lines.filter((l) => /\|- \d+\.\d+\.\d+\.\d+/.test(l)).length,
          max: Number(/\/ (\d+)/.exec(small)![1]),
        };
      };
      const start = await capacity();
      assert.equal(start.nodes, 1);

      const wrong = await run(
        'euca_conf',
        ['--addnode', address(stranger), '--token', 'AAAAA-BBBBB-CCCCC-DDDDD'],
        confEnv,
      );
      assert.equal(wrong.code, 1);
      assert.match(wrong.stdout, /not added: .*InvalidPairingToken/);

      const added = await runOk(
        'euca_conf',
        ['--addnode', `${address(n2)} ${address(n3)}`, '--token', tokenOf(n2), '--token', tokenOf(n3)],
        confEnv,
      );
      assert.match(added, new RegExp(`${address(n2)}: paired and added to cluster01`));
      assert.ok(
        !fs.existsSync(path.join(n2.dataDir, 'var', 'lib', 'eucalyptus', 'keys', 'pairing-token')),
        'a token pairs once',
      );
      const three = await waitFor(
        'three nodes answering',
        async () => {
          const c = await capacity();
          return c.nodes === 3 && c.max === start.max + 8 ? c : undefined;
        },
        30_000,
      );
      assert.equal(three.max, start.max + 8);
      assert.match(
        await runOk('euca_conf', ['--list-nodes'], confEnv),
        new RegExp(`^NODE\\tcluster01\\t${address(n3)}\\tenabled`, 'm'),
      );
      assert.match(
        fs.readFileSync(cloudPaths(cloud.dataDir).conf, 'utf8'),
        new RegExp(`^NODES=".*${address(n3)}.*"$`, 'm'),
      );

      // The node that was never handed the key refuses whoever signs with the cluster's.
      const clusterKey = fs
        .readFileSync(path.join(cloudPaths(cloud.dataDir).keysDir, 'node-cluster.key'), 'utf8')
        .trim();
      const client = new NodeControllerClient(stranger.url, clusterKey);
      await assert.rejects(client.describeResource(), (e: NcError) => e.code === 'NotPaired');
      await client.close();

      assert.match(await runOk('euca_conf', ['--delnode', address(n3)], confEnv), /removed/);
      await waitFor('two nodes', async () => ((await capacity()).nodes === 2 ? true : undefined));
      assert.equal((await capacity()).max, start.max + 4);
      assert.match(
        await runOk('euca_conf', ['--synckeys'], confEnv),
        new RegExp(`${address(n2)}: has the cluster key`),
      );
    },
  );

  test(
    "the Dashboard's administrator tasks: account requests approved or rejected, users disabled and " +
      'enabled, passwords reset',
    async () => {
      const signUp = async (name: string) => {
        const url = new URL(cloud.eucarc.EUARE_URL);
        const body = new URLSearchParams({
          Action: 'RequestAccount',
          Version: '2010-05-08',
          AccountName: name,
          Email: `${name}@example.com`,
        }).toString();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        return { status: res.status, text: await res.text() };
      };
      assert.equal((await signUp('newco')).status, 200);
      assert.equal((await signUp('badco')).status, 200);
      assert.equal((await signUp('newco')).status, 409);
      assert.equal((await signUp('Not Valid')).status, 400);
      const requests = await runOk('euca_conf', ['--list-account-requests'], confEnv);
      assert.match(requests, /^REQUEST\tnewco\tnewco@example\.com\t/m);
      assert.match(await runOk('euca_conf', ['--approve-account', 'newco'], confEnv), /^newco\t\d{12}$/m);
      assert.match(await runOk('euca_conf', ['--reject-account', 'badco'], confEnv), /rejected/);
      assert.equal(await runOk('euca_conf', ['--list-account-requests'], confEnv), '');
      const accounts = await runOk('euare-accountlist', [], env);
      assert.match(accounts, /^newco\t/m);
      assert.doesNotMatch(accounts, /badco/);

      const [key, secret] = (await runOk('euare-usercreate', ['-u', 'bob', '-k'], env)).trim().split('\n');
      const bob = { ...env, EC2_ACCESS_KEY: key, EC2_SECRET_KEY: secret, AWS_ACCESS_KEY: key, AWS_SECRET_KEY: secret };
      assert.match(await runOk('euare-getcallerid', [], bob), /user\/bob/);
      assert.match(await runOk('euca_conf', ['--disable-user', 'bob'], confEnv), /disabled/);
      const refused = await run('euare-getcallerid', [], bob);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /InvalidClientTokenId/);
      await runOk('euca_conf', ['--enable-user', 'bob'], confEnv);
      assert.match(await runOk('euare-getcallerid', [], bob), /user\/bob/);

      assert.match(
        await runOk('euca_conf', ['--reset-password', 'bob', '--password', 'N3w-secret!'], confEnv),
        /password of user bob of account eucalyptus reset/,
      );
      const store = await SqlStore.open(cloudDatabase(cloudPaths(cloud.dataDir)));
      try {
        const user = (await store.findUser((await store.findAccountByName('eucalyptus'))!.id, 'bob'))!;
        assert.equal(await new IdentityStore(store.db).checkPassword(user.id, 'N3w-secret!'), true);
      } finally {
        await store.close();
      }
    },
  );

  test('switching VNET_MODE to SYSTEM and restarting: elastic IPs are refused', async () => {
    const ip = (await runOk('euca-allocate-address', [], env)).split('\t')[1];
    await runOk('euca-release-address', [ip], env);
    assert.match(await runOk('euca_conf', ['--set', 'VNET_MODE=SYSTEM'], confEnv), /restart the cloud/);
    await cloud.stop();
    cloud = await startCloud(cloud.dataDir, cloud.port);
    const r = await run('euca-allocate-address', [], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SYSTEM/);
  });
});
