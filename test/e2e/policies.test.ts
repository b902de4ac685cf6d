/**
 * Euare policies end to end: the ten policy commands as seed 000 uses them, and enforcement on
 * every EC2, Walrus and Euare request: a user with no policy is denied everything; an Allow lets
 * through what it names and nothing else; a Deny wins over an Allow from another group; resource
 * ARNs and the condition operators decide on EC2, S3 and IAM actions alike. Then two accounts
 * that cannot see each other's resources, except a public image.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IdentityStore } from '../../src/backend/iam/store';
import { cloudPaths } from '../../src/shared/paths';
import { SqlStore } from '../../src/backend/store/sql-store';
import { cloudDatabase } from '../../src/backend/store/database';
import { type CliError } from '../../src/shared/errors';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { s3Client } from '../helpers/s3';

type Env = Record<string, string>;

/** An S3 call refused with the given error code. */
const refused = (call: Promise<unknown>, code: string) => assert.rejects(call, (e: CliError) => e.code === code);

async function fails(cmd: string, args: string[], env: Env, code: RegExp): Promise<void> {
  const r = await run(cmd, args, env);
  assert.equal(r.code, 1, `${cmd} ${args.join(' ')} should fail: ${r.stdout}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, code);
}

/** Credentials printed by `-k` (key id, then secret) as the environment `source eucarc` gives. */
function withKey(env: Env, printed: string): Env {
  const [id, secret] = printed.trim().split('\n').slice(-2);
  return { ...env, EC2_ACCESS_KEY: id, EC2_SECRET_KEY: secret, AWS_ACCESS_KEY: id, AWS_SECRET_KEY: secret };
}

describe('policies', () => {
  let cloud: TestCloud;
  let admin: Env;
  let work: string;
  let accountId: string;
  before(async () => {
    cloud = await startCloud();
    admin = cloud.env;
    work = tempDir('euca-policies-');
    accountId = (await runOk('euare-getcallerid', [], admin)).match(/arn:aws:iam::(\d{12})/)![1];
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test(
    'seed 000: add a group policy with -o, list, get, delete; a group with a policy is deleted only with ' + '-r',
    async () => {
      assert.equal(await runOk('euare-groupcreate', ['-g', 'runners'], admin), '');
      assert.equal(
        await runOk(
          'euare-groupaddpolicy',
          ['-g', 'runners', '-p', 'allow-run', '-e', 'Allow', '-a', 'ec2:RunInstances', '-o'],
          admin,
        ),
        '{ "Version": "2008-10-17", "Statement": [ { "Effect": "Allow", "Action": [ "ec2:RunInstances" ], ' +
          '"Resource": [ "*" ] } ] }\n',
      );
      const doc = path.join(work, 'deny.json');
      fs.writeFileSync(
        doc,
        JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*' }] }),
      );
      assert.equal(
        await runOk('euare-groupuploadpolicy', ['-g', 'runners', '-p', 'no-terminate', '-f', doc], admin),
        '',
      );
      assert.equal(await runOk('euare-grouplistpolicies', ['-g', 'runners'], admin), 'allow-run\nno-terminate\n');
      assert.equal(
        await runOk('euare-groupgetpolicy', ['-g', 'runners', '-p', 'no-terminate'], admin),
        fs.readFileSync(doc, 'utf8') + '\n',
      );
      const verbose = (await runOk('euare-grouplistpolicies', ['-g', 'runners', '-v'], admin)).split('\n');
      assert.deepEqual([verbose[0], verbose[2]], ['allow-run', 'no-terminate']);
      assert.match(verbose[1], /"ec2:RunInstances"/);

      await fails(
        'euare-groupuploadpolicy',
        ['-g', 'runners', '-p', 'broken', '-o', '{"Statement": ['],
        admin,
        /\(MalformedPolicyDocument\)/,
      );
      await fails(
        'euare-groupuploadpolicy',
        ['-g', 'runners', '-p', 'broken', '-o', '{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}'],
        admin,
        /\(MalformedPolicyDocument\)/,
      );
      await fails(
        'euare-groupaddpolicy',
        ['-g', 'runners', '-p', 'broken', '-e', 'Perhaps', '-a', 'ec2:*'],
        admin,
        /Allow or Deny/,
      );
      assert.equal(await runOk('euare-grouplistpolicies', ['-g', 'runners'], admin), 'allow-run\nno-terminate\n');

      // The seed's two ways: remove users and policies one by one, or -r.
      await fails('euare-groupdel', ['-g', 'runners'], admin, /\(DeleteConflict\).*policies/);
      assert.equal(await runOk('euare-groupdelpolicy', ['-g', 'runners', '-p', 'allow-run'], admin), '');
      assert.equal(await runOk('euare-groupdelpolicy', ['-g', 'runners', '-p', 'no-terminate'], admin), '');
      await fails('euare-groupdelpolicy', ['-g', 'runners', '-p', 'no-terminate'], admin, /\(NoSuchEntity\)/);
      assert.equal(await runOk('euare-groupdel', ['-g', 'runners'], admin), '');
      assert.equal(await runOk('euare-groupcreate', ['-g', 'temp'], admin), '');
      await runOk('euare-groupaddpolicy', ['-g', 'temp', '-p', 'p', '-e', 'Allow', '-a', 'ec2:*'], admin);
      await runOk('euare-usercreate', ['-u', 'tina', '-g', 'temp'], admin);
      await runOk(
        'euare-useraddpolicy',
        ['-u', 'tina', '-p', 'mine', '-e', 'Allow', '-a', 's3:*', '-r', 'arn:aws:s3:::tina/*'],
        admin,
      );
      await fails('euare-userdel', ['-u', 'tina'], admin, /\(DeleteConflict\)/);
      assert.equal(await runOk('euare-groupdel', ['-g', 'temp', '-r'], admin), '');
      assert.equal(await runOk('euare-userdel', ['-u', 'tina', '-r'], admin), '');
      // Their policies went with them.
      const store = await SqlStore.open(cloudDatabase(cloudPaths(cloud.dataDir)));
      try {
        const rows = (await store.db
          .prepare<{ n: number }>(
            'SELECT (SELECT count(*) FROM user_policies) + (SELECT count(*) FROM group_policies) AS n',
          )
          .get())!;
        assert.equal(rows.n, 0);
      } finally {
        await store.close();
      }
    },
  );

  test('the login profile password is prompted for without echo and stored hashed', async () => {
    await runOk('euare-usercreate', ['-u', 'paula'], admin);
    const r = await run('euare-useraddloginprofile', ['-u', 'paula'], admin, 'Typed-Secret-9\n');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /Typed-Secret-9/);
    const store = await SqlStore.open(cloudDatabase(cloudPaths(cloud.dataDir)));
    try {
      const user = (await store.findUser((await store.findAccountByName('eucalyptus'))!.id, 'paula'))!;
      const identity = new IdentityStore(store.db);
      assert.equal(await identity.checkPassword(user.id, 'Typed-Secret-9'), true);
      assert.equal(await identity.checkPassword(user.id, 'typed-secret-9'), false);
      const hash = (await store.db
        .prepare<{ password_hash: string }>('SELECT password_hash FROM login_profiles WHERE user_id = ?')
        .get(user.id))!.password_hash;
      assert.doesNotMatch(hash, /Typed-Secret-9/);
    } finally {
      await store.close();
    }
  });

  describe('enforcement', () => {
    let alice: Env;
    before(async () => {
      alice = withKey(admin, await runOk('euare-usercreate', ['-u', 'alice', '-k'], admin));
    });

    const describeZones = (env: Env) => run('euca-describe-availability-zones', [], env);
    const listUsers = (env: Env) => run('euare-userlistbypath', [], env);
    const listBuckets = async (env: Env) => {
      const s3 = await s3Client(cloud, {
        keys: { accessKeyId: env.EC2_ACCESS_KEY, secretAccessKey: env.EC2_SECRET_KEY },
      });
      try {
        await s3.listBuckets();
        return { code: 0, stderr: '' };
      } catch (e) {
        return { code: 1, stderr: `${(e as CliError).code}: ${(e as Error).message}` };
      }
    };
    const SERVICES = [
      { name: 'EC2', call: describeZones, denied: /UnauthorizedOperation/ },
      { name: 'S3', call: listBuckets, denied: /AccessDenied/ },
      { name: 'IAM', call: listUsers, denied: /AccessDenied/ },
    ];
    const setPolicy = (doc: object) =>
      runOk('euare-useruploadpolicy', ['-u', 'alice', '-p', 'case', '-o', JSON.stringify(doc)], admin);
    const clearPolicy = () => run('euare-userdelpolicy', ['-u', 'alice', '-p', 'case'], admin);

    test('a user with no policy is denied every action, on every service, with one line', async () => {
      for (const s of SERVICES) {
        const r = await s.call(alice);
        assert.equal(r.code, 1, s.name);
        assert.match(r.stderr, s.denied, s.name);
      }
      await fails(
        'euca-describe-images',
        [],
        alice,
        /\(UnauthorizedOperation\): You are not authorized to perform this operation\./,
      );
      await fails(
        'euare-usercreate',
        ['-u', 'mallory'],
        alice,
        new RegExp(
          `\\(AccessDenied\\): User: arn:aws:iam::${accountId}:user/alice is not authorized to perform: iam:CreateUser`,
        ),
      );
      await fails('euca-add-keypair', ['k'], alice, /UnauthorizedOperation/);
      assert.doesNotMatch(await runOk('euare-userlistbypath', [], admin), /mallory/);
    });

    test('Allow ec2:Describe* lets describes through and nothing else; a Deny from another group wins', async () => {
      await runOk('euare-groupcreate', ['-g', 'readers'], admin);
      await runOk(
        'euare-groupaddpolicy',
        ['-g', 'readers', '-p', 'describe', '-e', 'Allow', '-a', 'ec2:Describe*'],
        admin,
      );
      await runOk('euare-groupadduser', ['-g', 'readers', '-u', 'alice'], admin);
      assert.match(await runOk('euca-describe-availability-zones', [], alice), /^AVAILABILITYZONE/);
      await runOk('euca-describe-images', [], alice);
      await runOk('euca-describe-keypairs', [], alice);
      await fails('euca-add-keypair', ['alice-k'], alice, /UnauthorizedOperation/);
      await fails('euca-create-group', ['web', '-d', 'web'], alice, /UnauthorizedOperation/);
      assert.equal((await listUsers(alice)).code, 1);

      await runOk('euare-groupcreate', ['-g', 'no-images'], admin);
      await runOk(
        'euare-groupaddpolicy',
        ['-g', 'no-images', '-p', 'deny', '-e', 'Deny', '-a', 'ec2:DescribeImages'],
        admin,
      );
      await runOk('euare-groupadduser', ['-g', 'no-images', '-u', 'alice'], admin);
      await fails('euca-describe-images', [], alice, /UnauthorizedOperation/);
      await runOk('euca-describe-availability-zones', [], alice);
      // Action names match case-insensitively: case games cannot dodge a Deny.
      await runOk(
        'euare-groupaddpolicy',
        ['-g', 'no-images', '-p', 'deny-keys', '-e', 'Deny', '-a', 'EC2:describekeypairs'],
        admin,
      );
      await fails('euca-describe-keypairs', [], alice, /UnauthorizedOperation/);
      await runOk('euare-groupremoveuser', ['-g', 'no-images', '-u', 'alice'], admin);
      await runOk('euca-describe-images', [], alice);
      await runOk('euare-groupremoveuser', ['-g', 'readers', '-u', 'alice'], admin);
      await fails('euca-describe-images', [], alice, /UnauthorizedOperation/);
    });

    test('resource ARNs decide on EC2, S3 and IAM actions', async () => {
      await setPolicy({
        Statement: [
          { Effect: 'Allow', Action: 'ec2:CreateKeyPair', Resource: 'arn:aws:ec2:::keypair/alice-*' },
          { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::alice-bucket', 'arn:aws:s3:::alice-bucket/*'] },
          { Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${accountId}:user/alice-team/*` },
        ],
      });
      try {
        assert.match(await runOk('euca-add-keypair', ['alice-k1'], alice), /^KEYPAIR\talice-k1\t/);
        await fails('euca-add-keypair', ['bob-k1'], alice, /UnauthorizedOperation/);

        const s3 = await s3Client(cloud, {
          keys: { accessKeyId: alice.EC2_ACCESS_KEY, secretAccessKey: alice.EC2_SECRET_KEY },
        });
        await s3.createBucket('alice-bucket');
        await s3.putObject('alice-bucket', 'notes.txt', Buffer.from('mine'));
        assert.equal((await s3.getObjectBuffer('alice-bucket', 'notes.txt')).body.toString(), 'mine');
        await refused(s3.createBucket('bob-bucket'), 'AccessDenied');
        await refused(s3.listBuckets(), 'AccessDenied');

        assert.equal(await runOk('euare-usercreate', ['-u', 'carol', '-p', '/alice-team/'], alice), '');
        await fails('euare-usercreate', ['-u', 'dan', '-p', '/other-team/'], alice, /AccessDenied/);
        await fails('euare-usercreate', ['-u', 'dan'], alice, /AccessDenied/);
        // Moving carol out of /alice-team/ needs permission on both sides of the move.
        await fails('euare-usermod', ['-u', 'carol', '-p', '/other-team/'], alice, /AccessDenied/);
        assert.equal(await runOk('euare-usermod', ['-u', 'carol', '-p', '/other-team/'], admin), '');
        await fails('euare-userdel', ['-u', 'carol'], alice, /AccessDenied/);
      } finally {
        await clearPolicy();
      }
    });

    const CONDITIONS: { name: string; allows: object; denies: object }[] = [
      {
        name: 'IpAddress',
        allows: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
        denies: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
      {
        name: 'NotIpAddress',
        allows: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
        denies: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.1/32', '::1/128'] } },
      },
      {
        name: 'StringEquals',
        allows: { StringEquals: { 'aws:username': 'alice' } },
        denies: { StringEquals: { 'aws:username': 'Alice' } },
      },
      {
        name: 'StringLike',
        allows: { StringLike: { 'aws:username': 'al*' } },
        denies: { StringLike: { 'aws:username': 'bo?' } },
      },
      {
        name: 'DateLessThan',
        allows: { DateLessThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } },
        denies: { DateLessThan: { 'aws:CurrentTime': '2001-01-01T00:00:00Z' } },
      },
      {
        name: 'DateGreaterThan',
        allows: { DateGreaterThan: { 'aws:CurrentTime': '2001-01-01T00:00:00Z' } },
        denies: { DateGreaterThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } },
      },
      {
        name: 'Bool',
        allows: { Bool: { 'aws:SecureTransport': 'false' } },
        denies: { Bool: { 'aws:SecureTransport': 'true' } },
      },
    ];
    const ALL = ['ec2:DescribeAvailabilityZones', 's3:ListAllMyBuckets', 'iam:ListUsers'];

    for (const c of CONDITIONS) {
      test(`condition ${c.name} allows and denies on EC2, S3 and IAM`, async () => {
        try {
          await setPolicy({ Statement: [{ Effect: 'Allow', Action: ALL, Resource: '*', Condition: c.allows }] });
          for (const s of SERVICES) assert.equal((await s.call(alice)).code, 0, `${c.name} should allow ${s.name}`);
          await setPolicy({ Statement: [{ Effect: 'Allow', Action: ALL, Resource: '*', Condition: c.denies }] });
          for (const s of SERVICES) {
            const r = await s.call(alice);
            assert.equal(r.code, 1, `${c.name} should deny ${s.name}`);
            assert.match(r.stderr, s.denied);
          }
          // The same condition on a Deny takes away what an unconditional Allow gives.
          await setPolicy({
            Statement: [
              { Effect: 'Allow', Action: ALL, Resource: '*' },
              { Effect: 'Deny', Action: ALL, Resource: '*', Condition: c.allows },
            ],
          });
          for (const s of SERVICES)
            assert.equal((await s.call(alice)).code, 1, `${c.name} on a Deny should deny ${s.name}`);
        } finally {
          await clearPolicy();
        }
      });
    }

    test('an inactive key is refused, whatever the policies', async () => {
      await setPolicy({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
      try {
        await runOk('euca-describe-availability-zones', [], alice);
        await runOk('euare-usermodkey', ['-u', 'alice', '-k', alice.EC2_ACCESS_KEY, '-s', 'Inactive'], admin);
        await fails('euca-describe-availability-zones', [], alice, /AuthFailure|InvalidClientTokenId/);
        await fails('euare-userlistbypath', [], alice, /InvalidClientTokenId/);
        assert.match((await listBuckets(alice)).stderr, /InvalidAccessKeyId/);
        await runOk('euare-usermodkey', ['-u', 'alice', '-k', alice.EC2_ACCESS_KEY, '-s', 'Active'], admin);
      } finally {
        await clearPolicy();
      }
    });
  });

  test("two accounts cannot see each other's resources; a public image is visible to both", async () => {
    const printed = (await runOk('euare-accountcreate', ['-a', 'acme', '-k'], admin)).split('\n');
    const acme = withKey(admin, printed.slice(1, 3).join('\n'));
    await runOk('euca-add-keypair', ['euca-only'], admin);
    await runOk('euca-add-group', ['euca-web', '-d', 'web'], admin);
    const mine = await s3Client(cloud);
    await mine.createBucket('euca-private');
    const privateImage = await registerTestImage(admin);
    const publicImage = await registerTestImage(admin);
    await runOk('euca-modify-image-attribute', [publicImage, '-l', '-a', 'all'], admin);

    assert.doesNotMatch(await runOk('euca-describe-keypairs', [], acme), /euca-only/);
    // Deleting a key pair one does not have succeeds, as in EC2, and touches nobody else's.
    await runOk('euca-delete-keypair', ['euca-only'], acme);
    assert.match(await runOk('euca-describe-keypairs', [], admin), /euca-only/);
    assert.doesNotMatch(await runOk('euca-describe-groups', [], acme), /euca-web/);
    await fails('euca-delete-group', ['euca-web'], acme, /InvalidGroup\.NotFound/);
    const images = await runOk('euca-describe-images', [], acme);
    assert.match(images, new RegExp(publicImage));
    assert.doesNotMatch(images, new RegExp(privateImage));
    await fails('euca-deregister', [publicImage], acme, /\((AuthFailure|UnauthorizedOperation|InvalidAMIID\.\w+)\)/);
    const theirs = await s3Client(cloud, {
      keys: { accessKeyId: acme.EC2_ACCESS_KEY, secretAccessKey: acme.EC2_SECRET_KEY },
    });
    assert.deepEqual(
      (await theirs.listBuckets()).buckets.map((b) => b.Name),
      [],
    );
    await refused(theirs.listObjects('euca-private'), 'AccessDenied');
    // Instances and addresses.
    const instance = (await runOk('euca-run-instances', [publicImage], admin)).match(/^INSTANCE\t(i-\w+)/m)![1];
    const address = (await runOk('euca-allocate-address', [], admin)).split('\t')[1];
    assert.doesNotMatch(await runOk('euca-describe-instances', [], acme), new RegExp(instance));
    await fails('euca-terminate-instances', [instance], acme, /InvalidInstanceID\.NotFound/);
    assert.doesNotMatch(await runOk('euca-describe-addresses', [], acme), new RegExp(address.replace(/\./g, '\\.')));
    await fails('euca-release-address', [address], acme, /\((AuthFailure|InvalidAddress\.NotFound)\)/);
    // The public image runs for the other account too, as its own instance.
    const theirInstance = (await runOk('euca-run-instances', [publicImage], acme)).match(/^INSTANCE\t(i-\w+)/m)![1];
    assert.doesNotMatch(await runOk('euca-describe-instances', [], admin), new RegExp(theirInstance));
    assert.match(await runOk('euca-describe-instances', ['verbose'], admin), new RegExp(theirInstance));
    await runOk('euca-terminate-instances', [theirInstance], acme);
    await runOk('euca-terminate-instances', [instance], admin);
    await runOk('euca-release-address', [address], admin);
    // And the other way round.
    await runOk('euca-add-keypair', ['acme-only'], acme);
    assert.doesNotMatch(await runOk('euca-describe-keypairs', [], admin), /acme-only/);
    assert.match(await runOk('euca-describe-keypairs', [], acme), /acme-only/);
  });
});
