/**
 * The local cloud's own node controller: the cloud starts `eucalyptus-nc --foreground` in
 * DATA/node (port 0: any free port, which the node reports in its port file), sharing with it the
 * key in DATA/var/lib/eucalyptus/keys/node-cluster.key (created at the first start), and stops
 * it when it stops. EUCA_NO_LOCAL_NODE=1 or LOCAL_NODE="N" in eucalyptus.conf turn this off. Kept
 * free of the node's own modules: the cloud only spawns it.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirPrivate, writeSecretFile } from '../../shared/files';
import { runningPid, startDetached, stopDaemon } from '../../shared/daemon';
import { type CloudPaths } from '../../shared/paths';
import { localNodeDir, nodeAddress, type NodePaths, nodePaths } from '../../shared/node-paths';

export const SHARED_KEY_FILE = 'node-cluster.key';

export interface LocalNode {
  host: string;
  port: number;
  /** The key shared with it (64 hex digits). */
  key: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

export function localNodeWanted(conf: Record<string, string>, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.EUCA_NO_LOCAL_NODE !== '1' && !/^(n|no|false|0)$/i.test(conf.LOCAL_NODE ?? '');
}

/** The cloud's copy of the node/cluster key, created once; the node gets the same key. */
export function ensureSharedKey(paths: CloudPaths, node: NodePaths): string {
  const cloudKeyFile = path.join(paths.keysDir, SHARED_KEY_FILE);
  let key: string;
  try {
    key = fs.readFileSync(cloudKeyFile, 'utf8').trim();
  } catch {
    key = crypto.randomBytes(32).toString('hex'); // as nc-protocol's generateSharedKey, without loading undici
    writeSecretFile(cloudKeyFile, `${key}\n`);
  }
  mkdirPrivate(node.keysDir);
  let current = '';
  try {
    current = fs.readFileSync(node.keyFile, 'utf8').trim();
  } catch {
    /* first start */
  }
  if (current !== key) writeSecretFile(node.keyFile, `${key}\n`);
  return key;
}

/**
 * Starts the local node controller and resolves once it answers. The spawn happens before the
 * first await, so a caller that does not wait is not slowed down by it.
 */
export async function startLocalNode(paths: CloudPaths, cloudUrl: string): Promise<LocalNode> {
  const np = nodePaths(localNodeDir(paths.dataDir));
  const key = ensureSharedKey(paths, np);
  const env = { ...process.env, EUCA_NC_PARENT_PID: String(process.pid) };
  const start = () =>
    startDetached(np, {
      command: 'eucalyptus-nc',
      port: 0,
      args: ['--cloud-url', cloudUrl, '--key-file', np.keyFile],
      env,
      timeoutMs: 30_000,
    });
  // A node left by a cloud that was killed outright still points at that cloud's port.
  const pid = runningPid(np) === undefined ? await start() : await stopDaemon(np, 5000).then(start);
  const addr = nodeAddress(np);
  if (!addr) throw new Error(`the node controller in ${np.dataDir} wrote no port file`);
  return {
    ...addr,
    key,
    dataDir: np.dataDir,
    pid,
    async stop() {
      if (runningPid(np) === pid) await stopDaemon(np, 5000);
    },
  };
}
