/** The zone and region actions on the wire; the answers are the zone service's (service.ts). */
import { type RequestContext } from '../../context';
import { filtersParam, listParam } from '../../query-params';

export async function describeAvailabilityZones(ctx: RequestContext) {
  const names = listParam(ctx.params, 'ZoneName');
  const zones = await ctx.cloud.ec2.zones.zones(ctx.principal, {
    names: names.filter((z) => z !== 'verbose'),
    verbose: names.includes('verbose'),
    filters: filtersParam(ctx.params),
  });
  return { availabilityZoneInfo: zones };
}

export function describeRegions(ctx: RequestContext) {
  const regions = ctx.cloud.ec2.zones.regions({
    names: listParam(ctx.params, 'RegionName'),
    filters: filtersParam(ctx.params),
  });
  return { regionInfo: regions };
}
