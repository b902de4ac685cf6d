/**
 * Euare identity end to end with the real commands: the seed's "Using Access" sequences (accounts
 * and their admins' credentials, groups, users, paths, keys, login profiles, certificates), the
 * errors each refusal ends with, and the aws CLI's iam commands against /services/Euare.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cloudPaths } from '../../src/shared/paths';
import { run, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { storedRows } from '../helpers/database';

async function fails(cmd: string, args: string[], env: Record<string, string>, code: RegExp): Promise<void> {
  const r = await run(cmd, args, env);
  assert.equal(r.code, 1, `${cmd} ${args.join(' ')} should fail: ${r.stdout}`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, code);
}

describe('euare', () => {
  let cloud: TestCloud;
  let env: Record<string, string>;
  let work: string;
  before(async () => {
    cloud = await startCloud();
    env = cloud.env;
    work = tempDir('euca-euare-');
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('accounts: create (its admin gets a key with -k), list, alias, summary, delete', async () => {
    const created = (await runOk('euare-accountcreate', ['-a', 'devs', '-k'], env)).split('\n');
    const [name, id] = created[0].split('\t');
    assert.equal(name, 'devs');
    assert.match(id, /^\d{12}$/);
    assert.match(created[1], /^AKI\w{17}$/);
    assert.equal(created[2].length, 40);
    assert.match(await runOk('euare-accountlist', [], env), new RegExp(`^devs\\t${id}$`, 'm'));
    await fails('euare-accountcreate', ['-a', 'devs'], env, /EntityAlreadyExists/);

    // The new account's admin acts in its own account only, and is no cloud admin.
    const devs = {
      ...env,
      EC2_ACCESS_KEY: created[1],
      EC2_SECRET_KEY: created[2],
      AWS_ACCESS_KEY: created[1],
      AWS_SECRET_KEY: created[2],
    };
    // As euca2ools prints the caller: `name = value` lines, sorted.
    assert.match(
      await runOk('euare-getcallerid', [], devs),
      new RegExp(`^account = ${id}\narn = arn:aws:iam::${id}:user/admin\nkey-id = \\w+\nuser-id = \\w+\n$`),
    );
    assert.equal(await runOk('euare-usercreate', ['-u', 'dave'], devs), '');
    assert.deepEqual((await runOk('euare-userlistbypath', [], devs)).trim().split('\n'), [
      `arn:aws:iam::${id}:user/admin`,
      `arn:aws:iam::${id}:user/dave`,
    ]);
    await fails('euare-accountlist', [], devs, /AccessDenied/);
    await fails('euare-accountcreate', ['-a', 'other'], devs, /AccessDenied/);
    assert.equal(await runOk('euare-accountaliascreate', ['-a', 'devs-alias'], devs), '');
    assert.equal(await runOk('euare-accountaliaslist', [], devs), 'Alias: devs-alias\n');
    assert.match(await runOk('euare-accountgetsummary', [], devs), /^Groups: 0\n(.*\n)*Users: 2\n/m);

    await fails('euare-accountdel', ['-a', 'devs'], env, /DeleteConflict/);
    assert.equal(await runOk('euare-accountdel', ['-a', 'devs', '-r'], env), '');
    assert.doesNotMatch(await runOk('euare-accountlist', [], env), /devs/);
    await fails('euare-accountdel', ['-a', 'devs'], env, /NoSuchEntity/);
  });

  test('groups and users as the seed shows: silent creates, -v, paths, membership, renames', async () => {
    assert.equal(await runOk('euare-groupcreate', ['-g', 'groupa'], env), '');
    const [arn, gid] = (await runOk('euare-groupcreate', ['-g', 'groupb', '-p', '/area_abc/', '-v'], env))
      .trim()
      .split('\n');
    const account = cloud.eucarc.EC2_ACCOUNT_NUMBER ?? arn.split(':')[4];
    assert.equal(arn, `arn:aws:iam::${account}:group/area_abc/groupb`);
    assert.match(gid, /^AGP\w{18}$/);
    await fails('euare-groupcreate', ['-g', 'groupa'], env, /EntityAlreadyExists/);

    const out = (await runOk('euare-usercreate', ['-u', 'alice', '-g', 'groupa', '-k', '-v'], env)).trim().split('\n');
    assert.equal(out[0], `arn:aws:iam::${account}:user/alice`);
    assert.match(out[1], /^AID\w{18}$/);
    assert.match(out[2], /^AKI\w{17}$/);
    assert.equal(out[3].length, 40);
    assert.equal(await runOk('euare-usercreate', ['-u', 'bob', '-p', '/team_abc/'], env), '');
    assert.equal(await runOk('euare-groupadduser', ['-g', 'groupb', '-u', 'bob'], env), '');

    assert.equal(
      await runOk('euare-userlistbypath', ['-p', '/team_abc/'], env),
      `arn:aws:iam::${account}:user/team_abc/bob\n`,
    );
    assert.equal(
      await runOk('euare-grouplistbypath', [], env),
      `groups\n   arn:aws:iam::${account}:group/groupa\n   arn:aws:iam::${account}:group/area_abc/groupb\n`,
    );
    assert.equal(
      await runOk('euare-grouplistbypath', ['-p', '/area_abc/'], env),
      `groups\n   arn:aws:iam::${account}:group/area_abc/groupb\n`,
    );
    assert.equal(
      await runOk('euare-grouplistusers', ['-g', 'groupa'], env),
      `arn:aws:iam::${account}:group/groupa\n   users\n   arn:aws:iam::${account}:user/alice\n`,
    );
    assert.equal(await runOk('euare-userlistgroups', ['-u', 'alice'], env), `arn:aws:iam::${account}:group/groupa\n`);

    // Renames and moves keep ids.
    assert.equal(await runOk('euare-groupmod', ['-g', 'groupb', '--new-group-name', 'groupc'], env), '');
    assert.equal(await runOk('euare-groupmod', ['-g', 'groupc', '-p', '/area_efg/'], env), '');
    assert.equal(
      await runOk('euare-grouplistusers', ['-g', 'groupc'], env),
      `arn:aws:iam::${account}:group/area_efg/groupc\n   users\n   arn:aws:iam::${account}:user/team_abc/bob\n`,
    );
    const bobId = (await runOk('euare-usergetattributes', ['-u', 'bob'], env)).split('\n')[1];
    assert.equal(await runOk('euare-usermod', ['-u', 'bob', '--new-user-name', 'robert', '-p', '/team_efg/'], env), '');
    assert.equal(
      await runOk('euare-usergetattributes', ['-u', 'robert'], env),
      `arn:aws:iam::${account}:user/team_efg/robert\n${bobId}\n`,
    );
    await fails('euare-usergetattributes', ['-u', 'bob'], env, /NoSuchEntity/);
    // "Change User Path", as the guide writes it: euare-groupmod -u USER -p PATH.
    assert.equal(await runOk('euare-groupmod', ['-u', 'robert', '-p', '/team_xyz/'], env), '');
    assert.equal(
      await runOk('euare-usergetattributes', ['-u', 'robert'], env),
      `arn:aws:iam::${account}:user/team_xyz/robert\n${bobId}\n`,
    );

    // Deleting: a group with users refuses, the seed's two ways succeed.
    await fails('euare-groupdel', ['-g', 'groupa'], env, /DeleteConflict/);
    assert.equal(await runOk('euare-groupremoveuser', ['-g', 'groupa', '-u', 'alice'], env), '');
    assert.equal(await runOk('euare-groupdel', ['-g', 'groupa'], env), '');
    assert.equal(await runOk('euare-groupdel', ['-g', 'groupc', '-r'], env), '');
    await fails('euare-groupdel', ['-g', 'groupc'], env, /NoSuchEntity/);
    assert.equal(await runOk('euare-userlistgroups', ['-u', 'robert'], env), '');
    // A user with keys refuses, unless -r.
    await fails('euare-userdel', ['-u', 'alice'], env, /DeleteConflict/);
    assert.equal(await runOk('euare-userdel', ['-u', 'alice', '-r'], env), '');
    assert.equal(await runOk('euare-userdel', ['-u', 'robert'], env), '');
    await fails('euare-usercreate', ['-u', 'bad/name'], env, /ValidationError/);
    await fails('euare-usercreate', ['-u', 'x', '-p', 'nopath'], env, /ValidationError/);
  });

  test('access keys: two at most, deactivated keys are refused, deleted', async () => {
    await runOk('euare-usercreate', ['-u', 'kim'], env);
    const [k1, s1] = (await runOk('euare-useraddkey', ['-u', 'kim'], env)).trim().split('\n');
    const [k2] = (await runOk('euare-useraddkey', ['-u', 'kim'], env)).trim().split('\n');
    await fails('euare-useraddkey', ['-u', 'kim'], env, /LimitExceeded/);
    assert.equal(await runOk('euare-userlistkeys', ['-u', 'kim'], env), `${k1}\nActive\n${k2}\nActive\n`);
    const kim = { ...env, EC2_ACCESS_KEY: k1, EC2_SECRET_KEY: s1, AWS_ACCESS_KEY: k1, AWS_SECRET_KEY: s1 };
    assert.match(await runOk('euare-getcallerid', [], kim), /user\/kim\n/);
    assert.equal(await runOk('euare-usermodkey', ['-u', 'kim', '-k', k1, '-s', 'Inactive'], env), '');
    assert.equal(await runOk('euare-userlistkeys', ['-u', 'kim'], env), `${k1}\nInactive\n${k2}\nActive\n`);
    await fails('euare-getcallerid', [], kim, /InvalidClientTokenId|InvalidAccessKeyId/);
    assert.equal(await runOk('euare-userdelkey', ['-u', 'kim', '-k', k1], env), '');
    await fails('euare-userdelkey', ['-u', 'kim', '-k', k1], env, /NoSuchEntity/);
    assert.equal(await runOk('euare-userlistkeys', ['-u', 'kim'], env), `${k2}\nActive\n`);
  });

  test('login profiles: -p, get, modify, delete; the password is stored hashed', async () => {
    await runOk('euare-usercreate', ['-u', 'lee'], env);
    await fails('euare-usergetloginprofile', ['-u', 'lee'], env, /NoSuchEntity/);
    assert.equal(await runOk('euare-useraddloginprofile', ['-u', 'lee', '-p', 'S3cret-pw'], env), '');
    await fails('euare-useraddloginprofile', ['-u', 'lee', '-p', 'again'], env, /EntityAlreadyExists/);
    assert.equal(await runOk('euare-usergetloginprofile', ['-u', 'lee'], env), 'Login Profile Exists for User lee\n');
    assert.equal(await runOk('euare-usermodloginprofile', ['-u', 'lee', '-p', 'N3w-pw'], env), '');
    const rows = await storedRows(cloud.dataDir);
    assert.ok(rows.includes('login_profiles: ["{') && !rows.includes('N3w-pw') && !rows.includes('S3cret-pw'));
    assert.equal(await runOk('euare-userdelloginprofile', ['-u', 'lee'], env), '');
    await fails('euare-usergetloginprofile', ['-u', 'lee'], env, /NoSuchEntity/);
  });

  test('signing certificates: created by the cloud CA, uploaded, listed, deactivated, deleted', async () => {
    await runOk('euare-usercreate', ['-u', 'cat'], env);
    const out = await runOk('euare-usercreatecert', ['-u', 'cat'], env);
    const certId = out.split('\n')[0];
    assert.match(certId, /^\w{32}$/);
    const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)![0];
    assert.match(out, /-----BEGIN (RSA )?PRIVATE KEY-----/);
    const ca = new X509Certificate(fs.readFileSync(path.join(cloudPaths(cloud.dataDir).keysDir, 'cloud-cert.pem')));
    assert.ok(new X509Certificate(certPem).verify(ca.publicKey));
    assert.equal(await runOk('euare-userlistcerts', ['-u', 'cat'], env), `${certId}\nActive\ncat\n`);

    const certFile = path.join(work, 'cert.pem');
    const keyFile = path.join(work, 'pk.pem');
    const id2 = (
      await runOk('euare-usercreatecert', ['-u', 'cat', '--out', certFile, '--keyout', keyFile], env)
    ).trim();
    assert.match(id2, /^\w{32}$/);
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    await runOk('euare-usercreate', ['-u', 'dan'], env);
    const id3 = (await runOk('euare-useraddcert', ['-u', 'dan', '-f', certFile], env)).trim();
    assert.match(id3, /^\w{32}$/);
    await fails('euare-useraddcert', ['-u', 'dan', '-f', certFile], env, /DuplicateCertificate/);
    fs.writeFileSync(path.join(work, 'junk.pem'), 'not a certificate');
    await fails('euare-useraddcert', ['-u', 'dan', '-f', path.join(work, 'junk.pem')], env, /MalformedCertificate/);
    assert.equal(await runOk('euare-usermodcert', ['-u', 'cat', '-c', certId, '-s', 'Inactive'], env), '');
    assert.equal(
      await runOk('euare-userlistcerts', ['-u', 'cat'], env),
      `${certId}\nInactive\ncat\n${id2}\nActive\ncat\n`,
    );
    assert.equal(await runOk('euare-userdelcert', ['-u', 'cat', '-c', certId], env), '');
    await fails('euare-userdelcert', ['-u', 'cat', '-c', certId], env, /NoSuchEntity/);
    await fails('euare-userdel', ['-u', 'dan'], env, /DeleteConflict/);
    assert.equal(await runOk('euare-userdel', ['-u', 'dan', '-r'], env), '');
  });

  test('aws CLI: iam create-user, list-users, create-group, get-group, put/get/list/delete policies', async () => {
    const awsEnv = {
      ...env,
      AWS_ACCESS_KEY_ID: cloud.eucarc.EC2_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: cloud.eucarc.EC2_SECRET_KEY,
      AWS_DEFAULT_REGION: 'eucalyptus',
      HOME: cloud.dataDir,
    };
    const aws = (...args: string[]) =>
      run('aws', ['--endpoint-url', cloud.eucarc.EUARE_URL, 'iam', ...args, '--output', 'json'], awsEnv);
    const created = await aws('create-user', '--user-name', 'awsuser', '--path', '/cli/');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).User.Arn.split(':').pop(), 'user/cli/awsuser');
    const listed = await aws('list-users', '--path-prefix', '/cli/');
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).Users.map((u: { UserName: string }) => u.UserName),
      ['awsuser'],
    );
    assert.equal((await aws('create-group', '--group-name', 'awsgroup')).code, 0);
    assert.equal((await aws('add-user-to-group', '--group-name', 'awsgroup', '--user-name', 'awsuser')).code, 0);
    const group = await aws('get-group', '--group-name', 'awsgroup');
    assert.equal(JSON.parse(group.stdout).Users[0].UserName, 'awsuser');
    const dup = await aws('create-user', '--user-name', 'awsuser');
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /EntityAlreadyExists/);

    // Policies: put, list, get (the CLI decodes IAM's URL-encoded document), delete.
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::pub/*'] }],
    };
    assert.equal(
      (
        await aws(
          'put-group-policy',
          '--group-name',
          'awsgroup',
          '--policy-name',
          'read-pub',
          '--policy-document',
          JSON.stringify(doc),
        )
      ).code,
      0,
    );
    assert.equal(
      (
        await aws(
          'put-user-policy',
          '--user-name',
          'awsuser',
          '--policy-name',
          'own',
          '--policy-document',
          JSON.stringify(doc),
        )
      ).code,
      0,
    );
    assert.deepEqual(JSON.parse((await aws('list-group-policies', '--group-name', 'awsgroup')).stdout).PolicyNames, [
      'read-pub',
    ]);
    assert.deepEqual(
      JSON.parse((await aws('get-group-policy', '--group-name', 'awsgroup', '--policy-name', 'read-pub')).stdout)
        .PolicyDocument,
      doc,
    );
    assert.deepEqual(
      JSON.parse((await aws('get-user-policy', '--user-name', 'awsuser', '--policy-name', 'own')).stdout)
        .PolicyDocument,
      doc,
    );
    assert.equal(
      await runOk('euare-groupgetpolicy', ['-g', 'awsgroup', '-p', 'read-pub'], env),
      JSON.stringify(doc) + '\n',
    );
    const bad = await aws(
      'put-user-policy',
      '--user-name',
      'awsuser',
      '--policy-name',
      'bad',
      '--policy-document',
      '{"Statement": 7}',
    );
    assert.match(bad.stderr, /MalformedPolicyDocument/);
    assert.equal((await aws('delete-group-policy', '--group-name', 'awsgroup', '--policy-name', 'read-pub')).code, 0);
    assert.deepEqual(JSON.parse((await aws('list-group-policies', '--group-name', 'awsgroup')).stdout).PolicyNames, []);
  });
});
