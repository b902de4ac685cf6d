/**
 * Availability zones, regions and VM types. A zone is a registered cluster; the cloud is one
 * region, answered as Eucalyptus does, with a second `walrus` region naming the storage endpoint.
 * The cloud administrator's `verbose` zone view shows each cluster's capacity (seed 001), the
 * nodes asked for their resources first.
 */
import type { ClusterServices } from '../../cluster';
import type { ZoneAvailability } from '../../cluster/controller';
import { verboseZoneLines, type ZoneLine } from '../../cluster/zone-view';
import { ServiceError } from '../../errors';
import { isCloudAdmin } from '../../iam/principals';
import { applyFilters, type Filter } from '../../query-params';
import type { Cluster, Principal } from '../../store/types';
import type { VmType } from '../instances/services';

export type Zone = {
  zoneName: string;
  zoneState: string;
  regionName: string;
  messageSet: { message: string }[];
};

export type Region = {
  regionName: string;
  regionEndpoint: string;
};

export interface ZoneServiceDeps {
  cluster: ClusterServices;
  clusters(): Promise<Cluster[]>;
  region(): string;
  /** The URLs the cloud answers at (known once it listens). */
  urls(): { ec2Url: string; s3Url: string };
}

export class ZoneService {
  constructor(private readonly d: ZoneServiceDeps) {}

  async zones(p: Principal, q: { names: string[]; verbose: boolean; filters: Filter[] }): Promise<Zone[]> {
    const region = this.d.region();
    // `verbose` asks for the administrator's capacity view; anyone else gets the plain list.
    if (q.verbose && isCloudAdmin({ principal: p })) return this.verbose(q.names, region);
    let zones = (await this.d.clusters()).map((c) => ({
      zoneName: c.name,
      zoneState: 'available',
      regionName: region,
    }));
    if (q.names.length) {
      const unknown = q.names.filter((w) => !zones.some((z) => z.zoneName === w));
      if (unknown.length)
        throw new ServiceError('InvalidParameterValue', `Invalid availability zone: [${unknown.join(', ')}]`);
      zones = zones.filter((z) => q.names.includes(z.zoneName));
    }
    zones = applyFilters(zones, q.filters, {
      'zone-name': (z) => z.zoneName,
      state: (z) => z.zoneState,
      'region-name': (z) => z.regionName,
      message: () => [],
    });
    return zones.map((z) => ({ ...z, messageSet: [] }));
  }

  /** The cloud's region, and Walrus as one when asked (as Eucalyptus 3 listed it for euca2ools). */
  regions(q: { names: string[]; filters: Filter[]; withWalrus: boolean }): Region[] {
    const { ec2Url, s3Url } = this.d.urls();
    let regions = [
      { regionName: this.d.region(), regionEndpoint: ec2Url },
      ...(q.withWalrus ? [{ regionName: 'walrus', regionEndpoint: s3Url }] : []),
    ];
    if (q.names.length) {
      const unknown = q.names.filter((w) => !regions.some((r) => r.regionName === w));
      if (unknown.length) throw new ServiceError('InvalidParameterValue', `Invalid region: [${unknown.join(', ')}]`);
      regions = regions.filter((r) => q.names.includes(r.regionName));
    }
    return applyFilters(regions, q.filters, {
      'region-name': (r) => r.regionName,
      endpoint: (r) => r.regionEndpoint,
    });
  }

  /** The VM types named (all must exist), or all; with each zone's free / max counts when asked. */
  async vmTypes(q: {
    names: string[];
    availability: boolean;
  }): Promise<{ types: VmType[]; zones: ZoneAvailability[] }> {
    const controller = this.d.cluster.controller;
    let types = await controller.vmTypes.list();
    if (q.names.length) {
      const unknown = q.names.filter((w) => !types.some((t) => t.name === w));
      if (unknown.length)
        throw new ServiceError('InvalidParameterValue', `Invalid instance type: [${unknown.join(', ')}]`);
      types = types.filter((t) => q.names.includes(t.name));
    }
    const zones = [];
    if (q.availability) for (const c of await this.d.clusters()) zones.push(await controller.availability(c.name));
    return { types, zones };
  }

  /**
   * DescribeAccountAttributes, as EC2-Classic answers it: the platforms (EC2, no VPC), no default
   * VPC, how many instances the cloud's capacity holds (of its smallest VM type, across every
   * zone), and how many elastic IPs its public pool has.
   */
  async accountAttributes(names: string[]): Promise<{ name: string; values: string[] }[]> {
    // As last polled: asking this (any user may) never makes the cloud poll its nodes.
    const { controller, network } = this.d.cluster;
    let instances = 0;
    for (const c of await this.d.clusters())
      instances += Math.max(0, ...(await controller.availability(c.name)).vmTypes.map((t) => t.max));
    const pool = (await network.publicAddresses()).length;
    const all: Record<string, string[]> = {
      'supported-platforms': ['EC2'],
      'default-vpc': ['none'],
      'max-instances': [String(instances)],
      'max-elastic-ips': [String(pool)],
      'vpc-max-elastic-ips': ['0'],
      'vpc-max-security-groups-per-interface': ['0'],
    };
    const unknown = names.find((n) => !Object.hasOwn(all, n));
    if (unknown) throw new ServiceError('InvalidParameterValue', `Invalid attribute name: ${unknown}`);
    return Object.entries(all)
      .filter(([n]) => !names.length || names.includes(n))
      .map(([name, values]) => ({ name, values }));
  }

  private async verbose(names: string[], region: string): Promise<(ZoneLine & { regionName: string })[]> {
    const controller = this.d.cluster.controller;
    await controller.refresh();
    const clusters = (await this.d.clusters()).filter((c) => !names.length || names.includes(c.name));
    const lines = [];
    for (const c of clusters)
      for (const l of verboseZoneLines(c, await controller.availability(c.name)))
        lines.push({ ...l, regionName: region });
    return lines;
  }
}
