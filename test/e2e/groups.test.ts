/**
 * Security groups end to end with the real commands, in MANAGED-NOVLAN mode: the seeds' default
 * group and authorize forms (seed 000's -s, seed 001's -S), PERMISSION lines exactly as the seeds
 * print them, source groups of another account, refused input leaving no trace, revoke, delete,
 * isolation between accounts, the aws CLI, and SYSTEM mode refusing rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestAccount, type TestAccount } from '../helpers/accounts';
import { run, runOk } from '../helpers/cli';
import { type TestCloud } from '../helpers/cloud';
import { startCloudInMode } from '../helpers/network';

describe('security groups', () => {
  let cloud: TestCloud;
  let alice: TestAccount;
  before(async () => {
    cloud = await startCloudInMode('MANAGED-NOVLAN');
    alice = await createTestAccount(cloud.dataDir, 'alice', cloud.eucarc);
  });
  after(() => cloud.stop());

  test(
    "every account has a default group denying all incoming traffic, and seed 000's authorize prints the " +
      "seed's lines",
    async () => {
      const before = await runOk('euca-describe-groups', [], alice.env);
      assert.equal(before, `GROUP\t${alice.accountId}\tdefault\tdefault group\n`);
      assert.equal(
        await runOk('euca-authorize', ['-P', 'tcp', '-p', '3389', '-s', '0.0.0.0/0', 'default'], alice.env),
        'GROUP\tdefault\nPERMISSION\tdefault\tALLOWS\ttcp\t3389\t3389\tFROM\tCIDR\t0.0.0.0/0\n',
      );
      assert.equal(
        await runOk('euca-describe-groups', ['default'], alice.env),
        `GROUP\t${alice.accountId}\tdefault\tdefault group\nPERMISSION\t${alice.accountId}\tdefault\tALLOWS\ttcp\t3389\t3389\tFROM\tCIDR\t0.0.0.0/0\n`,
      );
      assert.equal(
        await runOk('euca-describe-group', ['default'], alice.env),
        await runOk('euca-describe-groups', ['default'], alice.env),
      );
    },
  );

  test("seed 001's `euca-authorize -P tcp -p 22 -S 0.0.0.0/0 default` works: there -S is the CIDR", async () => {
    assert.equal(
      await runOk('euca-authorize', ['-P', 'tcp', '-p', '22', '-S', '0.0.0.0/0', 'default'], cloud.env),
      'GROUP\tdefault\nPERMISSION\tdefault\tALLOWS\ttcp\t22\t22\tFROM\tCIDR\t0.0.0.0/0\n',
    );
    assert.match(
      await runOk('euca-describe-groups', ['default'], cloud.env),
      /^PERMISSION\t\d{12}\tdefault\tALLOWS\ttcp\t22\t22\tFROM\tCIDR\t0\.0\.0\.0\/0$/m,
    );
  });

  test("the user guide's mygroup: add, authorize ssh, a source group of another account, revoke, delete", async () => {
    const add = await runOk('euca-add-group', ['-d', 'newgroup', 'mygroup'], cloud.env);
    const m = /^GROUP\t(sg-[0-9A-F]{8})\tmygroup\tnewgroup\n$/.exec(add);
    assert.ok(m, add);
    const sg = m[1];
    assert.equal(
      await runOk('euca-authorize', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'mygroup'], cloud.env),
      'GROUP\tmygroup\nPERMISSION\tmygroup\tALLOWS\ttcp\t22\t22\tFROM\tCIDR\t0.0.0.0/0\n',
    );
    const theirs = (await runOk('euca-add-group', ['-d', 'theirs', 'someothergroup'], alice.env)).split('\t')[1];
    assert.equal(
      await runOk(
        'euca-authorize',
        ['--source-group', 'someothergroup', '--source-group-user', 'alice', '-P', 'tcp', '-p', '22', 'mygroup'],
        cloud.env,
      ),
      'GROUP\tmygroup\nPERMISSION\tmygroup\tALLOWS\ttcp\t22\t22\tUSER\talice\tNAME\tsomeothergroup\n',
    );
    await runOk('euca-authorize', ['-P', 'icmp', '-t', '-1:-1', '-s', '10.0.0.0/8', sg], cloud.env);
    await runOk('euca-authorize', ['-P', 'udp', '-p', '5000-5010', '-s', '192.168.1.0/24', 'mygroup'], cloud.env);
    const described = await runOk('euca-describe-groups', ['mygroup'], cloud.env);
    const me = described.split('\t')[1];
    assert.equal(
      described,
      [
        `GROUP\t${me}\tmygroup\tnewgroup`,
        `PERMISSION\t${me}\tmygroup\tALLOWS\ttcp\t22\t22\tFROM\tCIDR\t0.0.0.0/0`,
        `PERMISSION\t${me}\tmygroup\tALLOWS\ttcp\t22\t22\tFROM\tUSER\t${alice.accountId}\tNAME\tsomeothergroup\tID\t${theirs}`,
        `PERMISSION\t${me}\tmygroup\tALLOWS\ticmp\t-1\t-1\tFROM\tCIDR\t10.0.0.0/8`,
        `PERMISSION\t${me}\tmygroup\tALLOWS\tudp\t5000\t5010\tFROM\tCIDR\t192.168.1.0/24`,
        '',
      ].join('\n'),
    );
    assert.equal(await runOk('euca-describe-groups', [sg], cloud.env), described);
    assert.equal(await runOk('euca-describe-groups', ['--filter', 'ip-permission.protocol=udp'], cloud.env), described);
    assert.equal(
      await runOk(
        'euca-describe-groups',
        ['--filter', 'ip-permission.from-port=5000', '--filter', 'group-name=nomatch'],
        cloud.env,
      ),
      '',
    );

    // Alice's group is admitted by mygroup's rule: it cannot go while the rule stays.
    const inUse = await run('euca-delete-group', ['someothergroup'], alice.env);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /^euca-delete-group: error \(InvalidGroup\.InUse\): [^\n]+\n$/);

    assert.equal(
      await runOk('euca-revoke', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'mygroup'], cloud.env),
      'GROUP\tmygroup\nPERMISSION\tmygroup\tALLOWS\ttcp\t22\t22\tFROM\tCIDR\t0.0.0.0/0\n',
    );
    const again = await run('euca-revoke', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'mygroup'], cloud.env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^euca-revoke: error \(InvalidPermission\.NotFound\): [^\n]+\n$/);
    await runOk(
      'euca-revoke',
      ['-o', 'someothergroup', '-u', alice.accountId, '-P', 'tcp', '-p', '22', 'mygroup'],
      cloud.env,
    );
    assert.equal(await runOk('euca-delete-group', ['someothergroup'], alice.env), 'RETURN\ttrue\n');
    assert.equal(await runOk('euca-delete-group', ['mygroup'], cloud.env), 'RETURN\ttrue\n');
    assert.equal((await run('euca-describe-groups', ['mygroup'], cloud.env)).code, 1);
  });

  test('bad CIDRs, ports, ICMP codes, duplicates and unknown groups: one line, exit 1, nothing changed', async () => {
    await runOk('euca-add-group', ['-d', 'strict', 'strict'], cloud.env);
    await runOk('euca-authorize', ['-P', 'tcp', '-p', '80', 'strict'], cloud.env);
    const state = await runOk('euca-describe-groups', ['strict'], cloud.env);
    const refused: [string[], string][] = [
      [['-P', 'tcp', '-p', '22', '-s', '10.0.0.0/33', 'strict'], 'InvalidParameterValue'],
      [['-P', 'tcp', '-p', '22', '-s', '300.1.2.3/8', 'strict'], 'InvalidParameterValue'],
      [['-P', 'tcp', '-p', '22', '-s', 'example.com', 'strict'], 'InvalidParameterValue'],
      [['-P', 'tcp', '-p', '70000', 'strict'], 'InvalidParameterValue'],
      [['-P', 'tcp', '-p', '30-20', 'strict'], 'InvalidParameterValue'],
      [['-P', 'icmp', '-t', '300:0', 'strict'], 'InvalidParameterValue'],
      [['-P', 'gre', 'strict'], 'InvalidParameterValue'],
      [['-P', 'tcp', '-p', '80', 'strict'], 'InvalidPermission.Duplicate'],
      [['-P', 'tcp', '-p', '22', 'nosuchgroup'], 'InvalidGroup.NotFound'],
      [['-o', 'nosuchgroup', '-u', 'alice', '-P', 'tcp', '-p', '22', 'strict'], 'InvalidGroup.NotFound'],
    ];
    for (const [args, code] of refused) {
      const r = await run('euca-authorize', args, cloud.env);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        new RegExp(`^euca-authorize: error \\(${code.replace('.', '\\.')}\\): [^\\n]+\\n$`),
        args.join(' '),
      );
    }
    // Usage mistakes are caught before anything is sent.
    for (const args of [
      ['-P', 'tcp', 'strict'],
      ['-P', 'tcp', '-p', '20:30', 'strict'],
      ['-P', 'icmp', '-p', '22', 'strict'],
    ]) {
      assert.equal((await run('euca-authorize', args, cloud.env)).code, 2, args.join(' '));
    }
    assert.equal(await runOk('euca-describe-groups', ['strict'], cloud.env), state);

    const dup = await run('euca-add-group', ['-d', 'again', 'strict'], cloud.env);
    assert.equal(
      dup.stderr,
      "euca-add-group: error (InvalidGroup.Duplicate): The security group 'strict' already exists\n",
    );
    const def = await run('euca-delete-group', ['default'], cloud.env);
    assert.equal(def.code, 1);
    assert.match(def.stderr, /\(CannotDelete\)/);
    const missing = await run('euca-delete-group', ['sg-00000000'], cloud.env);
    assert.match(
      missing.stderr,
      /^euca-delete-group: error \(InvalidGroup\.NotFound\): The security group 'sg-00000000' does not exist\n$/,
    );
  });

  test("accounts see only their own groups and cannot change another's", async () => {
    const add = await runOk('euca-add-group', ['-d', 'private', 'admins-only'], cloud.env);
    const sg = add.split('\t')[1];
    assert.doesNotMatch(await runOk('euca-describe-groups', [], alice.env), /admins-only/);
    assert.equal((await run('euca-describe-groups', [sg], alice.env)).code, 1);
    const r = await run('euca-authorize', ['-P', 'tcp', '-p', '22', sg], alice.env);
    assert.match(r.stderr, /\(InvalidGroup\.NotFound\)/);
    assert.equal((await run('euca-delete-group', [sg], alice.env)).code, 1);
    assert.match(
      await runOk('euca-add-group', ['-d', 'same name, other account', 'admins-only'], alice.env),
      /^GROUP\tsg-/,
    );
  });

  test('the aws CLI creates a group, authorizes ingress in both forms and describes it', async () => {
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
    const { GroupId } = await aws('create-security-group', '--group-name', 'web', '--description', 'web servers');
    assert.match(GroupId, /^sg-[0-9A-F]{8}$/);
    await aws(
      'authorize-security-group-ingress',
      '--group-name',
      'web',
      '--protocol',
      'tcp',
      '--port',
      '80',
      '--cidr',
      '0.0.0.0/0',
    );
    await aws(
      'authorize-security-group-ingress',
      '--group-id',
      GroupId,
      '--ip-permissions',
      'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/8}]',
    );
    const { SecurityGroups } = await aws('describe-security-groups', '--group-ids', GroupId);
    assert.equal(SecurityGroups.length, 1);
    assert.equal(SecurityGroups[0].GroupName, 'web');
    assert.deepEqual(
      SecurityGroups[0].IpPermissions.map(
        (p: { IpProtocol: string; FromPort: number; ToPort: number; IpRanges: { CidrIp: string }[] }) => [
          p.IpProtocol,
          p.FromPort,
          p.ToPort,
          p.IpRanges.map((r) => r.CidrIp),
        ],
      ),
      [
        ['tcp', 80, 80, ['0.0.0.0/0']],
        ['tcp', 443, 443, ['10.0.0.0/8']],
      ],
    );
    await aws(
      'revoke-security-group-ingress',
      '--group-name',
      'web',
      '--protocol',
      'tcp',
      '--port',
      '80',
      '--cidr',
      '0.0.0.0/0',
    );
    await aws('delete-security-group', '--group-id', GroupId);
    assert.equal((await run('euca-describe-groups', ['web'], cloud.env)).code, 1);
  });
});

describe('security group rules outside the MANAGED modes', () => {
  let cloud: TestCloud;
  before(async () => {
    cloud = await startCloudInMode('SYSTEM');
  });
  after(() => cloud.stop());

  test('groups exist, but authorize says rules are not available in SYSTEM mode', async () => {
    assert.match(await runOk('euca-add-group', ['-d', 'd', 'g'], cloud.env), /^GROUP\tsg-/);
    const r = await run('euca-authorize', ['-P', 'tcp', '-p', '22', '-s', '0.0.0.0/0', 'g'], cloud.env);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'euca-authorize: error (UnsupportedOperation): Security group rules are not available in SYSTEM ' +
        'networking mode; ask your cloud administrator\n',
    );
    assert.equal(
      await runOk('euca-describe-groups', ['g'], cloud.env).then((o) => o.split('\n').filter(Boolean).length),
      1,
    );
  });
});
