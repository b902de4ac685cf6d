/** The bundle task actions on the wire; the rules are the bundle task service's (service.ts). */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import { required } from '../../query-params';
import type { Actions } from '../../query-service';
import type { BundleTaskService } from './service';
import { type BundleTask } from './store';

function taskItem(t: BundleTask) {
  return {
    instanceId: t.instanceId,
    bundleId: t.id,
    state: t.state,
    startTime: t.startTime,
    updateTime: t.updateTime,
    progress: t.progress,
    storage: { S3: { bucket: t.bucket, prefix: t.prefix } },
    error: t.error ? { code: 'BundlingFailed', message: t.error } : undefined,
  };
}

/** The actions, given the service they call. */
export function bundleTaskActions(
  tasks: BundleTaskService,
): Actions<Ec2Operations, 'BundleInstance' | 'DescribeBundleTasks' | 'CancelBundleTask'> {
  return {
    BundleInstance: async ({ principal, input, origin }) => {
      const s3 = input.Storage?.S3 ?? {};
      const task = await tasks.bundle(
        principal,
        {
          instanceId: required(input.InstanceId, 'InstanceId'),
          bucket: required(s3.Bucket, 'Storage.S3.Bucket'),
          prefix: required(s3.Prefix, 'Storage.S3.Prefix'),
          uploadPolicy: {
            accessKeyId: required(s3.AWSAccessKeyId, 'Storage.S3.AWSAccessKeyId'),
            policy: required(s3.UploadPolicy, 'Storage.S3.UploadPolicy'),
            signature: required(s3.UploadPolicySignature, 'Storage.S3.UploadPolicySignature'),
          },
        },
        origin,
      );
      return { bundleInstanceTask: taskItem(task) };
    },
    DescribeBundleTasks: async ({ principal, input }) => ({
      bundleInstanceTasksSet: (await tasks.describe(principal, input.BundleIds ?? [])).map(taskItem),
    }),
    CancelBundleTask: async ({ principal, input }) => ({
      bundleInstanceTask: taskItem(await tasks.cancel(principal, required(input.BundleId, 'BundleId'))),
    }),
  };
}
