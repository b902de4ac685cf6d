/** The bundle task actions on the wire; the rules are the bundle task service's (service.ts). */
import { type RequestContext } from '../../context';
import { listParam, requireParam } from '../../query-params';
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

export function bundleInstance(ctx: RequestContext) {
  const p = ctx.params;
  const task = ctx.cloud.ec2.bundleTasks.bundle(
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
}

export function describeBundleTasks(ctx: RequestContext) {
  const tasks = ctx.cloud.ec2.bundleTasks.describe(ctx.principal, listParam(ctx.params, 'BundleId'));
  return { bundleInstanceTasksSet: tasks.map(taskItem) };
}

export function cancelBundleTask(ctx: RequestContext) {
  return {
    bundleInstanceTask: taskItem(ctx.cloud.ec2.bundleTasks.cancel(ctx.principal, requireParam(ctx.params, 'BundleId'))),
  };
}
