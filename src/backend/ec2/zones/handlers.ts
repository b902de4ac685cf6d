/** The zone and region actions on the wire; the answers are the zone service's (service.ts). */
import { type QueryCall } from '../../query-service';
import { filtersParam, listParam } from '../../query-params';
import type { ZoneService } from './service';

/** The actions, given the service they call. */
export function zoneActions(zoneService: ZoneService) {
  return {
    DescribeAvailabilityZones: async (ctx: QueryCall) => {
      const names = listParam(ctx.params, 'ZoneName');
      const zones = await zoneService.zones(ctx.principal, {
        names: names.filter((z) => z !== 'verbose'),
        verbose: names.includes('verbose'),
        filters: filtersParam(ctx.params),
      });
      return { availabilityZoneInfo: zones };
    },
    DescribeRegions: (ctx: QueryCall) => {
      const regions = zoneService.regions({
        names: listParam(ctx.params, 'RegionName'),
        filters: filtersParam(ctx.params),
      });
      return { regionInfo: regions };
    },
  };
}
