/**
 * The cluster controller end to end, with the real commands against a real cloud: the
 * administrator's `verbose` zone view (seed 001's block; no node registered yet, so 0000 / 0000),
 * instance types, elastic IPs across accounts in the default MANAGED-NOVLAN mode, the mode error
 * in SYSTEM mode, a networking setting that stops the cloud, and the node controllers' internal
 * endpoints refusing unsigned requests.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { iptablesFile } from '../../src/backend/cluster';
import { loadOrCreateNodeKey } from '../../src/backend/cluster/internal-auth';
import { signRequest } from '../../src/shared/nc-protocol';
import { DEFAULT_CONF } from '../../src/backend/conf';
import { localNodeDir, nodePaths } from '../../src/shared/node-paths';
import { cloudPaths } from '../../src/shared/paths';
import { createTestAccount, type TestAccount } from '../helpers/accounts';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';

function writeConf(dataDir: string, settings: Record<string, string>): void {
  let text = DEFAULT_CONF;
  for (const [k, v] of Object.entries(settings)) text = text.replace(new RegExp(`^${k}=.*$`, 'm'), `${k}="${v}"`);
  const file = cloudPaths(dataDir).conf;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('cluster controller (MANAGED-NOVLAN, the default)', () => {
  let cloud: TestCloud;
  let alice: TestAccount;
  let bob: TestAccount;
  before(async () => {
    // The local node controller reports a fixed size, so the capacity lines are known.
    const dataDir = tempDir('euca-cloud-');
    const nodeConf = nodePaths(localNodeDir(dataDir)).conf;
    fs.mkdirSync(path.dirname(nodeConf), { recursive: true });
    fs.writeFileSync(nodeConf, 'MAX_CORES="4"\nMAX_MEM="1024"\nMAX_DISK="40"\nHYPERVISOR="simulated"\n');
    cloud = await startCloud(dataDir);
    alice = await createTestAccount(cloud.dataDir, 'alice', cloud.eucarc);
    bob = await createTestAccount(cloud.dataDir, 'bob', cloud.eucarc);
  });
  after(() => cloud.stop());

  test("the administrator's verbose zone view is seed 001's block", async () => {
    // Seed 001's lines, each with the (empty) third field euca2ools prints for zone messages.
    const lines = (await runOk('euca-describe-availability-zones', ['verbose'], cloud.env)).split('\n');
    const [nodeLine, hypervisorLine] = lines.splice(7, 2);
    assert.equal(
      lines.join('\n'),
      [
        'AVAILABILITYZONE\tcluster01\t127.0.0.1\t',
        'AVAILABILITYZONE\t|- vm types\tfree / max  cpu  ram  disk\t',
        'AVAILABILITYZONE\t|- m1.small\t0004 / 0004  1   128  10\t',
        'AVAILABILITYZONE\t|- c1.medium\t0004 / 0004  1   256  10\t',
        'AVAILABILITYZONE\t|- m1.large\t0002 / 0002  2   512  10\t',
        'AVAILABILITYZONE\t|- m1.xlarge\t0001 / 0001  2  1024  20\t',
        'AVAILABILITYZONE\t|- c1.xlarge\t0000 / 0000  4  2048  20\t',
        '',
      ].join('\n'),
    );
    assert.match(
      nodeLine,
      /^AVAILABILITYZONE\t\|- 127\.0\.0\.1\tcerts\[cc=true,nc=true\] @ \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \w+ \d{4}\t$/,
    );
    assert.equal(hypervisorLine, 'AVAILABILITYZONE\t|  |- hypervisor\tsimulated (instances are not booted)\t');
    // Anyone else asking verbose gets the plain list.
    assert.equal(
      await runOk('euca-describe-availability-zones', ['verbose'], alice.env),
      'AVAILABILITYZONE\tcluster01\tavailable\t\n',
    );
  });

  test('euca-describe-instance-types lists the VM types as euca2ools prints them', async () => {
    const out = await runOk('euca-describe-instance-types', [], alice.env);
    assert.equal(
      out,
      [
        'INSTANCETYPE\t Name       CPUs  Memory (MiB)  Disk (GiB)  NICs',
        'INSTANCETYPE\t m1.small      1           128          10     1',
        'INSTANCETYPE\t c1.medium     1           256          10     1',
        'INSTANCETYPE\t m1.large      2           512          10     1',
        'INSTANCETYPE\t m1.xlarge     2          1024          20     1',
        'INSTANCETYPE\t c1.xlarge     4          2048          20     1',
        '',
      ].join('\n'),
    );
    const capacity = (await runOk('euca-describe-instance-types', ['m1.small', '--show-capacity'], cloud.env)).split(
      '\n',
    );
    assert.match(capacity[0], /NICs {2}Used \/ Total {2}Used %$/);
    assert.match(capacity[1], /^INSTANCETYPE\t m1\.small .* 0 \/ +4/);
    const bad = await run('euca-describe-instance-types', ['m9.huge'], alice.env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error \(InvalidParameterValue\): Invalid instance type: \[m9\.huge\]/);
  });

  test(
    'elastic IPs: allocate, describe, the administrator sees whose, another account cannot release, ' + 'release',
    async () => {
      const allocated = (await runOk('euca-allocate-address', [], alice.env)).trim().split('\t');
      assert.equal(allocated[0], 'ADDRESS');
      assert.match(allocated[1], /^127\.0\.100\.(1\d|[23]\d|40)$/);
      assert.equal(allocated[2], 'standard');
      const ip = allocated[1];
      assert.equal(await runOk('euca-describe-addresses', [], alice.env), `ADDRESS\t${ip}\t\tstandard\t\t\t\t\n`);
      assert.equal(await runOk('euca-describe-addresses', [], bob.env), '');
      const adminView = await runOk('euca-describe-addresses', [ip], cloud.env);
      assert.equal(adminView, `ADDRESS\t${ip}\tavailable (alice)\tstandard\t\t\t\t\n`);
      assert.match(await runOk('euca-describe-addresses', [], cloud.env), /\tnobody\tstandard\t/);

      const stolen = await run('euca-release-address', [ip], bob.env);
      assert.equal(stolen.code, 1);
      assert.match(stolen.stderr, /^euca-release-address: error \(AuthFailure\): .*another account/m);
      const noInstance = await run('euca-associate-address', ['-i', 'i-12345678', ip], alice.env);
      assert.equal(noInstance.code, 1);
      assert.match(
        noInstance.stderr,
        /error \(InvalidInstanceID\.NotFound\): The instance ID 'i-12345678' does not exist/,
      );
      const notAssociated = await run('euca-disassociate-address', [ip], alice.env);
      assert.equal(notAssociated.code, 1);

      assert.equal(await runOk('euca-release-address', [ip], alice.env), `ADDRESS\t${ip}\t\n`);
      assert.equal(await runOk('euca-describe-addresses', [], alice.env), '');
      const again = await run('euca-release-address', [ip], alice.env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /InvalidAddress\.NotFound/);
      // The firewall the cluster would apply is rendered, never applied.
      assert.match(fs.readFileSync(iptablesFile(cloud.dataDir), 'utf8'), /^\*nat$[\s\S]*MASQUERADE/m);
    },
  );

  test('internal endpoints for node controllers refuse unsigned requests and answer signed ones', async () => {
    const base = new URL(cloud.eucarc.EC2_URL);
    const p = '/services/Eucalyptus/internal/images/emi-12345678';
    const unsigned = await fetch(new URL(p, base));
    assert.equal(unsigned.status, 403);
    const key = loadOrCreateNodeKey(cloudPaths(cloud.dataDir).keysDir);
    const signed = await fetch(new URL(p, base), { headers: signRequest(key, 'GET', p) });
    assert.equal(signed.status, 404);
    const m = '/services/Eucalyptus/internal/metadata/i-12345678/latest/meta-data/instance-id';
    assert.equal((await fetch(new URL(m, base), { headers: signRequest(key, 'GET', m) })).status, 404);
    const forged = await fetch(new URL(p, base), { headers: signRequest('00'.repeat(32), 'GET', p) });
    assert.equal(forged.status, 403);
  });
});

describe('cluster controller in other networking modes', () => {
  test('SYSTEM mode: elastic IPs are refused with a clear error', async () => {
    const dir = tempDir('euca-cloud-');
    writeConf(dir, { VNET_MODE: 'SYSTEM' });
    const cloud = await startCloud(dir);
    try {
      for (const [cmd, args] of [
        ['euca-allocate-address', []],
        ['euca-describe-addresses', []],
        ['euca-release-address', ['192.0.2.10']],
      ] as [string, string[]][]) {
        const r = await run(cmd, args, cloud.env);
        assert.equal(r.code, 1, cmd);
        assert.equal(
          r.stderr,
          `${cmd}: error (UnsupportedOperation): Elastic IPs are not available in SYSTEM networking mode; ` +
            `ask your cloud administrator\n`,
        );
      }
      assert.ok(!fs.existsSync(iptablesFile(dir)), 'no firewall rendered outside the MANAGED modes');
    } finally {
      await cloud.stop();
    }
  });

  test('a VNET_SUBNET that does not fit VNET_NETMASK stops the cloud, naming the setting', async () => {
    const dir = tempDir('euca-cloud-');
    writeConf(dir, { VNET_SUBNET: '10.128.1.0' });
    await assert.rejects(startCloud(dir), /VNET_SUBNET 10\.128\.1\.0 does not fit VNET_NETMASK 255\.255\.0\.0/);
  });
});
