/**
 * Running the cloud in the foreground: prepare the data dir (first start creates the PKI, the
 * eucalyptus account and its admin credentials), open the store and Walrus (sweeping the temp and
 * orphaned files a crash left), resume image registrations a restart interrupted, listen, register
 * the local cluster, write the admin's eucarc and the pid file (last: its presence means
 * "answering"), start the local node controller (without waiting for it), and shut down cleanly
 * on SIGTERM or SIGINT, stopping that node too.
 */
import type { CloudRunOptions } from '../shared/launcher';
import * as fs from 'node:fs';
import { listen, log } from './listen';
import { CliError } from '../shared/errors';
import { writeFileAtomic } from '../shared/files';
import {
  CLOUD_ACCOUNT,
  ensureCloudAdmin,
  ensureLocalCluster,
  loadOrCreatePki,
  prepareDataDir,
  refreshAdminEucarc,
} from './bootstrap';
import { ClusterServices } from './cluster';
import { parseNetworkConfig } from './cluster/network/config';
import { readConf, setConfValues } from './conf';
import { type CloudContext } from './context';
import { runningPid } from '../shared/daemon';
import { localNodeWanted, startLocalNode } from './node/local';
import { cloudPaths, DEFAULT_BIND, DEFAULT_PORT } from '../shared/paths';
import { ImageRegistrar } from './ec2/images/registrar';
import { SqliteImageStore } from './ec2/images/store';
import { SqliteKeyPairStore } from './ec2/keypairs/store';
import { SqliteSecurityGroupStore } from './ec2/groups/store';
import { SqliteTagStore } from './ec2/tags/store';
import { walrusBundleSource } from './ec2/images/walrus-source';
import { ObjectFiles, SqliteWalrusStore, Walrus } from './s3';
import { CloudBuckets } from './s3/cloud-buckets';
import { startLifecycleSweeps } from './s3/lifecycle-sweeps';
import { recoverJobs } from './recovery';
import { s3Gate } from './iam/enforce';
import { ec2Services } from './ec2/services';
import { SNAPSHOT_BUCKET, StorageController } from './storage/controller';
import { SqliteVolumeStore } from './storage/store';
import { SqlitePropertyStore } from './properties/store';
import { property } from './properties/registry';
import { nodeMoved } from './ec2/instances/node-loss';

/** Where the local node controller answered last time (meta table). */
const LOCAL_NODE_META = 'local_node';
import { createCloudServer } from './server';
import { SqliteStore } from './store/sqlite';
import { IdentityStore } from './iam/store';
import { loadOrCreateNodeKey } from './cluster/internal-auth';
import { computeServices } from './ec2/instances/compute-wiring';
import { InstanceMonitor } from './ec2/instances/monitor';
import { NodeClients } from './ec2/instances/node-operations';
import { SqliteInstanceStore } from './ec2/instances/store';
import { SqliteBundleTaskStore } from './ec2/bundle-tasks/store';
import { findGroup } from './ec2/groups/store';

function advertisedHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::') return '127.0.0.1';
  return bind.includes(':') ? `[${bind}]` : bind;
}

export async function runCloud(opts: CloudRunOptions): Promise<void> {
  const paths = cloudPaths(opts.dataDir);
  prepareDataDir(paths);
  const other = runningPid(paths);
  if (other !== undefined && other !== process.pid)
    throw new CliError('AlreadyRunning', `a cloud is already running on ${paths.dataDir} (pid ${other})`);
  const settings: Record<string, string> = {};
  if (opts.port !== undefined && opts.port !== 0) settings.CLOUD_PORT = String(opts.port);
  if (opts.bind !== undefined) settings.CLOUD_BIND_ADDR = opts.bind;
  if (Object.keys(settings).length) setConfValues(paths.conf, settings);
  const conf = readConf(paths.conf);
  // Checked before anything starts: a networking setting that cannot work stops the cloud here.
  const network = parseNetworkConfig(conf);
  const bind = opts.bind ?? (conf.CLOUD_BIND_ADDR || DEFAULT_BIND);
  const wantedPort = opts.port ?? (Number(conf.CLOUD_PORT) || DEFAULT_PORT);

  process.title = 'eucalyptus-cloud';
  // A promise nobody awaited must not take the daemon down with it: say so in the log instead.
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  const store = new SqliteStore(paths.db);
  const pki = loadOrCreatePki(paths);
  const walrus = new Walrus({
    store: new SqliteWalrusStore(store.db),
    files: new ObjectFiles(paths.walrusDir),
    accounts: store,
    cloudAccountName: CLOUD_ACCOUNT,
    systemBuckets: [SNAPSHOT_BUCKET],
  });
  const swept = walrus.recover();
  if (swept.removed) log(`walrus: removed ${swept.removed} temporary or orphaned file(s) left by an earlier run`);
  const stopLifecycle = startLifecycleSweeps(walrus, log);
  const images = new SqliteImageStore(store.db);
  const registrar = new ImageRegistrar({
    store,
    images,
    source: walrusBundleSource(walrus),
    cloudPrivateKeyPem: pki.privateKeyPem,
    cloudCertPem: pki.certPem,
    cacheDir: paths.imagesDir,
    log,
  });
  const cluster = new ClusterServices({
    db: store.db,
    conf,
    network,
    dataDir: paths.dataDir,
    accountName: (id) => store.findAccount(id)?.name,
    log,
  });
  const keypairs = new SqliteKeyPairStore(store.db);
  const groups = new SqliteSecurityGroupStore(store.db);
  const nodeClients = new NodeClients(loadOrCreateNodeKey(paths.keysDir));
  cluster.controller.setClient(nodeClients);
  const instances = new SqliteInstanceStore(store.db);
  const compute = computeServices(
    cluster,
    () => store.listClusters().map((c) => c.name),
    keypairs,
    { find: (accountId, nameOrId) => findGroup(groups, accountId, nameOrId) },
    nodeClients,
  );
  cluster.hooks.instanceLookup = (accountId, instanceId) => {
    const i = instances.get(instanceId);
    return i && i.accountId === accountId ? { state: i.state, privateIp: i.privateIp ?? '' } : undefined;
  };
  cluster.hooks.groupRules = (accountId, groupName) => groups.get(accountId, groupName)?.rules ?? [];
  const monitor = new InstanceMonitor(
    instances,
    compute,
    log,
    () => Number(property(cloud, 'cloud.vmstate.terminated_time').get(cloud)) * 60_000,
    (i, why) => ec2.instances.lose(i, why ?? `node ${i.node} no longer runs it (the node controller restarted)`),
    () => cluster.controller.nodes.list().map((n) => `${n.host}:${n.port}`),
  );
  const cloudBuckets = new CloudBuckets(walrus);
  const storage = new StorageController(paths.volumesDir, cloudBuckets);
  const volumeStore = new SqliteVolumeStore(store.db);
  const bundleTasks = new SqliteBundleTaskStore(store.db);
  const tags = new SqliteTagStore(store.db);
  const ec2 = ec2Services(
    {
      images,
      instances,
      keypairs,
      groups,
      tags,
      volumes: volumeStore,
      bundleTasks,
      accessKeys: store,
      transaction: (fn) => store.transaction(fn),
    },
    {
      registrar,
      // The cloud is complete by the time a request reads through it.
      reader: (p, from) => ({ caller: p, gate: s3Gate(cloud, from) }),
      gate: (from) => s3Gate(cloud, from),
      property: (name) => property(cloud, name).get(cloud) || undefined,
      walrus,
      paths,
      accountName: (id) => store.findAccount(id)?.name,
      accountId: (idOrName) => (store.findAccount(idOrName) ?? store.findAccountByName(idOrName))?.id,
      compute,
      cluster,
      storage,
      conf,
      log,
    },
  );
  const cloud: CloudContext = {
    store,
    identity: new IdentityStore(store.db),
    walrus,
    volumes: volumeStore,
    storage,
    ec2,
    properties: new SqlitePropertyStore(store.db),
    images,
    keypairs,
    groups,
    tags,
    cluster,
    instances,
    bundleTasks,
    compute,
    paths,
    conf,
    urls: { ec2Url: '', s3Url: '', euareUrl: '' },
  };
  recoverJobs(cloud, log);
  const server = createCloudServer(cloud, log);
  const port = await listen(server, wantedPort, bind);
  const base = `http://${advertisedHost(bind)}:${port}/services`;
  cloud.urls = { ec2Url: `${base}/Eucalyptus`, s3Url: `${base}/Walrus`, euareUrl: `${base}/Euare` };

  ensureCloudAdmin(paths, store, pki, cloud.urls);
  refreshAdminEucarc(paths, store, cloud.urls);
  for (const name of cloudBuckets.ensure())
    log(`walrus: bucket ${name} belongs to another account; snapshots fail until it is deleted or renamed`);
  ensureLocalCluster(paths, store, advertisedHost(bind));
  registrar.resumePending();
  cluster.renderNetworkRules();
  cluster.controller.start();
  monitor.start();
  if (localNodeWanted(conf)) {
    const nodeUrl = `http://${advertisedHost(bind)}:${port}`;
    cloud.localNode = startLocalNode(paths, nodeUrl).then(
      async (node) => {
        log(`eucalyptus-nc ${node.pid} answering at ${node.host}:${node.port} (data in ${node.dataDir})`);
        // The same node (same data folder) on a new port: its instances follow it, and the
        // monitor finds out which it still runs (a node keeps its instances across restarts).
        const address = `${node.host}:${node.port}`;
        const previous = store.getMeta(LOCAL_NODE_META);
        if (previous && previous !== address) {
          const moved = nodeMoved(cloud, previous, address);
          if (moved) log(`cluster: the local node moved from ${previous} to ${address} with ${moved} instance(s)`);
        }
        store.setMeta(LOCAL_NODE_META, address);
        cluster.controller.registerNode(store.listClusters()[0].name, { host: node.host, port: node.port });
        await cluster.controller.refresh();
        await monitor.confirm();
        return node;
      },
      (e: Error) => (log(`the local node controller did not start: ${e.message}`), undefined),
    );
  }
  // Answering means able to run instances: the local node is registered with its capacity first.
  await cloud.localNode;
  writeFileAtomic(paths.pidFile, `${process.pid}\n`, 0o644);
  log(`eucalyptus-cloud ${process.pid} listening on ${bind}:${port}; data in ${paths.dataDir}`);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log(`eucalyptus-cloud ${process.pid} stopping (${signal})`);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await (await cloud.localNode)?.stop();
  cluster.controller.stop();
  monitor.stop();
  stopLifecycle();
  await nodeClients.close();
  store.close();
  try {
    if (fs.readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) fs.unlinkSync(paths.pidFile);
  } catch {
    /* already gone */
  }
}
