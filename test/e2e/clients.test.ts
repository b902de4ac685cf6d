/**
 * Our own service clients against the cloud: the Query client for EC2 and Euare and the S3
 * client for Walrus, each signing with V4 and with V2, and turning error documents into errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveEndpoint, type ServiceName } from '../../src/cli/config/resolve';
import { CliError } from '../../src/shared/errors';
import { QueryClient } from '../../src/cli/query';
import { S3Client } from '../../src/cli/s3';
import { listOf } from '../../src/cli/xml';
import { startCloud, type TestCloud } from '../helpers/cloud';

describe('service clients', () => {
  let cloud: TestCloud;
  before(async () => {
    cloud = await startCloud();
  });
  after(async () => cloud.stop());

  const endpoint = (service: ServiceName, sig: '2' | '4', secret?: string) =>
    resolveEndpoint(
      service,
      { 'signature-version': sig, 'secret-key': secret },
      { env: cloud.env, ini: new Map(), commandName: 'test' },
    );

  for (const sig of ['4', '2'] as const) {
    test(`Signature V${sig}: EC2, Euare and Walrus calls are accepted`, async () => {
      const zones = await new QueryClient(await endpoint('ec2', sig)).call('DescribeAvailabilityZones');
      assert.deepEqual(
        listOf(zones, 'availabilityZoneInfo').map((z) => z.zoneName),
        ['cluster01'],
      );
      const user = await new QueryClient(await endpoint('iam', sig)).call('GetUser');
      assert.equal(user.User.UserName, 'admin');
      const { owner, buckets } = await new S3Client(await endpoint('s3', sig)).listBuckets();
      assert.equal(owner.DisplayName, 'eucalyptus');
      assert.deepEqual(buckets, []);
    });

    test(`Signature V${sig}: a wrong secret is SignatureDoesNotMatch on every service`, async () => {
      for (const service of ['ec2', 'iam', 's3'] as const) {
        const ep = await endpoint(service, sig, 'wrong-secret');
        const call =
          service === 's3'
            ? new S3Client(ep).listBuckets()
            : new QueryClient(ep).call(service === 'ec2' ? 'DescribeRegions' : 'GetUser');
        await assert.rejects(
          call,
          (e: unknown) => e instanceof CliError && e.code === 'SignatureDoesNotMatch' && e.httpStatus === 403,
        );
      }
    });
  }

  test('errors carry the service code: an unknown Euare action, a missing bucket', async () => {
    await assert.rejects(
      new QueryClient(await endpoint('iam', '4')).call('LaunchRockets'),
      (e: unknown) => e instanceof CliError && e.code === 'InvalidAction',
    );
    await assert.rejects(
      new S3Client(await endpoint('s3', '4')).request({ method: 'GET', bucket: 'nobucket' }),
      (e: unknown) => e instanceof CliError && e.code === 'NoSuchBucket',
    );
  });
});
