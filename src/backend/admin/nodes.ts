/**
 * euca_conf's clusters and nodes, on the cloud's data dir (its SQLite store, which the running
 * cloud reads too, and eucalyptus.conf's NODES). Adding a node hands it the cluster key sealed
 * with the pairing token the node printed (lib/node-pairing); a node that cannot be reached is
 * reported and still listed in NODES, so the cluster polls it (`--synckeys` pairs it later).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { CliError } from '../../shared/errors';
import { NC_SERVICE_PATH, NcError, NodeControllerClient } from '../../shared/nc-protocol';
import { PAIR_ACTION, sealKey } from '../../shared/node-pairing';
import { SqlNodeStore } from '../cluster/nodes';
import { readConf, setConfValues } from '../conf';
import { SHARED_KEY_FILE } from '../node/local';
import { type CloudPaths } from '../../shared/paths';
import { SqlStore } from '../store/sql-store';
import { cloudDatabase } from '../store/database';

export interface NodeAddress {
  host: string;
  port: number;
}

export const nodeName = (n: NodeAddress) => `${n.host}:${n.port}`;

export function parseNodes(list: string, defaultPort: number): NodeAddress[] {
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((item) => {
      const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d+))?$/.exec(item);
      if (!m) throw new CliError('InvalidParameterValue', `not a node address (HOST or HOST:PORT): ${item}`);
      const port = m[2] ? Number(m[2]) : defaultPort;
      if (port < 1 || port > 65535) throw new CliError('InvalidParameterValue', `not a port: ${m[2]}`);
      return { host: m[1], port };
    });
}

/** The cluster's key, which every node it polls must hold. */
function clusterKey(paths: CloudPaths): string {
  try {
    return fs.readFileSync(path.join(paths.keysDir, SHARED_KEY_FILE), 'utf8').trim();
  } catch {
    throw new CliError('NotInitialized', `no cluster key in ${paths.keysDir}: start the cloud once first`);
  }
}

export type PairOutcome = { ok: true } | { ok: false; unreachable: boolean; message: string };

/** Sends a node the cluster key sealed with its token. */
export function pairNode(node: NodeAddress, token: string, key: string, timeoutMs = 10_000): Promise<PairOutcome> {
  const body = JSON.stringify({ Action: PAIR_ACTION, Key: sealKey(token, key) });
  return new Promise((resolve) => {
    const req = http.request({
      host: node.host.replace(/^\[|\]$/g, ''),
      port: node.port,
      method: 'POST',
      path: NC_SERVICE_PATH,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) =>
      resolve({ ok: false, unreachable: true, message: `cannot reach ${nodeName(node)}: ${e.message}` }),
    );
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        if (res.statusCode === 200) return resolve({ ok: true });
        let message = text;
        try {
          const err = JSON.parse(text).Error;
          message = `${err.Code}: ${err.Message}`;
        } catch {
          /* not JSON */
        }
        resolve({ ok: false, unreachable: false, message: `${nodeName(node)} refused: ${message}` });
      });
    });
    req.end(body);
  });
}

async function withStore<T>(paths: CloudPaths, fn: (store: SqlStore, nodes: SqlNodeStore) => Promise<T>): Promise<T> {
  const store = await SqlStore.open(cloudDatabase(paths));
  try {
    return await fn(store, new SqlNodeStore(store.db));
  } finally {
    await store.close();
  }
}

function setNodesConf(paths: CloudPaths, update: (current: string[]) => string[]): void {
  const current = (readConf(paths.conf).NODES ?? '').split(/\s+/).filter(Boolean);
  setConfValues(paths.conf, { NODES: update(current).join(' ') });
}

/** The cluster a node goes to: the one named, or the only/first one. */
async function clusterFor(store: SqlStore, name?: string): Promise<string> {
  const clusters = await store.listClusters();
  if (name) {
    if (!clusters.some((c) => c.name === name))
      throw new CliError('NoSuchEntity', `no cluster named ${name} (euca_conf --list-clusters)`);
    return name;
  }
  if (!clusters.length) throw new CliError('NoSuchEntity', 'no cluster to add nodes to (euca_conf --addcluster)');
  return clusters[0].name;
}

/**
 * Pairs and registers nodes; returns a line per node. A wrong token stops that node (not
 * registered); an unreachable one is registered and reported.
 */
export async function addNodes(
  paths: CloudPaths,
  nodes: NodeAddress[],
  tokenFor: (n: NodeAddress) => Promise<string>,
  cluster?: string,
): Promise<{ lines: string[]; failed: boolean }> {
  const key = clusterKey(paths);
  const zone = await withStore(paths, (store) => clusterFor(store, cluster));
  const lines: string[] = [];
  let failed = false;
  for (const node of nodes) {
    const outcome = await pairNode(node, await tokenFor(node), key);
    if (!outcome.ok && !outcome.unreachable) {
      lines.push(`${nodeName(node)}: not added: ${outcome.message}`);
      failed = true;
      continue;
    }
    await withStore(paths, (_, store) => store.register(zone, node));
    setNodesConf(paths, (cur) => [...cur.filter((n) => n !== nodeName(node)), nodeName(node)]);
    lines.push(
      outcome.ok
        ? `${nodeName(node)}: paired and added to ${zone}`
        : `${nodeName(node)}: added to ${zone}, but ${outcome.message}; pair it later with euca_conf --synckeys`,
    );
  }
  return { lines, failed };
}

export async function delNodes(paths: CloudPaths, nodes: NodeAddress[]): Promise<string[]> {
  const lines: string[] = [];
  for (const node of nodes) {
    const removed = await withStore(paths, (_, store) => store.deregister(node));
    setNodesConf(paths, (cur) => cur.filter((n) => n !== nodeName(node)));
    lines.push(removed ? `${nodeName(node)}: removed` : `${nodeName(node)}: was not registered`);
  }
  return lines;
}

export async function listNodes(paths: CloudPaths): Promise<string[]> {
  return (await withStore(paths, (_, store) => store.list())).map((n) =>
    ['NODE', n.cluster, nodeName(n), n.status, n.lastSeen ?? ''].join('\t').trimEnd(),
  );
}

/** Whether a node answers the cluster's signed requests, has no key yet, or cannot be reached. */
async function probe(node: NodeAddress, key: string): Promise<'ok' | 'unpaired' | 'unreachable'> {
  const client = new NodeControllerClient(`http://${nodeName(node)}`, key);
  try {
    await client.describeResource();
    return 'ok';
  } catch (e) {
    return e instanceof NcError ? 'unpaired' : 'unreachable';
  } finally {
    await client.close();
  }
}

/** Checks every node NODES lists holds the cluster key; pairs those that have none yet. */
export async function syncKeys(paths: CloudPaths, tokenFor: (n: NodeAddress) => Promise<string>): Promise<string[]> {
  const conf = readConf(paths.conf);
  const nodes = parseNodes(conf.NODES ?? '', Number(conf.NC_PORT || 8775));
  const key = clusterKey(paths);
  const lines: string[] = [];
  for (const node of nodes) {
    const state = await probe(node, key);
    if (state === 'ok') lines.push(`${nodeName(node)}: has the cluster key`);
    else if (state === 'unreachable') lines.push(`${nodeName(node)}: unreachable, not synced`);
    else {
      const outcome = await pairNode(node, await tokenFor(node), key);
      lines.push(outcome.ok ? `${nodeName(node)}: paired` : `${nodeName(node)}: ${outcome.message}`);
    }
  }
  return lines;
}

export async function addCluster(paths: CloudPaths, name: string, hostPort: string): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
    throw new CliError('InvalidParameterValue', `not a cluster name: ${name}`);
  const [host, p] = hostPort.split(':');
  const port = p ? Number(p) : Number(readConf(paths.conf).CC_PORT || 8774);
  return withStore(paths, async (store) => {
    if ((await store.listClusters()).some((c) => c.name === name))
      throw new CliError('EntityAlreadyExists', `cluster ${name} is already registered`);
    await store.addCluster({ name, host, port });
    return `cluster ${name} at ${host}:${port} added: it is availability zone ${name}`;
  });
}

export async function delCluster(paths: CloudPaths, name: string): Promise<string> {
  return withStore(paths, async (store, nodes) => {
    if (!(await store.listClusters()).some((c) => c.name === name))
      throw new CliError('NoSuchEntity', `no cluster named ${name}`);
    if ((await nodes.list(name)).length)
      throw new CliError('DeleteConflict', `cluster ${name} still has nodes: remove them first (euca_conf --delnode)`);
    await store.db.prepare('DELETE FROM clusters WHERE name = ?').run(name);
    return `cluster ${name} removed`;
  });
}

export async function listClusters(paths: CloudPaths): Promise<string[]> {
  return withStore(paths, async (store) =>
    (await store.listClusters()).map((c) => ['CLUSTER', c.name, `${c.host}:${c.port}`].join('\t')),
  );
}
