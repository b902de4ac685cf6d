/**
 * Bad command lines answered as euca2ools' argparse answers them: the usage line (every option,
 * wrapped at the terminal's width), then `PROG: error: MESSAGE` in argparse's words, and exit
 * status 2, before anything is sent (the endpoint here answers nothing). Each case is a line a
 * script or a user gets wrong, with the words euca2ools 3 prints for it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanEnv, run } from '../helpers/cli';

// An endpoint nothing listens on: a command that got past its arguments would fail to connect.
const env = cleanEnv({
  EC2_URL: 'http://127.0.0.1:9/services/Eucalyptus',
  EUARE_URL: 'http://127.0.0.1:9/services/Euare',
  S3_URL: 'http://127.0.0.1:9/services/Walrus',
  EC2_ACCESS_KEY: 'AKIAEXAMPLE',
  EC2_SECRET_KEY: 'secret',
  COLUMNS: '80',
});

const CASES: [string, string[], string][] = [
  ['euca-describe-instances', ['--foo'], 'unrecognized arguments: --foo'],
  ['euca-describe-regions', ['eucalyptus', '--nope', 'x'], 'unrecognized arguments: --nope'],
  ['euca-run-instances', [], 'too few arguments'],
  ['euca-run-instances', ['emi-12345678', '-k'], 'argument -k/--key: expected one argument'],
  [
    'euca-run-instances',
    ['--tenancy', 'shared', 'emi-12345678'],
    "argument --tenancy: invalid choice: 'shared' (choose from 'default', 'dedicated')",
  ],
  ['euca-run-instances', ['-n', '2-x', 'emi-12345678'], '-n/--instance-count must have the form N or MIN-MAX: 2-x'],
  ['euca-create-volume', ['-z', 'cluster01', '-s', 'big'], "argument -s/--size: invalid int value: 'big'"],
  ['euca-create-volume', ['-z', 'cluster01'], '-s/--size or --snapshot must be specified'],
  ['euca-create-volume', ['-z', 'cluster01', '-s', '1', '-i', '100'], 'argument -i/--iops: -t/--type is required'],
  ['euca-describe-snapshots', ['-a', '-o', 'self'], 'argument -o/--owner: not allowed with argument -a/--all'],
  ['euca-describe-images', ['-a', 'emi-12345678'], 'argument -a/--all: not allowed with a list of images'],
  ['euca-describe-volumes', ['--filter', 'colour=red'], 'argument --filter: "colour=red" matches no available filters'],
  ['euca-describe-volumes', ['--filter', 'size=big'], "argument --filter: size filter value 'big' must have type int"],
  [
    'euca-authorize',
    ['-P', 'tcp', '-p', '22', '-o', 'other', 'web'],
    'argument -u is required when -o names a security group by name',
  ],
  ['euca-authorize', ['--egress', '-P', 'tcp', '-p', '22', 'web'], 'egress rules must use group IDs, not names'],
  ['euca-associate-address', ['192.0.2.1'], 'one of the arguments -i/--instance-id -n/--network-interface is required'],
  ['euca-release-address', [], 'argument -a/--allocation-id or an IP address is required'],
  [
    'euca-register',
    ['-n', 'x', '-b', '/dev/sda1=snap-12345678:big'],
    'argument -b/--block-device-mapping: second element of EBS block device mapping "/dev/sda1=snap-12345678:big" must be an integer',
  ],
  ['euare-usercreate', [], 'too few arguments'],
  ['euare-useraddcert', ['-u', 'bob'], 'one of the arguments -c/--certificate-body -f/--certificate-file is required'],
  ['euca-bundle-image', ['-i', '/dev/null', '--enc-key', '00'], '--enc-key and --enc-iv go together'],
];

describe('argument errors, as argparse prints them', () => {
  for (const [cmd, args, message] of CASES) {
    test(`${cmd} ${args.join(' ')}`, async () => {
      const r = await run(cmd, args, env);
      assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.match(lines[0], new RegExp(`^usage: ${cmd} `));
      // The usage wraps within the terminal's width (an option longer than a line alone on its
      // own), continuation lines aligned after the name.
      for (const l of lines.slice(0, -1))
        assert.ok(l.length <= 78 || !l.trim().includes('] ['), `${l.length} columns: ${l}`);
      for (const l of lines.slice(1, -1)) assert.ok(l.startsWith(' '.repeat(`usage: ${cmd} `.length)), l);
      assert.equal(lines[lines.length - 1], `${cmd}: error: ${message}`);
    });
  }

  test('a command that owns a short option keeps it: euca-describe-snapshots -a is --all, not the access key', async () => {
    const r = await run('euca-describe-snapshots', ['-a', 'snap-12345678'], env);
    // Parsed as --all with a snapshot: refused only when it reaches the (absent) endpoint.
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /ConnectionError/);
  });
});
