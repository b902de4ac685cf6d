/**
 * DescribeInstanceTypes (a Eucalyptus extension): the VM types and their sizes, and with
 * Availability the free / max count of each per availability zone.
 */
import { type RequestContext } from '../context';
import { ServiceError } from '../errors';
import { listParam } from '../query-params';

export function describeInstanceTypes(ctx: RequestContext) {
  const controller = ctx.cloud.cluster.controller;
  let types = controller.vmTypes.list();
  const wanted = listParam(ctx.params, 'InstanceType');
  if (wanted.length) {
    const unknown = wanted.filter((w) => !types.some((t) => t.name === w));
    if (unknown.length)
      throw new ServiceError('InvalidParameterValue', `Invalid instance type: [${unknown.join(', ')}]`);
    types = types.filter((t) => wanted.includes(t.name));
  }
  const withAvailability = /^true$/i.test(ctx.params.Availability ?? '');
  const zones = withAvailability ? ctx.cloud.store.listClusters().map((c) => controller.availability(c.name)) : [];
  return {
    instanceTypeDetails: types.map((t) => ({
      name: t.name,
      cpu: t.cpus,
      memory: t.memoryMiB,
      disk: t.diskGiB,
      networkInterfaces: 1,
      availability: withAvailability
        ? zones.map((z) => {
            const a = z.vmTypes.find((v) => v.name === t.name)!;
            return { zoneName: z.zone, max: a.max, available: a.free };
          })
        : undefined,
    })),
  };
}
