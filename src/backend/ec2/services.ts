/**
 * The EC2 services, built in order from the stores and the parts they use: what the handlers
 * translate requests into, and what background work (the instance monitor, recovery) calls as
 * the cloud itself. Each service takes typed arguments and a principal; its rules live there.
 */
import type { Jobs } from '../jobs';
import type { ClusterServices } from '../cluster';
import { networkMode } from '../cluster/network-mode';
import type { StorageController } from '../storage/controller';
import type { SqlVolumeStore } from '../storage/store';
import { AddressService } from './addresses/service';
import { BundleTaskService } from './bundle-tasks/service';
import type { SqlBundleTaskStore } from './bundle-tasks/store';
import { SecurityGroupService } from './groups/service';
import type { SecurityGroupStore } from './groups/store';
import type { ImageRegistrar } from './images/registrar';
import { ImageService } from './images/service';
import type { ImageStore } from './images/store';
import type { Reader } from './images/walrus-source';
import type { Origin } from '../iam/enforce';
import type { Cluster, CloudStore, Principal } from '../store/types';
import type { Walrus, S3Gate } from '../s3/walrus';
import type { CloudPaths } from '../../shared/paths';
import * as path from 'node:path';
import { InstanceService } from './instances/service';
import type { ComputeServices } from './instances/services';
import type { InstanceStore } from './instances/store';
import { KeyPairService } from './keypairs/service';
import type { KeyPairStore } from './keypairs/store';
import { ResourceOwners } from './resources';
import { TagService } from './tags/service';
import type { TagStore } from './tags/store';
import { VolumeService } from './volumes/service';
import { SnapshotService } from './volumes/snapshots';
import { ZoneService } from './zones/service';
import type { PropertyService } from '../properties/service';
import { ConversionTaskService } from './volumes/conversion-tasks';

export interface Ec2Stores {
  images: ImageStore;
  instances: InstanceStore;
  keypairs: KeyPairStore;
  groups: SecurityGroupStore;
  tags: TagStore;
  volumes: SqlVolumeStore;
  bundleTasks: SqlBundleTaskStore;
  accessKeys: Pick<CloudStore, 'findAccessKey'>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

export interface Ec2Parts {
  clusters(): Promise<Cluster[]>;
  /** The URLs the cloud answers at (known once it listens). */
  urls(): { ec2Url: string; s3Url: string };
  properties: PropertyService;
  walrus: Walrus;
  /** The policy gate of S3 reads and writes for a request from an origin. */
  gate(from?: Origin): S3Gate;
  paths: CloudPaths;
  registrar: ImageRegistrar;
  /** How a principal reads from Walrus (bundles to register), for a request from an origin. */
  reader(p: Principal, from?: Origin): Reader;
  accountName(accountId: string): Promise<string | undefined>;
  /** An account's id, given its id or its name. */
  accountId(idOrName: string): Promise<string | undefined>;
  compute: ComputeServices;
  cluster: ClusterServices;
  storage: StorageController;
  conf: Record<string, string>;
  /** Claims background jobs for this front end (jobs.ts). */
  jobs: Jobs;
  log(line: string): void;
}

export interface Ec2Services {
  keypairs: KeyPairService;
  tags: TagService;
  addresses: AddressService;
  volumes: VolumeService;
  snapshots: SnapshotService;
  groups: SecurityGroupService;
  images: ImageService;
  bundleTasks: BundleTaskService;
  conversionTasks: ConversionTaskService;
  instances: InstanceService;
  zones: ZoneService;
  properties: PropertyService;
}

export function ec2Services(s: Ec2Stores, parts: Ec2Parts): Ec2Services {
  const { compute, cluster, storage, conf, log } = parts;
  const mode = () => networkMode(conf);
  const owners = new ResourceOwners([
    {
      prefixes: ['emi', 'eki', 'eri'],
      owner: async (id) => (await s.images.get(id))?.accountId,
      notFoundCode: 'InvalidAMIID.NotFound',
    },
    {
      prefixes: ['i'],
      owner: async (id) => (await s.instances.get(id))?.accountId,
      notFoundCode: 'InvalidInstanceID.NotFound',
    },
    {
      prefixes: ['sg'],
      owner: async (id) => (await s.groups.getById(id))?.accountId,
      notFoundCode: 'InvalidGroup.NotFound',
    },
    {
      prefixes: ['vol'],
      owner: async (id) => (await s.volumes.volume(id))?.accountId,
      notFoundCode: 'InvalidVolume.NotFound',
    },
    {
      prefixes: ['snap'],
      owner: async (id) => (await s.volumes.snapshot(id))?.accountId,
      notFoundCode: 'InvalidSnapshot.NotFound',
    },
  ]);
  const snapshots: SnapshotService = new SnapshotService({
    volumes: s.volumes,
    storage,
    images: s.images,
    tags: s.tags,
    accountName: parts.accountName,
    ownVolume: (p, id) => volumes.own(p, id),
    jobs: parts.jobs,
    log,
  });
  const volumes: VolumeService = new VolumeService({
    volumes: s.volumes,
    storage,
    instances: s.instances,
    snapshots,
    nodes: compute.nodes,
    tags: s.tags,
    zones: () => compute.zones(),
    jobs: parts.jobs,
    log,
  });
  return {
    properties: parts.properties,
    volumes,
    snapshots,
    zones: new ZoneService({
      cluster,
      clusters: parts.clusters,
      region: () => conf.REGION_NAME || 'eucalyptus',
      urls: parts.urls,
    }),
    instances: new InstanceService({
      instances: s.instances,
      compute,
      images: s.images,
      volumes,
      snapshots,
      tags: s.tags,
      property: async (name) => parts.properties.value(name),
      hypervisor: () => conf.HYPERVISOR || 'kvm',
      jobs: parts.jobs,
      log,
    }),
    images: new ImageService({
      images: s.images,
      tags: s.tags,
      instances: s.instances,
      volumes,
      snapshots,
      registrar: parts.registrar,
      reader: parts.reader,
      accountName: parts.accountName,
      hypervisor: () => conf.HYPERVISOR || 'kvm',
      transaction: (fn) => s.transaction(fn),
    }),
    conversionTasks: new ConversionTaskService({
      volumes: s.volumes,
      volumeService: volumes,
      storage,
      walrus: parts.walrus,
      gate: parts.gate,
      zones: () => compute.zones(),
    }),
    bundleTasks: new BundleTaskService({
      tasks: s.bundleTasks,
      jobs: parts.jobs,
      instances: s.instances,
      accessKeys: s.accessKeys,
      walrus: parts.walrus,
      gate: parts.gate,
      nodes: compute.nodes,
      workDir: path.join(parts.paths.dataDir, 'var', 'lib', 'eucalyptus', 'bundles'),
      cloudCertFile: path.join(parts.paths.keysDir, 'cloud-cert.pem'),
      cloudKeyFile: path.join(parts.paths.keysDir, 'cloud-pk.pem'),
    }),
    keypairs: new KeyPairService(s.keypairs),
    tags: new TagService({ tags: s.tags, owners, transaction: (fn) => s.transaction(fn) }),
    addresses: new AddressService({
      network: cluster.network,
      mode,
      accountName: parts.accountName,
      instance: async (accountId, instanceId) => {
        const i = await s.instances.get(instanceId);
        return i && i.accountId === accountId ? { state: i.state, privateIp: i.privateIp ?? '' } : undefined;
      },
    }),
    groups: new SecurityGroupService({
      groups: s.groups,
      tags: s.tags,
      accountId: parts.accountId,
      inUse: async (group) => {
        const n = await s.instances.countInGroup(group.accountId, group.name);
        return n ? `${n} instance(s) still run in it` : undefined;
      },
      mode,
      rulesChanged: () => cluster.renderNetworkRules(),
      transaction: (fn) => s.transaction(fn),
    }),
  };
}
