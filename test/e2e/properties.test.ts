/**
 * The cloud's live properties: euca-describe-properties and euca-modify-property, for the cloud
 * administrator only; each change checked and in effect at once (seed 000, "Associate a Kernel
 * and Ramdisk": a default kernel that a later run-instances without --kernel uses; VM type sizes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { run, runOk } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { waitFor } from '../helpers/node';

type Env = Record<string, string>;

async function fails(cmd: string, args: string[], env: Env, code: RegExp): Promise<void> {
  const r = await run(cmd, args, env);
  assert.equal(r.code, 1, `${cmd} ${args.join(' ')} should fail: ${r.stdout}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, code);
}

describe('cloud properties', () => {
  let cloud: TestCloud;
  let env: Env;
  before(async () => {
    cloud = await startCloud();
    env = cloud.env;
  });
  after(() => cloud.stop());

  test('describe lists them, by prefix; only the cloud administrator reads or changes them', async () => {
    const all = await runOk('euca-describe-properties', [], env);
    assert.match(all, /^PROPERTY\tcloud\.images\.defaultkernel\t$/m);
    assert.match(all, /^PROPERTY\tcloud\.vmtypes\.m1\.small\.memory\t\d+$/m);
    assert.match(all, /^PROPERTY\tcloud\.vmstate\.terminated_time\t60$/m);
    const images = (await runOk('euca-describe-properties', ['cloud.images'], env)).trim().split('\n');
    assert.deepEqual(
      images.map((l) => l.split('\t')[1]),
      ['cloud.images.defaultkernel', 'cloud.images.defaultramdisk'],
    );

    const acme = (await runOk('euare-accountcreate', ['-a', 'acme', '-k'], env)).trim().split('\n');
    const acmeEnv = {
      ...env,
      EC2_ACCESS_KEY: acme[1],
      EC2_SECRET_KEY: acme[2],
      AWS_ACCESS_KEY: acme[1],
      AWS_SECRET_KEY: acme[2],
    };
    await fails('euca-describe-properties', [], acmeEnv, /\(UnauthorizedOperation\)/);
    await fails(
      'euca-modify-property',
      ['-p', 'cloud.vmstate.terminated_time=5'],
      acmeEnv,
      /\(UnauthorizedOperation\)/,
    );
  });

  test('a default kernel set by the administrator is what a later run-instances without --kernel uses', async () => {
    const machine = await registerTestImage(env);
    await fails(
      'euca-modify-property',
      ['-p', `cloud.images.defaultkernel=${machine}`],
      env,
      /\(InvalidParameterValue\).*not a kernel image/,
    );
    await fails(
      'euca-modify-property',
      ['-p', 'cloud.images.defaultkernel=eki-00000000'],
      env,
      /\(InvalidParameterValue\)/,
    );
    await fails(
      'euca-modify-property',
      ['-p', 'no.such.property=1'],
      env,
      /\(InvalidParameterValue\).*No such property/,
    );
    assert.equal(
      (await runOk('euca-describe-properties', ['cloud.images.defaultkernel'], env)).trim(),
      'PROPERTY\tcloud.images.defaultkernel',
    );

    const kernel = await registerTestImage(env, 'vmlinuz-test', [], 64 * 1024, ['--kernel', 'true']);
    assert.match(kernel, /^eki-/);
    assert.equal(
      await runOk('euca-modify-property', ['-p', `cloud.images.defaultkernel=${kernel}`], env),
      `PROPERTY\tcloud.images.defaultkernel\t${kernel} was \n`,
    );
    const id = (await runOk('euca-run-instances', [machine], env)).match(/^INSTANCE\t(i-\w+)/m)![1];
    const line = await waitFor('the instance', async () =>
      (await runOk('euca-describe-instances', [id], env)).split('\n').find((l) => l.startsWith('INSTANCE')),
    );
    assert.ok(line.split('\t').includes(kernel), line);
    await runOk('euca-terminate-instances', [id], env);
    // Cleared again: no default.
    assert.equal(
      await runOk('euca-modify-property', ['-p', 'cloud.images.defaultkernel='], env),
      `PROPERTY\tcloud.images.defaultkernel\t was ${kernel}\n`,
    );
  });

  test('VM type sizes change at once', async () => {
    await fails('euca-modify-property', ['-p', 'cloud.vmtypes.m1.small.memory=-5'], env, /\(InvalidParameterValue\)/);
    assert.match(
      await runOk('euca-modify-property', ['-p', 'cloud.vmtypes.m1.small.memory=384'], env),
      /^PROPERTY\tcloud\.vmtypes\.m1\.small\.memory\t384 was \d+$/m,
    );
    assert.match(
      await runOk('euca-describe-instance-types', ['m1.small'], env),
      /^INSTANCETYPE\t m1\.small +1 +384 +10 /m,
    );
    assert.equal(
      (await runOk('euca-describe-properties', ['cloud.vmtypes.m1.small.memory'], env)).trim(),
      'PROPERTY\tcloud.vmtypes.m1.small.memory\t384',
    );
  });
});
