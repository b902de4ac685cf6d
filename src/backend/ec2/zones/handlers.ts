/** The zone, region and account-attribute actions on the wire; the answers are the zone service's (service.ts). */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import { filtersOf } from '../../query-params';
import type { Actions } from '../../query-service';
import type { ZoneService } from './service';

/** The EC2 API version AWS's SDKs send. */
const SDK_API_VERSION = '2016-11-15';

/** The actions, given the service they call. */
export function zoneActions(
  zones: ZoneService,
): Actions<Ec2Operations, 'DescribeAvailabilityZones' | 'DescribeRegions' | 'DescribeAccountAttributes'> {
  return {
    DescribeAccountAttributes: async ({ input }) => ({
      accountAttributeSet: (await zones.accountAttributes(input.AttributeNames ?? [])).map((a) => ({
        attributeName: a.name,
        attributeValueSet: a.values.map((attributeValue) => ({ attributeValue })),
      })),
    }),
    DescribeAvailabilityZones: async ({ principal, input }) => {
      const names = input.ZoneNames ?? [];
      const found = await zones.zones(principal, {
        names: names.filter((z) => z !== 'verbose'),
        verbose: names.includes('verbose'),
        filters: filtersOf(input.Filters),
      });
      return { availabilityZoneInfo: found };
    },
    DescribeRegions: ({ input, version }) => ({
      regionInfo: zones.regions({
        names: input.RegionNames ?? [],
        filters: filtersOf(input.Filters),
        // Eucalyptus 3 listed Walrus as a region, and euca2ools (API 2015-10-01 and older) looks
        // for it there; the SDKs (2016-11-15) take every region listed for an EC2 endpoint.
        withWalrus: version < SDK_API_VERSION,
      }),
    }),
  };
}
