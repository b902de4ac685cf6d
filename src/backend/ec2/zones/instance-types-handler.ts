/**
 * DescribeInstanceTypes (a Eucalyptus extension) on the wire: the VM types and their sizes, and
 * with Availability the free / max count of each per availability zone.
 */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import type { Actions } from '../../query-service';
import type { ZoneService } from './service';

/** The action, given the service it calls. */
export function instanceTypeActions(zones: ZoneService): Actions<Ec2Operations, 'DescribeInstanceTypes'> {
  return {
    DescribeInstanceTypes: async ({ input }) => {
      const availability = input.Availability === true;
      const { types, zones: free } = await zones.vmTypes({ names: input.InstanceTypes ?? [], availability });
      return {
        instanceTypeDetails: types.map((t) => ({
          name: t.name,
          cpu: t.cpus,
          memory: t.memoryMiB,
          disk: t.diskGiB,
          networkInterfaces: 1,
          availability: availability
            ? free.map((z) => {
                const a = z.vmTypes.find((v) => v.name === t.name)!;
                return { zoneName: z.zone, max: a.max, available: a.free };
              })
            : undefined,
        })),
      };
    },
  };
}
