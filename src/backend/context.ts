/**
 * The cloud as the composition root (compose.ts) made it: the stores, Walrus, the services and the
 * cloud's settings and URLs. The HTTP front, the authorization of requests, Walrus's handler and
 * the cloud's own background work reach it; Query handlers do not (they get their services).
 */
import type { ClusterServices } from './cluster';
import type { IdentityStore } from './iam/store';
import type { IdentityService } from './iam/service';
import type { ImageStore } from './ec2/images/store';
import type { SqlBundleTaskStore } from './ec2/bundle-tasks/store';
import type { ComputeServices } from './ec2/instances/services';
import type { InstanceStore } from './ec2/instances/store';
import type { LocalNode } from './node/local';
import type { KeyPairStore } from './ec2/keypairs/store';
import type { SecurityGroupStore } from './ec2/groups/store';
import type { TagStore } from './ec2/tags/store';
import { type CloudPaths } from '../shared/paths';
import type { Walrus } from './s3/walrus';
import type { StorageController } from './storage/controller';
import type { Ec2Services } from './ec2/services';
import type { SqlVolumeStore } from './storage/store';
import type { SqlPropertyStore } from './properties/store';
import { type CloudStore } from './store/types';

export interface CloudContext {
  store: CloudStore;
  /** Euare's groups, login profiles, aliases and listings. */
  identity: IdentityStore;
  /** Euare, the identity service (typed calls with a principal; its rules live there). */
  identityService: IdentityService;
  images: ImageStore;
  keypairs: KeyPairStore;
  groups: SecurityGroupStore;
  tags: TagStore;
  instances: InstanceStore;
  bundleTasks: SqlBundleTaskStore;
  /** Placement, addresses, key pairs, groups and node controllers, for running instances. */
  compute: ComputeServices;
  walrus: Walrus;
  /** EBS: volumes, snapshots and import tasks, and the storage controller holding their bytes. */
  volumes: SqlVolumeStore;
  /** The live settings euca-modify-property changes (properties/registry lists them). */
  properties: SqlPropertyStore;
  storage: StorageController;
  /** The EC2 services (typed calls with a principal; their rules live there). */
  ec2: Ec2Services;
  paths: CloudPaths;
  conf: Record<string, string>;
  /** The cluster controller: scheduler, network manager, firewall rendering. */
  cluster: ClusterServices;
  urls: { ec2Url: string; s3Url: string; euareUrl: string };
  /** The node controller this cloud started for itself, once it answers (none when turned off). */
  localNode?: Promise<LocalNode | undefined>;
}
