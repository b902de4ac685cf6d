/**
 * What every request handler can reach: the store, Walrus (object storage), the cloud's
 * settings, the URLs it is served at, and who is asking.
 */
import { CloudPaths } from './paths';
import type { Walrus } from './s3/walrus';
import { CloudStore, Principal } from './store/types';

export interface CloudContext {
  store: CloudStore;
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
