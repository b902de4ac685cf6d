/**
 * Bounded input: Query bodies, user data, policy documents, tag counts, S3 XML documents and
 * object metadata each have a limit, and going over it answers the AWS error for the case (and
 * changes nothing) instead of reading without bound.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { resolveEndpoint } from '../../src/cli/config/resolve';
import { QueryClient } from '../../src/cli/query';
import { run, runOk } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';
import { s3Client } from '../helpers/s3';
import { type CliError } from '../../src/shared/errors';

type Env = Record<string, string>;

async function fails(cmd: string, args: string[], env: Env, code: RegExp): Promise<void> {
  const r = await run(cmd, args, env);
  assert.equal(r.code, 1, `${cmd} should fail: ${r.stdout}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, code);
}

describe('limits', () => {
  let cloud: TestCloud;
  before(async () => {
    cloud = await startCloud();
  });
  after(() => cloud.stop());

  test('a Query body over 1 MiB is refused (413) before it is read to its end', async () => {
    const url = new URL(cloud.eucarc.EC2_URL);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: url.pathname,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': 64 * 1024 * 1024 },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      // The server answers and closes while the client still writes: the write may fail (EPIPE)
      // just before the answer is read. Only no answer at all is a failure.
      req.on('error', (e) => setTimeout(() => reject(e), 2000).unref());
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && req.write(chunk)) sent += chunk.length;
      };
      req.on('drain', pump);
      pump();
    });
    assert.equal(status, 413);
  });

  test(
    'user data over 16 KiB, policies over their quota, more than 50 tags: the AWS error, nothing ' + 'changed',
    async () => {
      const env = cloud.env;
      const image = await registerTestImage(env);
      // The cloud's own limit, sent past the command's (which refuses the same before sending).
      const ec2 = new QueryClient(await resolveEndpoint('ec2', {}, { env, ini: new Map(), commandName: 'limits' }));
      await assert.rejects(
        ec2.call('RunInstances', {
          ImageId: image,
          MinCount: '1',
          MaxCount: '1',
          UserData: Buffer.alloc(16 * 1024 + 1, 'x').toString('base64'),
        }),
        (e: CliError) => e.code === 'InvalidParameterValue' && /16 KiB/.test(e.message),
      );
      await fails('euca-run-instances', [image, '-d', 'x'.repeat(16 * 1024 + 1)], env, /InvalidParameterValue.*16 KiB/);
      assert.doesNotMatch(await runOk('euca-describe-instances', [], env), /^INSTANCE/m);

      await runOk('euare-usercreate', ['-u', 'quota'], env);
      const big = JSON.stringify({
        Statement: [
          { Effect: 'Allow', Action: Array.from({ length: 200 }, (_, i) => `ec2:Describe${i}`), Resource: '*' },
        ],
      });
      await fails('euare-useruploadpolicy', ['-u', 'quota', '-p', 'big', '-o', big], env, /\(LimitExceeded\)/);
      assert.equal(await runOk('euare-userlistpolicies', ['-u', 'quota'], env), 'IsTruncated: false\n');

      const tags = Array.from({ length: 51 }, (_, i) => ['--tag', `k${i}=v`]).flat();
      await fails('euca-create-tags', [image, ...tags], env, /TagLimitExceeded|\(InvalidParameterValue\)/);
      assert.doesNotMatch(await runOk('euca-describe-tags', [], env), /^TAG/m);
    },
  );

  test('Walrus: metadata over 2 KiB and XML documents over their limit are refused', async () => {
    const s3 = await s3Client(cloud);
    await s3.createBucket('limits');
    await assert.rejects(
      s3.putObject('limits', 'k', Buffer.from('x'), { metadata: { big: 'v'.repeat(3000) } }),
      (e: CliError) => e.code === 'MetadataTooLarge',
    );
    const tags = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
    await assert.rejects(
      s3.putObject('limits', 'k', Buffer.from('x'), { headers: { 'x-amz-tagging': tags } }),
      (e: CliError) => e.code === 'InvalidTag',
    );
    assert.deepEqual((await s3.listObjects('limits')).objects, []);
  });
});
