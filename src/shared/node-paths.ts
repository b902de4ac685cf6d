/**
 * Where a node controller keeps things inside its data dir, laid out like a Eucalyptus node under
 * $EUCALYPTUS: etc/eucalyptus/eucalyptus.conf (the node's own settings), the key it shares with
 * the cluster controller, nc.log, and its pid file with a port file beside it (the port it really
 * listens on, which `--port 0` picks). Kept free of the daemon's modules so that commands and the
 * cloud can find a node controller at no cost.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { localCloudDir } from './paths';

export interface NodePaths {
  dataDir: string;
  conf: string;
  keysDir: string;
  /** The key shared with the cluster controller (64 hex digits). */
  keyFile: string;
  logDir: string;
  log: string;
  runDir: string;
  pidFile: string;
  /** `HOST:PORT` the node answers on, written just before the pid file. */
  portFile: string;
  /** The hypervisor driver it runs (kvm, qemu, simulated), written with the port file. */
  hypervisorFile: string;
  /** INSTANCE_PATH unless eucalyptus.conf says otherwise. */
  defaultInstancePath: string;
}

export function nodePaths(dataDir: string): NodePaths {
  const d = path.resolve(dataDir);
  const run = path.join(d, 'var', 'run', 'eucalyptus');
  return {
    dataDir: d,
    conf: path.join(d, 'etc', 'eucalyptus', 'eucalyptus.conf'),
    keysDir: path.join(d, 'var', 'lib', 'eucalyptus', 'keys'),
    keyFile: path.join(d, 'var', 'lib', 'eucalyptus', 'keys', 'node-cluster.key'),
    logDir: path.join(d, 'var', 'log', 'eucalyptus'),
    log: path.join(d, 'var', 'log', 'eucalyptus', 'nc.log'),
    runDir: run,
    pidFile: path.join(run, 'eucalyptus-nc.pid'),
    portFile: path.join(run, 'eucalyptus-nc.port'),
    hypervisorFile: path.join(run, 'eucalyptus-nc.hypervisor'),
    defaultInstancePath: path.join(d, 'instances'),
  };
}

/** The local cloud's node: DATA/node of the cloud's data dir ($EUCA_LOCAL_DIR/node, ~/.euca/local/node). */
export function localNodeDir(cloudDataDir = localCloudDir()): string {
  return path.join(cloudDataDir, 'node');
}

/** The HOST:PORT a running node wrote, if any. */
export function nodeAddress(paths: NodePaths): { host: string; port: number } | undefined {
  try {
    const m = /^(.*):(\d+)\s*$/.exec(fs.readFileSync(paths.portFile, 'utf8'));
    return m ? { host: m[1], port: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}

/** The hypervisor driver a running node wrote, if any. */
export function nodeHypervisor(paths: NodePaths): string | undefined {
  try {
    return fs.readFileSync(paths.hypervisorFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export const DEFAULT_NC_PORT = 8775;
