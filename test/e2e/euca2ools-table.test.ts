/**
 * The euca2ools table (test/fixtures/euca2ools-table.json, read from euca2ools 3's printers) walked
 * on a live cloud: every command of the table runs here, in an order that makes what the next
 * needs, and each line it prints is checked against the command's records: its type is one the
 * command prints, and it has that type's fields, counted as tabify counts them (every empty field
 * kept); a command the table says prints nothing prints nothing. The fields the test knows (the
 * IDs it made) are checked where they stand. A command of the table with no step here fails the
 * test: adding a command means adding its rows, and its step.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ROOT, run, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';

interface Descriptor {
  type?: string;
  fields?: string[];
  line?: string;
  lines?: string;
  layout?: string;
  /** `Label value` pairs, each printed only when its value is set. */
  pairs?: boolean;
}
const TABLE: Record<string, { records: Descriptor[] }> = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'euca2ools-table.json'), 'utf8'),
).commands;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Each line against the command's records. Tab records: a known type, and as many fields as one
 * shape of it has (a shape ending "..." takes any number more). Commands that print plain lines
 * are checked by their own step; those with `fields` on a plain line have that many tab fields.
 */
function checkRecords(cmd: string, stdout: string): string[][] {
  const records = TABLE[cmd].records;
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (!records.length) {
    assert.deepEqual(lines, [], `${cmd} prints nothing in euca2ools`);
    return [];
  }
  const typed = records.filter((r) => r.type);
  const plain = records.filter((r) => !r.type);
  const out: string[][] = [];
  for (const line of lines) {
    const fields = line.split('\t');
    out.push(fields);
    const shapes = typed.filter((r) => r.type === fields[0]);
    if (!shapes.length) {
      assert.ok(plain.length, `${cmd}: "${line}" is no record type of ${typed.map((r) => r.type).join(', ')}`);
      const withFields = plain.filter((r) => (r as { fields?: string[] }).fields);
      if (withFields.length && line.includes('\t'))
        assert.ok(
          withFields.some((r) => r.fields!.length === fields.length),
          `${cmd}: "${line}" has ${fields.length} fields`,
        );
      continue;
    }
    if (shapes.every((s) => s.layout === 'fixed-width')) {
      assert.equal(fields.length, 2, `${cmd}: "${line}" is the type, a tab, and a fixed-width row`);
      continue;
    }
    if (shapes.some((s) => s.pairs)) {
      const longest = 1 + Math.max(...shapes.map((s) => s.fields!.length));
      assert.ok(
        fields.length <= longest && (longest - fields.length) % 2 === 0,
        `${cmd}: "${line}" is whole label/value pairs, at most ${longest} fields`,
      );
      continue;
    }
    const counts = shapes.map((s) => 1 + s.fields!.length);
    const open = shapes.some((s) => s.fields![s.fields!.length - 1] === '...');
    assert.ok(
      counts.includes(fields.length) || (open && fields.length >= Math.min(...counts) - 1),
      `${cmd}: ${fields[0]} has ${fields.length} fields, euca2ools prints ${counts.join(' or ')}: "${line}"`,
    );
  }
  return out;
}

describe('the euca2ools table: records on a live cloud', () => {
  let cloud: TestCloud;
  let env: Record<string, string>;
  let work: string;
  const ran = new Set<string>();
  /** Runs a command of the table: it must succeed, and print what its records say. */
  const step = async (cmd: string, args: string[], input?: string): Promise<string[][]> => {
    assert.ok(TABLE[cmd], `${cmd} is in the table`);
    const r = await run(cmd, args, env, input);
    assert.equal(r.code, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
    ran.add(cmd);
    return checkRecords(cmd, r.stdout);
  };
  /** Runs a command of the table that must be refused: one line on stderr, nothing on stdout. */
  const refused = async (cmd: string, args: string[], code: RegExp): Promise<void> => {
    assert.ok(TABLE[cmd], `${cmd} is in the table`);
    const r = await run(cmd, args, env);
    assert.equal(r.code, 1, `${cmd} ${args.join(' ')} should be refused: ${r.stdout}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, code);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    ran.add(cmd);
  };
  const fieldOf = (rows: string[][], type: string, n: number) => rows.find((r) => r[0] === type)?.[n];

  before(async () => {
    cloud = await startCloud();
    env = cloud.env;
    work = tempDir('euca-table-');
  });
  after(async () => {
    await cloud?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  // What the steps make and later steps use.
  const made: Record<string, string> = {};
  const until = async (what: string, done: () => Promise<boolean>) => {
    for (let i = 0; i < 400; i++) {
      if (await done()) return;
      await sleep(50);
    }
    throw new Error(`${what} did not happen`);
  };

  test('foundation, images and bundles', async () => {
    await step('euca-version', []);
    await step('euca-describe-availability-zones', []);
    await step('euca-describe-availability-zones', ['verbose']);
    await step('euca-describe-regions', []);
    await step('euca-describe-instance-types', []);
    await step('euca-describe-instance-types', ['--by-zone', '--show-capacity']);

    const img = path.join(work, 'table.img');
    fs.writeFileSync(img, Buffer.alloc(1024 * 1024, 7));
    const bundleDir = path.join(work, 'bundle');
    fs.mkdirSync(bundleDir);
    await step('euca-bundle-image', ['-i', img, '-d', bundleDir]);
    const manifest = path.join(bundleDir, 'table.img.manifest.xml');
    await step('euca-unbundle', ['-m', manifest, '-s', bundleDir, '-d', path.join(work, 'unbundled')]);
    await step('euca-upload-bundle', ['-b', 'table-images', '-m', manifest]);
    await step('euca-download-bundle', ['-b', 'table-images', '-p', 'table.img', '-d', path.join(work, 'down')]);
    await step('euca-download-and-unbundle', ['-b', 'table-images', '-p', 'table.img', '-d', path.join(work, 'du')]);
    await step('euca-bundle-and-upload-image', ['-i', img, '-b', 'table-images2', '-p', 'second']);
    const emi = fieldOf(
      await step('euca-register', ['table-images/table.img.manifest.xml', '-n', 'table']),
      'IMAGE',
      1,
    )!;
    assert.match(emi, /^emi-[0-9A-F]{8}$/);
    const installed = await step('euca-install-image', ['-i', img, '-b', 'table-images3', '-n', 'installed']);
    const emi2 = fieldOf(installed, 'IMAGE', 1)!;
    await until('the images available', async () => {
      const rows = await step('euca-describe-images', [emi, emi2]);
      return rows.filter((r) => r[0] === 'IMAGE' && r[4] === 'available').length === 2;
    });
    assert.equal(fieldOf(await step('euca-describe-images', [emi]), 'IMAGE', 1), emi);
    await step('euca-modify-image-attribute', ['-l', '-a', 'all', emi]);
    await step('euca-describe-image-attribute', ['-l', emi]);
    await step('euca-reset-image-attribute', ['-l', emi]);
    await step('euca-deregister', [emi2]);
    await step('euca-delete-bundle', ['-b', 'table-images2', '-p', 'second']);
    made.emi = emi;
  });

  test('key pairs and security groups', async () => {
    const account = cloud.eucarc.EC2_ACCOUNT_NUMBER;
    // The private key follows the KEYPAIR line: only that line is a record.
    const created = await run('euca-create-keypair', ['table-key'], env);
    assert.equal(created.code, 0, created.stderr);
    ran.add('euca-create-keypair');
    const [keyLine, ...pem] = created.stdout.split('\n');
    assert.equal(checkRecords('euca-create-keypair', keyLine + '\n')[0][1], 'table-key');
    const keyFile = path.join(work, 'table-key.pem');
    fs.writeFileSync(keyFile, pem.join('\n'), { mode: 0o600 });
    made.keyFile = keyFile;
    await step('euca-fingerprint-key', [keyFile]);
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', path.join(work, 'imported')]);
    await step('euca-import-keypair', ['-f', path.join(work, 'imported.pub'), 'table-imported']);
    await step('euca-describe-keypairs', []);
    await step('euca-delete-keypair', ['table-imported']);

    await step('euca-create-group', ['-d', 'table group', 'table-web']);
    await step('euca-authorize', ['-P', 'tcp', '-p', '22', '-s', '10.0.0.0/8', 'table-web']);
    const bySource = await step('euca-authorize', [
      '-P',
      'tcp',
      '-p',
      '80',
      '-o',
      'default',
      '-u',
      account,
      'table-web',
    ]);
    assert.deepEqual(bySource, [
      ['GROUP', 'table-web'],
      ['PERMISSION', 'table-web', 'ALLOWS', 'tcp', '80', '80', 'USER', account, 'NAME', 'default'],
    ]);
    const defaultId = fieldOf(await step('euca-create-group', ['-d', 'spare', 'table-spare']), 'GROUP', 1)!;
    await step('euca-delete-group', ['table-spare']);
    assert.match(defaultId, /^sg-[0-9A-F]{8}$/);
    const groups = await step('euca-describe-groups', ['table-web']);
    // The seed's GROUP and CIDR lines; euca2ools 3's words for a source group.
    assert.deepEqual(groups[0], ['GROUP', account, 'table-web', 'table group']);
    const source = groups.find((r) => r.includes('USER'))!;
    assert.deepEqual(source.slice(7, 12), ['FROM', 'USER', account, 'NAME', 'default']);
    assert.match(source[13], /^sg-[0-9A-F]{8}$/);
    await step('euca-describe-group', ['default']);
    await step('euca-revoke', ['-P', 'tcp', '-p', '22', '-s', '10.0.0.0/8', 'table-web']);
  });

  test('instances, tags, addresses, volumes and snapshots', async () => {
    const account = cloud.eucarc.EC2_ACCOUNT_NUMBER;
    const launched = await step('euca-run-instances', ['-k', 'table-key', '-g', 'table-web', made.emi]);
    const instance = fieldOf(launched, 'INSTANCE', 1)!;
    assert.match(instance, /^i-[0-9A-F]{8}$/);
    await until(
      `${instance} running`,
      async () => fieldOf(await step('euca-describe-instances', [instance]), 'INSTANCE', 5) === 'running',
    );
    await step('euca-describe-instance-status', [instance]);
    await step('euca-describe-instance-attribute', ['-t', instance]);
    await step('euca-describe-instance-attribute', ['-g', instance]);
    await step('euca-describe-instance-attribute', ['--user-data', instance]);
    await step('euca-modify-instance-attribute', ['--disable-api-termination', 'false', instance]);
    await step('euca-get-console-output', [instance]);
    await step('euca-reboot-instances', [instance]);
    await step('euca-create-tags', [instance, '--tag', 'Name=table', '--tag', 'empty']);
    const tags = await step('euca-describe-tags', ['--filter', `resource-id=${instance}`]);
    assert.deepEqual(
      tags.find((r) => r[3] === 'empty'),
      ['TAG', 'instance', instance, 'empty', ''],
    );
    await step('euca-delete-tags', [instance, '--tag', 'empty']);

    const address = fieldOf(await step('euca-allocate-address', []), 'ADDRESS', 1)!;
    await step('euca-associate-address', ['-i', instance, address]);
    await step('euca-describe-addresses', [address]);
    await step('euca-disassociate-address', [address]);
    await step('euca-release-address', [address]);

    const volume = fieldOf(await step('euca-create-volume', ['-z', 'cluster01', '-s', '1']), 'VOLUME', 1)!;
    const volumeState = async (n: number, type = 'VOLUME') =>
      fieldOf(await step('euca-describe-volumes', [volume]), type, n);
    await until(`${volume} available`, async () => (await volumeState(5)) === 'available');
    await step('euca-attach-volume', ['-i', instance, '-d', '/dev/sdf', volume]);
    await until(`${volume} attached`, async () => (await volumeState(4, 'ATTACHMENT')) === 'attached');
    const snapshot = fieldOf(await step('euca-create-snapshot', ['-d', 'table', volume]), 'SNAPSHOT', 1)!;
    await until(
      `${snapshot} completed`,
      async () => fieldOf(await step('euca-describe-snapshots', [snapshot]), 'SNAPSHOT', 3) === 'completed',
    );
    await step('euca-describe-snapshots', []);
    const spare = fieldOf(await step('euca-create-snapshot', [volume]), 'SNAPSHOT', 1)!;
    await until(
      `${spare} completed`,
      async () => fieldOf(await step('euca-describe-snapshots', [spare]), 'SNAPSHOT', 3) === 'completed',
    );
    await step('euca-delete-snapshot', [spare]);
    await step('euca-modify-snapshot-attribute', ['-c', '-a', '123456789012', snapshot]);
    const permissions = await step('euca-describe-snapshot-attribute', ['-c', snapshot]);
    assert.deepEqual(permissions, [['createVolumePermission', snapshot, 'userId', '123456789012']]);
    await step('euca-reset-snapshot-attribute', ['-c', snapshot]);
    await step('euca-detach-volume', [volume]);
    await until(`${volume} detached`, async () => (await volumeState(5)) === 'available');
    await step('euca-delete-volume', [volume]);
    made.snapshot = snapshot;
    await step('euca-terminate-instances', [instance]);
    void account;
  });

  test('EBS and Windows instances, bundle and conversion tasks', async () => {
    const ebsImage = fieldOf(
      await step('euca-register', [
        '-n',
        'table-ebs',
        '--root-device-name',
        '/dev/sda1',
        '-b',
        `/dev/sda1=${made.snapshot}`,
      ]),
      'IMAGE',
      1,
    )!;
    const ebs = fieldOf(await step('euca-run-instances', [ebsImage]), 'INSTANCE', 1)!;
    const state = async () => fieldOf(await step('euca-describe-instances', [ebs]), 'INSTANCE', 5);
    await until(`${ebs} running`, async () => (await state()) === 'running');
    await step('euca-describe-instance-attribute', ['-b', ebs]);
    // EC2-Classic's one block device change: whether a volume goes when the instance terminates.
    await step('euca-modify-instance-attribute', ['-b', '/dev/sda1=::false', ebs]);
    const root = (await step('euca-describe-instance-attribute', ['-b', ebs])).find((r) => r[1] === '/dev/sda1')!;
    assert.equal(root[4], 'false');
    await step('euca-stop-instances', [ebs]);
    await until(`${ebs} stopped`, async () => (await state()) === 'stopped');
    await step('euca-reset-instance-attribute', ['--kernel', ebs]);
    await step('euca-start-instances', [ebs]);
    await until(`${ebs} running again`, async () => (await state()) === 'running');
    await step('euca-create-image', ['-n', 'table-from-ebs', ebs]);

    // Large enough that bundling it takes the cloud a while: its bundle task is still running when cancelled.
    const windows = await registerTestImage(env, 'windows-server.img', ['-n', 'windows-table'], 48 * 1024 * 1024);
    const win = fieldOf(await step('euca-run-instances', ['-k', 'table-key', windows]), 'INSTANCE', 1)!;
    await until(
      `${win} running`,
      async () => fieldOf(await step('euca-describe-instances', [win]), 'INSTANCE', 5) === 'running',
    );
    await until('the password', async () => (await run('euca-get-password-data', [win], env)).stdout.trim() !== '');
    await step('euca-get-password-data', [win]);
    await step('euca-get-password', ['-k', made.keyFile, win]);
    const task = fieldOf(
      await step('euca-bundle-instance', ['-b', 'table-images', '-p', 'windows-table', win]),
      'BUNDLE',
      1,
    )!;
    await step('euca-cancel-bundle-task', [task]);
    await step('euca-describe-bundle-tasks', [task]);

    const raw = path.join(work, 'disk.raw');
    fs.writeFileSync(raw, Buffer.alloc(1024 * 1024, 1));
    const conversion = await step('euca-import-volume', [raw, '-f', 'raw', '-z', 'cluster01', '-b', 'table-imports']);
    const taskId = conversion[0][3];
    assert.match(taskId, /^import-vol-[0-9A-F]{8}$/);
    await until(`${taskId} completed`, async () =>
      (await step('euca-describe-conversion-tasks', [taskId]))[0].includes('completed'),
    );
    // A small image converts at once: its task has ended, and cancelling it is refused.
    await refused('euca-cancel-conversion-task', [taskId], /IncorrectState/);
    await step('euca-terminate-instances', [ebs, win]);
  });

  test('Euare: accounts, users, groups, keys, certificates, policies', async () => {
    await step('euare-accountcreate', ['-a', 'table-account']);
    await step('euare-accountlist', []);
    await step('euare-accountaliascreate', ['-a', 'table-alias']);
    await step('euare-accountaliaslist', []);
    await step('euare-accountaliasdelete', ['-a', 'table-alias']);
    await step('euare-accountgetsummary', []);
    const caller = await step('euare-getcallerid', []);
    assert.deepEqual(
      caller.map((l) => l[0].split(' = ')[0]),
      ['account', 'arn', 'key-id', 'user-id'],
    );
    await step('euare-groupcreate', ['-g', 'table-devs']);
    await step('euare-usercreate', ['-u', 'table-bob', '-g', 'table-devs', '-k']);
    await step('euare-usercreate', ['-u', 'table-carol']);
    await step('euare-groupadduser', ['-g', 'table-devs', '-u', 'table-carol']);
    await step('euare-grouplistbypath', []);
    await step('euare-userlistbypath', []);
    await step('euare-grouplistusers', ['-g', 'table-devs']);
    await step('euare-userlistgroups', ['-u', 'table-bob']);
    await step('euare-groupmod', ['-g', 'table-devs', '-n', 'table-devs2']);
    await step('euare-groupaddpolicy', ['-g', 'table-devs2', '-p', 'gp', '-e', 'Allow', '-a', 's3:*', '-r', '*']);
    await step('euare-groupuploadpolicy', [
      '-g',
      'table-devs2',
      '-p',
      'gp2',
      '-o',
      '{"Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}',
    ]);
    await step('euare-grouplistpolicies', ['-g', 'table-devs2', '-v']);
    await step('euare-groupgetpolicy', ['-g', 'table-devs2', '-p', 'gp', '--pretty-print']);
    await step('euare-groupdelpolicy', ['-g', 'table-devs2', '-p', 'gp2']);
    await step('euare-useraddpolicy', ['-u', 'table-bob', '-p', 'up', '-e', 'Allow', '-a', 'ec2:Describe*', '-r', '*']);
    await step('euare-useruploadpolicy', [
      '-u',
      'table-bob',
      '-p',
      'up2',
      '-o',
      '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
    ]);
    const listed = await step('euare-userlistpolicies', ['-u', 'table-bob']);
    assert.deepEqual(listed[listed.length - 1], ['IsTruncated: false']);
    await step('euare-usergetpolicy', ['-u', 'table-bob', '-p', 'up']);
    await step('euare-userdelpolicy', ['-u', 'table-bob', '-p', 'up2']);
    const key = (await step('euare-useraddkey', ['-u', 'table-bob']))[0][0];
    await step('euare-userlistkeys', ['-u', 'table-bob']);
    await step('euare-usermodkey', ['-u', 'table-bob', '-k', key, '-s', 'Inactive']);
    await step('euare-userdelkey', ['-u', 'table-bob', '-k', key]);
    const cert = (await step('euare-usercreatecert', ['-u', 'table-bob']))[0][0];
    const certs = await step('euare-userlistcerts', ['-u', 'table-bob']);
    assert.deepEqual(certs.slice(0, 3), [[cert], ['Active'], ['table-bob']]);
    await step('euare-usermodcert', ['-u', 'table-bob', '-c', cert, '-s', 'Inactive']);
    await step('euare-userdelcert', ['-u', 'table-bob', '-c', cert]);
    const pem = path.join(work, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(work, 'cert.key'),
        '-out',
        pem,
        '-subj',
        '/CN=table',
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    await step('euare-useraddcert', ['-u', 'table-bob', '-f', pem]);
    await step('euare-useraddloginprofile', ['-u', 'table-bob', '-p', 'secret-123']);
    await step('euare-usergetloginprofile', ['-u', 'table-bob']);
    await step('euare-usermodloginprofile', ['-u', 'table-bob', '-p', 'secret-456']);
    await step('euare-userdelloginprofile', ['-u', 'table-bob']);
    await step('euare-usergetattributes', ['-u', 'table-bob', '--show-extra']);
    await step('euare-usermod', ['-u', 'table-bob', '-n', 'table-bob2']);
    await step('euare-userdel', ['-u', 'table-bob2', '-p']);
    await step('euare-groupremoveuser', ['-g', 'table-devs2', '-u', 'table-bob2']);
    await step('euare-groupdel', ['-g', 'table-devs2', '-r']);
    await step('euare-userdel', ['-u', 'table-bob2', '-r']);
    await step('euare-accountdel', ['-a', 'table-account', '-r']);
  });

  test('every command of the table ran', () => {
    const missing = Object.keys(TABLE).filter((c) => !ran.has(c));
    assert.deepEqual(missing, [], `commands of the table with no step here`);
  });
});
