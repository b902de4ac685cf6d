/**
 * The seeds' quick starts, verbatim, against a cloud in MANAGED-NOVLAN mode with its own node
 * controller: a key pair, ssh allowed, an instance run with the key, described until running,
 * an elastic IP allocated and associated and seen on the instance, and the instance terminated.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('quick start', () => {
  let cloud: TestCloud;
  let emi: string;
  before(async () => {
    cloud = await startCloud();
    emi = await registerTestImage(cloud.env);
  });
  after(async () => cloud.stop());

  test('seed 001 "Quick Start" and seed 000 "Using Instances"', async () => {
    const work = tempDir('euca-quickstart-');
    const env = cloud.env;
    const keypair = await runOk('euca-add-keypair', ['mykey'], env);
    assert.match(keypair, /^KEYPAIR\tmykey\t([0-9a-f]{2}:){19}[0-9a-f]{2}\n-----BEGIN RSA PRIVATE KEY-----\n/);
    fs.writeFileSync(path.join(work, 'mykey.private'), keypair.slice(keypair.indexOf('-----BEGIN')), { mode: 0o600 });

    assert.match(
      await runOk('euca-authorize', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'default'], env),
      /PERMISSION\t.*default\tALLOWS\ttcp\t22\t22\tFROM\tCIDR\t0\.0\.0\.0\/0/,
    );

    const ran = await runOk('euca-run-instances', ['-k', 'mykey', '-n', '1', emi], env);
    const [reservation, instanceLine] = ran.trim().split('\n');
    assert.match(reservation, /^RESERVATION\tr-[0-9A-F]{8}\t\d{12}\tdefault$/);
    const cols = instanceLine.split('\t');
    assert.match(cols[1], /^i-[0-9A-F]{8}$/);
    assert.deepEqual([cols[0], cols[2], cols[5], cols[6]], ['INSTANCE', emi, 'pending', 'mykey']);
    const id = cols[1];

    let line = '';
    for (let i = 0; i < 200 && !/\trunning\t/.test(line); i++) {
      line = (await runOk('euca-describe-instances', [id], env)).split('\n')[1];
      await sleep(50);
    }
    assert.match(line, /\trunning\tmykey\t0\t\tm1\.small\t/);
    const privateIp = line.split('\t')[4];
    assert.match(privateIp, /^10\.128\./);

    const allocated = await runOk('euca-allocate-address', [], env);
    const ip = allocated.split('\t')[1].trim();
    assert.match(ip, /^127\.0\.100\.\d+$/);
    await runOk('euca-associate-address', [ip, '-i', id], env);
    assert.equal((await runOk('euca-describe-instances', [id], env)).split('\n')[1].split('\t')[3], ip);
    assert.match(
      await runOk('euca-describe-addresses', [], env),
      new RegExp(`^ADDRESS\\t${ip.replace(/\./g, '\\.')}\\t${id}`, 'm'),
    );

    // The firewall the cluster would apply: the group's chain admits ssh, and the address is NATed.
    const rules = fs.readFileSync(
      path.join(cloud.dataDir, 'var', 'lib', 'eucalyptus', 'network', 'iptables-rules'),
      'utf8',
    );
    assert.match(rules, /-p tcp .*--dport 22(:22)? .*-j ACCEPT/);
    assert.match(
      rules,
      new RegExp(`-d ${ip.replace(/\./g, '\\.')}(/32)? .*-j DNAT --to-destination ${privateIp.replace(/\./g, '\\.')}`),
    );

    assert.equal(await runOk('euca-terminate-instances', [id], env), `INSTANCE\t${id}\n`);
    const gone = await run('euca-describe-instances', [id], env);
    assert.match(gone.stdout, /\t(shutting-down|terminated)\t/);
  });
});
