/**
 * Availability zones and regions. A zone is a registered cluster; the cloud is one region,
 * answered as Eucalyptus does, with a second `walrus` region naming the storage endpoint.
 */
import { verboseZoneLines } from '../cluster/zone-view';
import { type RequestContext } from '../context';
import { ServiceError } from '../errors';
import { applyFilters, filtersParam, listParam } from '../query-params';
import { isCloudAdmin } from '../iam/principals';

export async function describeAvailabilityZones(ctx: RequestContext) {
  const region = ctx.cloud.conf.REGION_NAME || 'eucalyptus';
  // `verbose` asks for the administrator's capacity view; anyone else gets the plain list.
  const names = listParam(ctx.params, 'ZoneName');
  const wanted = names.filter((z) => z !== 'verbose');
  if (names.includes('verbose') && isCloudAdmin(ctx)) return verboseZones(ctx, wanted);
  let zones = ctx.cloud.store
    .listClusters()
    .map((c) => ({ zoneName: c.name, zoneState: 'available', regionName: region }));
  if (wanted.length) {
    const unknown = wanted.filter((w) => !zones.some((z) => z.zoneName === w));
    if (unknown.length)
      throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${unknown.join(', ')}]`);
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

/** Seed 001's block per cluster; the nodes are asked for their resources first. */
async function verboseZones(ctx: RequestContext, wanted: string[]) {
  const controller = ctx.cloud.cluster.controller;
  await controller.refresh();
  const clusters = ctx.cloud.store.listClusters().filter((c) => !wanted.length || wanted.includes(c.name));
  return {
    availabilityZoneInfo: clusters.flatMap((c) =>
      verboseZoneLines(c, controller.availability(c.name)).map((l) => ({
        ...l,
        regionName: ctx.cloud.conf.REGION_NAME || 'eucalyptus',
      })),
    ),
  };
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
  regions = applyFilters(regions, filtersParam(ctx.params), {
    'region-name': (r) => r.regionName,
    endpoint: (r) => r.regionEndpoint,
  });
  return { regionInfo: regions };
}
