/** The bundle task actions on the wire; the rules are the bundle task service's (service.ts). */
import { type QueryCall } from '../../query-service';
import { listParam, requireParam } from '../../query-params';
import { type BundleTask } from './store';
import type { BundleTaskService } from './service';

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
export function bundleTaskActions(bundleTaskService: BundleTaskService) {
  return {
    BundleInstance: (ctx: QueryCall) => {
      const p = ctx.params;
      const task = bundleTaskService.bundle(
        ctx.principal,
        {
          instanceId: requireParam(p, 'InstanceId'),
          bucket: requireParam(p, 'Storage.S3.Bucket'),
          prefix: requireParam(p, 'Storage.S3.Prefix'),
          uploadPolicy: {
            accessKeyId: requireParam(p, 'Storage.S3.AWSAccessKeyId'),
            policy: requireParam(p, 'Storage.S3.UploadPolicy'),
            signature: requireParam(p, 'Storage.S3.UploadPolicySignature'),
          },
        },
        ctx.origin,
      );
      return { bundleInstanceTask: taskItem(task) };
    },
    DescribeBundleTasks: (ctx: QueryCall) => {
      const tasks = bundleTaskService.describe(ctx.principal, listParam(ctx.params, 'BundleId'));
      return { bundleInstanceTasksSet: tasks.map(taskItem) };
    },
    CancelBundleTask: (ctx: QueryCall) => {
      return {
        bundleInstanceTask: taskItem(bundleTaskService.cancel(ctx.principal, requireParam(ctx.params, 'BundleId'))),
      };
    },
  };
}
