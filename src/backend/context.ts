/**
 * What every request handler can reach: the store, Walrus (object storage), the cloud's
 * settings, the URLs it is served at, and who is asking.
 */
import type { ImageStore } from './ec2/images/store';
import type { KeyPairStore } from './ec2/keypairs/store';
import type { SecurityGroupStore } from './ec2/groups/store';
import type { TagStore } from './ec2/tags/store';
import { CloudPaths } from './paths';
import type { Walrus } from './s3/walrus';
import { CloudStore, Principal } from './store/types';

/** Registers bundled images (ec2/images/registrar). */
export interface Registrar {
  register(ctx: RequestContext): Promise<string>;
  forget(imageId: string): void;
}

export interface CloudContext {
  store: CloudStore;
  images: ImageStore;
  keypairs: KeyPairStore;
  groups: SecurityGroupStore;
  tags: TagStore;
  registrar: Registrar;
  walrus: Walrus;
  paths: CloudPaths;
  conf: Record<string, string>;
  urls: { ec2Url: string; s3Url: string; euareUrl: string };
}

export interface RequestContext {
  cloud: CloudContext;
  principal: Principal;
  params: Record<string, string>;
  requestId: string;
  /** The API version the client asked for. */
  version: string;
}
