/**
 * Key pairs end to end with the real commands: the seeds' `euca-add-keypair mykey > mykey.private`
 * giving a key ssh-keygen reads, fingerprints checked against OpenSSL's, importing an ssh-keygen
 * key, describing with names and filters, deleting, the errors, isolation between accounts, and
 * the aws CLI creating a key pair against the cloud.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestAccount, type TestAccount } from '../helpers/accounts';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { opensslPrivateFingerprint, opensslPublicFingerprint, sshKeygen, sshPublicKeyOf } from '../helpers/openssl';

describe('keypairs', () => {
  let cloud: TestCloud;
  let work: string;
  let alice: TestAccount;
  before(async () => {
    cloud = await startCloud();
    work = tempDir('euca-keypairs-');
    alice = await createTestAccount(cloud.dataDir, 'alice', cloud.eucarc);
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test(
    "euca-add-keypair mykey > mykey.private, as the seeds do, gives a key ssh-keygen reads and EC2's " + 'fingerprint',
    async () => {
      const out = await runOk('euca-add-keypair', ['mykey'], cloud.env);
      const file = path.join(work, 'mykey.private');
      fs.writeFileSync(file, out, { mode: 0o600 });
      const [first, ...rest] = out.split('\n');
      const m = /^KEYPAIR\tmykey\t((?:[0-9a-f]{2}:){19}[0-9a-f]{2})$/.exec(first);
      assert.ok(m, first);
      assert.equal(rest[0], '-----BEGIN RSA PRIVATE KEY-----');
      assert.equal(m[1], opensslPrivateFingerprint(file));
      assert.match(sshPublicKeyOf(file), /^ssh-rsa AAAA/);
      assert.equal(await runOk('euca-fingerprint-key', [file], cloud.env), `${m[1]}\n`);
      assert.equal(await runOk('euca-describe-keypairs', [], cloud.env), `KEYPAIR\tmykey\t${m[1]}\n`);
      assert.equal(await runOk('euca-describe-keypairs', ['mykey'], cloud.env), `KEYPAIR\tmykey\t${m[1]}\n`);
    },
  );

  test('-f writes the private key to a file of mode 0600 and prints only the KEYPAIR line', async () => {
    const file = path.join(work, 'filed.private');
    const out = await runOk('euca-create-keypair', ['-f', file, 'filed'], cloud.env);
    assert.match(out, /^KEYPAIR\tfiled\t[0-9a-f:]{59}\n$/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(out.trim().split('\t')[2], opensslPrivateFingerprint(file));
  });

  test('an imported ssh-keygen key gets the MD5 of its DER public key as fingerprint', async () => {
    const key = path.join(work, 'id_rsa');
    sshKeygen(key);
    const out = await runOk('euca-import-keypair', ['-f', `${key}.pub`, 'imported'], cloud.env);
    assert.equal(out, `KEYPAIR\timported\t${opensslPublicFingerprint(`${key}.pub`)}\n`);
    assert.equal(await runOk('euca-describe-keypairs', ['--filter', 'key-name=imp*'], cloud.env), out);
    const fp = out.trim().split('\t')[2];
    assert.equal(await runOk('euca-describe-keypairs', ['--filter', `fingerprint=${fp}`], cloud.env), out);
  });

  test('duplicates, unknown names and bad keys: one line, exit 1, the EC2 code', async () => {
    await runOk('euca-add-keypair', ['dup'], cloud.env);
    const dup = await run('euca-add-keypair', ['dup'], cloud.env);
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr, "euca-add-keypair: error (InvalidKeyPair.Duplicate): The keypair 'dup' already exists.\n");
    assert.equal(dup.stdout, '');

    const missing = await run('euca-describe-keypairs', ['nosuchkey'], cloud.env);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      "euca-describe-keypairs: error (InvalidKeyPair.NotFound): The key pair 'nosuchkey' does not exist\n",
    );

    const bad = path.join(work, 'bad.pub');
    fs.writeFileSync(bad, 'ssh-dss AAAAB3NzaC1kc3MAAACBAP== me@host\n');
    const r = await run('euca-import-keypair', ['-f', bad, 'badkey'], cloud.env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^euca-import-keypair: error \(InvalidKey\.Format\): [^\n]+\n$/);
    assert.equal((await run('euca-describe-keypairs', ['badkey'], cloud.env)).code, 1);

    const small = path.join(work, 'small');
    sshKeygen(small, 1024);
    await runOk('euca-import-keypair', ['-f', `${small}.pub`, 'dup2'], cloud.env);
    const dupImport = await run('euca-import-keypair', ['-f', `${small}.pub`, 'dup2'], cloud.env);
    assert.match(dupImport.stderr, /\(InvalidKeyPair\.Duplicate\)/);
  });

  test('deleting prints KEYPAIR NAME and is idempotent, as in EC2', async () => {
    await runOk('euca-add-keypair', ['gone'], cloud.env);
    assert.equal(await runOk('euca-delete-keypair', ['gone'], cloud.env), 'KEYPAIR\tgone\n');
    assert.equal(await runOk('euca-delete-keypair', ['gone'], cloud.env), 'KEYPAIR\tgone\n');
    assert.equal((await run('euca-describe-keypairs', ['gone'], cloud.env)).code, 1);
  });

  test("accounts see only their own key pairs, and may reuse each other's names", async () => {
    await runOk('euca-add-keypair', ['shared-name'], cloud.env);
    assert.doesNotMatch(await runOk('euca-describe-keypairs', [], alice.env), /shared-name|mykey/);
    assert.match(await runOk('euca-add-keypair', ['shared-name'], alice.env), /^KEYPAIR\tshared-name\t/);
    assert.equal(
      await runOk('euca-describe-keypairs', [], alice.env).then((o) => o.split('\n').filter(Boolean).length),
      1,
    );
    await runOk('euca-delete-keypair', ['shared-name'], alice.env);
    assert.match(await runOk('euca-describe-keypairs', ['shared-name'], cloud.env), /^KEYPAIR\tshared-name\t/);
  });

  test('the aws CLI creates, imports, describes and deletes key pairs', async () => {
    const env = {
      ...cloud.env,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
    };
    const aws = (...args: string[]) =>
      runOk('aws', ['--endpoint-url', cloud.eucarc.EC2_URL, '--output', 'json', 'ec2', ...args], env).then((o) =>
        JSON.parse(o || '{}'),
      );
    const created = await aws('create-key-pair', '--key-name', 'awskey');
    assert.equal(created.KeyName, 'awskey');
    const file = path.join(work, 'awskey.pem');
    fs.writeFileSync(file, created.KeyMaterial, { mode: 0o600 });
    assert.equal(created.KeyFingerprint, opensslPrivateFingerprint(file));
    const key = path.join(work, 'aws_rsa');
    sshKeygen(key);
    const imported = await aws(
      'import-key-pair',
      '--key-name',
      'awsimported',
      '--public-key-material',
      `fileb://${key}.pub`,
    );
    assert.equal(imported.KeyFingerprint, opensslPublicFingerprint(`${key}.pub`));
    const described = await aws('describe-key-pairs', '--key-names', 'awskey', 'awsimported');
    assert.deepEqual(described.KeyPairs.map((k: { KeyName: string }) => k.KeyName).sort(), ['awsimported', 'awskey']);
    await aws('delete-key-pair', '--key-name', 'awskey');
    assert.equal((await run('euca-describe-keypairs', ['awskey'], cloud.env)).code, 1);
  });
});
