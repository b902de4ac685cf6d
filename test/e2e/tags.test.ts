/**
 * Tags end to end with the real commands: on an image (bundled, uploaded and registered as the
 * seeds do) and on security groups; TAG lines from euca-create-tags, euca-describe-tags,
 * euca-describe-images and euca-describe-groups; filters; overwriting and deleting; the limit of
 * 50 per resource; isolation between accounts; tags going with their resource; the aws CLI.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestAccount, type TestAccount } from '../helpers/accounts';
import { run, runOk, tempDir } from '../helpers/cli';
import { type TestCloud } from '../helpers/cloud';
import { startCloudInMode } from '../helpers/network';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tags', () => {
  let cloud: TestCloud;
  let alice: TestAccount;
  let work: string;
  let emi: string;
  before(async () => {
    cloud = await startCloudInMode('MANAGED-NOVLAN');
    alice = await createTestAccount(cloud.dataDir, 'alice', cloud.eucarc);
    work = tempDir('euca-tags-');
    const image = path.join(work, 'tagged.img');
    fs.writeFileSync(image, randomBytes(256 * 1024));
    await runOk('euca-bundle-image', ['-i', image, '-d', work], cloud.env);
    await runOk(
      'euca-upload-bundle',
      ['-b', 'tag-bucket', '-m', path.join(work, 'tagged.img.manifest.xml')],
      cloud.env,
    );
    emi = (await runOk('euca-register', ['tag-bucket/tagged.img.manifest.xml'], cloud.env)).trim().split('\t')[1];
    for (let i = 0; i < 200 && !/\tavailable\t/.test(await runOk('euca-describe-images', [emi], cloud.env)); i++)
      await sleep(50);
  });
  after(async () => {
    await cloud.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('tags on an image and a group print as TAG lines everywhere, and filter', async () => {
    const sg = (await runOk('euca-add-group', ['-d', 'web servers', 'web'], cloud.env)).split('\t')[1];
    assert.equal(
      await runOk('euca-create-tags', [emi, sg, '--tag', 'Name=fedora', '--tag', 'stage'], cloud.env),
      [
        `TAG\timage\t${emi}\tName\tfedora`,
        `TAG\timage\t${emi}\tstage\t`,
        `TAG\tsecurity-group\t${sg}\tName\tfedora`,
        `TAG\tsecurity-group\t${sg}\tstage\t`,
        '',
      ].join('\n'),
    );
    const images = (await runOk('euca-describe-images', [emi], cloud.env)).split('\n');
    assert.deepEqual(images.slice(1), [`TAG\timage\t${emi}\tName\tfedora`, `TAG\timage\t${emi}\tstage\t`, '']);
    const groups = (await runOk('euca-describe-groups', ['web'], cloud.env)).split('\n');
    assert.deepEqual(groups.slice(1), [
      `TAG\tsecurity-group\t${sg}\tName\tfedora`,
      `TAG\tsecurity-group\t${sg}\tstage\t`,
      '',
    ]);

    const all = await runOk('euca-describe-tags', [], cloud.env);
    assert.equal(all.split('\n').filter(Boolean).length, 4);
    assert.equal(
      await runOk('euca-describe-tags', ['--filter', 'resource-type=image'], cloud.env),
      `TAG\timage\t${emi}\tName\tfedora\nTAG\timage\t${emi}\tstage\t\n`,
    );
    assert.equal(
      await runOk('euca-describe-tags', ['--filter', `resource-id=${sg}`, '--filter', 'key=Name'], cloud.env),
      `TAG\tsecurity-group\t${sg}\tName\tfedora\n`,
    );
    assert.equal(
      await runOk('euca-describe-tags', ['--filter', 'value=fed*'], cloud.env).then(
        (o) => o.split('\n').filter(Boolean).length,
      ),
      2,
    );
    assert.match(
      await runOk('euca-describe-images', ['--filter', 'tag:Name=fedora'], cloud.env),
      new RegExp(`^IMAGE\\t${emi}\\t`),
    );
    assert.equal(await runOk('euca-describe-images', ['--filter', 'tag:Name=ubuntu'], cloud.env), '');
    assert.match(
      await runOk('euca-describe-groups', ['--filter', 'tag-key=stage'], cloud.env),
      /^GROUP\t\d{12}\tweb\tweb servers\n/,
    );
    assert.equal(await runOk('euca-describe-groups', ['--filter', 'tag-value=nothing'], cloud.env), '');

    // Overwrite, then delete by key=value (a mismatch keeps the tag) and by key.
    await runOk('euca-create-tags', [emi, '--tag', 'Name=fedora-10'], cloud.env);
    assert.match(
      await runOk('euca-describe-tags', ['--filter', `resource-id=${emi}`, '--filter', 'key=Name'], cloud.env),
      /\tName\tfedora-10\n$/,
    );
    assert.equal(await runOk('euca-delete-tags', [emi, '--tag', 'Name=fedora'], cloud.env), '');
    assert.match(
      await runOk('euca-describe-tags', ['--filter', `resource-id=${emi}`], cloud.env),
      /\tName\tfedora-10\n/,
    );
    await runOk('euca-delete-tags', [emi, '--tag', 'Name=fedora-10', '--tag', 'stage'], cloud.env);
    assert.equal(await runOk('euca-describe-tags', ['--filter', `resource-id=${emi}`], cloud.env), '');

    // A group's tags go with it.
    await runOk('euca-delete-group', [sg], cloud.env);
    assert.equal(await runOk('euca-describe-tags', [], cloud.env), '');
  });

  test('at most 50 tags per resource: the 51st is refused and nothing changes', async () => {
    const sg = (await runOk('euca-add-group', ['-d', 'many', 'many'], cloud.env)).split('\t')[1];
    const fifty = Array.from({ length: 50 }, (_, i) => ['--tag', `k${i}=v${i}`]).flat();
    await runOk('euca-create-tags', [sg, ...fifty], cloud.env);
    const r = await run('euca-create-tags', [sg, '--tag', 'k50=v50', '--tag', 'k0=changed'], cloud.env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^euca-create-tags: error \(TagLimitExceeded\): [^\n]+\n$/);
    const tags = await runOk('euca-describe-tags', ['--filter', `resource-id=${sg}`], cloud.env);
    assert.equal(tags.split('\n').filter(Boolean).length, 50);
    assert.match(tags, /\tk0\tv0\n/);
    await runOk('euca-delete-group', [sg], cloud.env);
  });

  test("another account's resources cannot be tagged, and each account sees only its own tags", async () => {
    const sg = (await runOk('euca-add-group', ['-d', 'mine', 'mine'], cloud.env)).split('\t')[1];
    await runOk('euca-create-tags', [sg, '--tag', 'owner=admin'], cloud.env);
    // Alice may launch the image once it is shared, but it is still not hers to tag.
    await runOk('euca-modify-image-attribute', ['-l', '-a', alice.accountId, emi], cloud.env);
    for (const [id, code] of [
      [emi, 'InvalidAMIID.NotFound'],
      [sg, 'InvalidGroup.NotFound'],
      ['sg-00000000', 'InvalidGroup.NotFound'],
      ['foo-12345678', 'InvalidID'],
    ]) {
      const r = await run('euca-create-tags', [id, '--tag', 'x=y'], alice.env);
      assert.equal(r.code, 1, id);
      assert.match(r.stderr, new RegExp(`^euca-create-tags: error \\(${code.replace('.', '\\.')}\\): [^\\n]+\\n$`), id);
      assert.equal((await run('euca-delete-tags', [id, '--tag', 'owner'], alice.env)).code, 1);
    }
    assert.equal(await runOk('euca-describe-tags', [], alice.env), '');
    assert.doesNotMatch(await runOk('euca-describe-images', [emi], alice.env), /^TAG/m);
    const own = (await runOk('euca-add-group', ['-d', 'hers', 'hers'], alice.env)).split('\t')[1];
    await runOk('euca-create-tags', [own, '--tag', 'owner=alice'], alice.env);
    assert.equal(await runOk('euca-describe-tags', [], alice.env), `TAG\tsecurity-group\t${own}\towner\talice\n`);
    assert.equal(await runOk('euca-describe-tags', ['--filter', 'value=alice'], cloud.env), '');
  });

  test('the aws CLI tags a group and reads the tags back', async () => {
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
    const sg = (await runOk('euca-add-group', ['-d', 'cli', 'cli'], cloud.env)).split('\t')[1];
    await aws('create-tags', '--resources', sg, '--tags', 'Key=env,Value=prod');
    const { Tags } = await aws('describe-tags', '--filters', `Name=resource-id,Values=${sg}`);
    assert.deepEqual(Tags, [{ ResourceId: sg, ResourceType: 'security-group', Key: 'env', Value: 'prod' }]);
    const { SecurityGroups } = await aws('describe-security-groups', '--filters', 'Name=tag:env,Values=prod');
    assert.deepEqual(
      SecurityGroups.map((g: { GroupId: string }) => g.GroupId),
      [sg],
    );
    await aws('delete-tags', '--resources', sg, '--tags', 'Key=env');
    assert.equal(await runOk('euca-describe-tags', ['--filter', `resource-id=${sg}`], cloud.env), '');
  });
});
