/** The zone and region actions on the wire; the answers are the zone service's (service.ts). */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import { filtersOf } from '../../query-params';
import type { Actions } from '../../query-service';
import type { ZoneService } from './service';

/** The actions, given the service they call. */
export function zoneActions(
  zones: ZoneService,
): Actions<Ec2Operations, 'DescribeAvailabilityZones' | 'DescribeRegions'> {
  return {
    DescribeAvailabilityZones: async ({ principal, input }) => {
      const names = input.ZoneNames ?? [];
      const found = await zones.zones(principal, {
        names: names.filter((z) => z !== 'verbose'),
        verbose: names.includes('verbose'),
        filters: filtersOf(input.Filters),
      });
      return { availabilityZoneInfo: found };
    },
    DescribeRegions: ({ input }) => ({
      regionInfo: zones.regions({ names: input.RegionNames ?? [], filters: filtersOf(input.Filters) }),
    }),
  };
}
