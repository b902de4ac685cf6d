/**
 * Availability zones and regions. A zone is a registered cluster; the cloud is one region,
 * answered as Eucalyptus does, with a second `walrus` region naming the storage endpoint.
 */
import { RequestContext } from '../context';
import { ServiceError } from '../errors';
import { applyFilters, filtersParam, listParam } from '../query-params';

export function describeAvailabilityZones(ctx: RequestContext) {
  const region = ctx.cloud.conf.REGION_NAME || 'eucalyptus';
  // `verbose` asks for the administrator's capacity view; until clusters report node capacity,
  // it lists the zones themselves.
  const wanted = listParam(ctx.params, 'ZoneName').filter((z) => z !== 'verbose');
  let zones = ctx.cloud.store.listClusters().map((c) => ({ zoneName: c.name, zoneState: 'available', regionName: region }));
  if (wanted.length) {
    const unknown = wanted.filter((w) => !zones.some((z) => z.zoneName === w));
    if (unknown.length) throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${unknown.join(', ')}]`);
    zones = zones.filter((z) => wanted.includes(z.zoneName));
  }
  zones = applyFilters(zones, filtersParam(ctx.params), {
    'zone-name': (z) => z.zoneName,
    state: (z) => z.zoneState,
    'region-name': (z) => z.regionName,
    message: () => [],
  });
  return { availabilityZoneInfo: zones.map((z) => ({ ...z, messageSet: [] })) };
}

export function describeRegions(ctx: RequestContext) {
  const { ec2Url, s3Url } = ctx.cloud.urls;
  let regions = [
    { regionName: ctx.cloud.conf.REGION_NAME || 'eucalyptus', regionEndpoint: ec2Url },
    { regionName: 'walrus', regionEndpoint: s3Url },
  ];
  const wanted = listParam(ctx.params, 'RegionName');
  if (wanted.length) {
    const unknown = wanted.filter((w) => !regions.some((r) => r.regionName === w));
    if (unknown.length) throw new ServiceError('InvalidParameterValue', `Invalid region: [${unknown.join(', ')}]`);
    regions = regions.filter((r) => wanted.includes(r.regionName));
  }
  regions = applyFilters(regions, filtersParam(ctx.params), { 'region-name': (r) => r.regionName, endpoint: (r) => r.regionEndpoint });
  return { regionInfo: regions };
}
