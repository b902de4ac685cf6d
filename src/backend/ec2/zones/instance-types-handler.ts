/**
 * DescribeInstanceTypes (a Eucalyptus extension) on the wire: the VM types and their sizes, and
 * with Availability the free / max count of each per availability zone.
 */
import { type QueryCall } from '../../query-service';
import { listParam } from '../../query-params';
import type { ZoneService } from './service';

/** The actions, given the service they call. */
export function instanceTypeActions(zoneService: ZoneService) {
  return {
    DescribeInstanceTypes: (ctx: QueryCall) => {
      const withAvailability = /^true$/i.test(ctx.params.Availability ?? '');
      const { types, zones } = zoneService.vmTypes({
        names: listParam(ctx.params, 'InstanceType'),
        availability: withAvailability,
      });
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
    },
  };
}
