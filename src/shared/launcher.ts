/**
 * How the commands reach the daemons without importing them: the cloud, the node controller and
 * euca_conf's data-dir work are their own bundles (dist/cloud.js, dist/node.js, dist/admin.js),
 * loaded only by the commands that run them. The interfaces below are all the CLI knows of them;
 * the backend's entry points implement them.
 */
import * as path from 'node:path';
import { packageRoot } from './package-root';

export interface CloudRunOptions {
  dataDir: string;
  port?: number;
  bind?: string;
  /** The Dashboard's port (DASHBOARD_PORT, default 8443); 0 picks a free one; false: no Dashboard. */
  dashboardPort?: number | false;
}

export interface NodeRunOptions {
  dataDir: string;
  port?: number;
  bind?: string;
  cloudUrl?: string;
  keyFile?: string;
}

/** What euca_conf asks of a data dir: its flags, the extra argument, and how to ask the user. */
export interface EucaConfRequest {
  dir?: string;
  more?: string;
  flags: {
    'get-credentials'?: string;
    'cred-account': string;
    'cred-user': string;
    addcluster?: string;
    delcluster?: string;
    'list-clusters'?: boolean;
    addnode?: string;
    delnode?: string;
    'list-nodes'?: boolean;
    nodes?: string;
    synckeys?: boolean;
    token?: string[];
    cluster?: string;
    hypervisor?: string;
    instances?: string;
    set?: string[];
    account: string;
    'disable-user'?: string;
    'enable-user'?: string;
    'reset-password'?: string;
    password?: string;
    'list-account-requests'?: boolean;
    'approve-account'?: string;
    'reject-account'?: string;
    'upgrade-conf'?: string;
  };
  /** Asks for a secret without echo (pairing tokens, passwords). */
  askSecret(question: string): Promise<string>;
}

export interface EucaConfResult {
  lines: string[];
  failed: boolean;
}

export interface CloudEntry {
  runCloud(opts: CloudRunOptions): Promise<void>;
  /** Makes `location` (a postgresql:// URL or a SQLite file) the cloud's database (CLOUD_DB). */
  useDatabase(dataDir: string, location: string): Promise<void>;
}
export interface NodeEntry {
  runNodeController(opts: NodeRunOptions): Promise<void>;
}
export interface AdminEntry {
  eucaConf(req: EucaConfRequest): Promise<EucaConfResult>;
}

const load = <T>(bundle: string): T => require(path.join(packageRoot(), 'dist', bundle)) as T;

export const loadCloud = (): CloudEntry => load<CloudEntry>('cloud.js');
export const loadNode = (): NodeEntry => load<NodeEntry>('node.js');
export const loadAdmin = (): AdminEntry => load<AdminEntry>('admin.js');
