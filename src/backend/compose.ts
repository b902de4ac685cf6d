/**
 * The composition root: the one place the cloud's parts are built, in order, each given what it
 * uses — the store and the domain stores over it, Walrus, the image registrar, the node clients,
 * the cluster controller, the storage controller, the EC2 services, the instance monitor — and
 * the context the HTTP front serves requests with. Nothing registers itself at import time and no
 * part is wired after it was made.
 */
import { CliError } from '../shared/errors';
import { type CloudPaths, DEFAULT_BIND } from '../shared/paths';
import { CLOUD_ACCOUNT, loadOrCreatePki, type CloudPki } from './bootstrap';
import { ClusterServices } from './cluster';
import { loadOrCreateNodeKey } from './cluster/internal-auth';
import { parseNetworkConfig } from './cluster/network/config';
import { type CloudContext } from './context';
import { SqlBundleTaskStore } from './ec2/bundle-tasks/store';
import { findGroup, SqlSecurityGroupStore } from './ec2/groups/store';
import { ImageRegistrar } from './ec2/images/registrar';
import { SqlImageStore } from './ec2/images/store';
import { walrusBundleSource } from './ec2/images/walrus-source';
import { computeServices } from './ec2/instances/compute-wiring';
import { InstanceMonitor } from './ec2/instances/monitor';
import { NodeClients } from './ec2/instances/node-operations';
import { SqlInstanceStore } from './ec2/instances/store';
import { SqlKeyPairStore } from './ec2/keypairs/store';
import { ec2Services } from './ec2/services';
import { SqlTagStore } from './ec2/tags/store';
import { s3Gate } from './iam/enforce';
import { IdentityService } from './iam/service';
import { IdentityStore } from './iam/store';
import * as path from 'node:path';
import { PropertyService } from './properties/service';
import { SqlPropertyStore } from './properties/store';
import { SqlWalrusStore, Walrus } from './s3';
import { objectBytesFor } from './s3/backends';
import { MasterKey } from './s3/encryption';
import { CloudBuckets } from './s3/cloud-buckets';
import { SNAPSHOT_BUCKET, StorageController } from './storage/controller';
import { VolumeExports } from './storage/exports';
import { SqlVolumeStore } from './storage/store';
import { Leases } from './store/leases';
import { JobClaims } from './jobs';
import { frontEndId } from './leadership';
import { SqlStore } from './store/sql-store';
import { cloudDatabase, isPostgresUrl } from './store/database';

export interface ComposedCloud {
  /** What the HTTP front and the background work serve requests with. */
  cloud: CloudContext;
  /** What spans the front ends on one database: leases held by this one, as its id among them. */
  leases: Leases;
  /** The background jobs this front end runs, claimed in the database. */
  jobs: JobClaims;
  pki: CloudPki;
  registrar: ImageRegistrar;
  monitor: InstanceMonitor;
  cloudBuckets: CloudBuckets;
  nodeClients: NodeClients;
}

/**
 * Where the storage controller keeps volumes: the data dir's folder, or VOLUMES_DIR, a folder
 * every front end mounts (shared storage: NFS, a SAN's file system) when several serve one cloud.
 */
function volumesDir(paths: CloudPaths, conf: Record<string, string>): string {
  const dir = conf.VOLUMES_DIR;
  if (!dir) return paths.volumesDir;
  if (!path.isAbsolute(dir))
    throw new CliError('InvalidConfiguration', `eucalyptus.conf: VOLUMES_DIR "${dir}" is not an absolute path`);
  return dir;
}

/**
 * How volumes reach node controllers (VOLUME_EXPORT): by their file's path ("file", the default:
 * nodes on this host, or mounting VOLUMES_DIR), or as NBD exports over the network ("nbd"), which
 * listen on VOLUME_EXPORT_HOST (default the cloud's bind address).
 */
function volumeExports(
  conf: Record<string, string>,
  volumesDir: string,
  clusterKey: string,
  log: (line: string) => void,
): VolumeExports | undefined {
  const mode = (conf.VOLUME_EXPORT || 'file').toLowerCase();
  if (mode === 'file') return undefined;
  if (mode !== 'nbd')
    throw new CliError(
      'InvalidConfiguration',
      `eucalyptus.conf: VOLUME_EXPORT "${conf.VOLUME_EXPORT}" is not file or nbd`,
    );
  const bind = conf.CLOUD_BIND_ADDR || DEFAULT_BIND;
  if (!conf.VOLUME_EXPORT_HOST && (bind === '0.0.0.0' || bind === '::'))
    throw new CliError(
      'InvalidConfiguration',
      'eucalyptus.conf: VOLUME_EXPORT="nbd" with the cloud on every address needs VOLUME_EXPORT_HOST, ' +
        'the address node controllers reach the exports at',
    );
  const host = conf.VOLUME_EXPORT_HOST || bind;
  return new VolumeExports({ dir: path.join(volumesDir, '.exports'), clusterKey, host: () => host, log });
}

/** Builds the cloud over its data dir; `conf` is its eucalyptus.conf, checked by the caller. */
export async function composeCloud(
  paths: CloudPaths,
  conf: Record<string, string>,
  log: (line: string) => void,
): Promise<ComposedCloud> {
  // Checked before anything starts: a networking setting that cannot work stops the cloud here.
  const network = parseNetworkConfig(conf);
  const location = cloudDatabase(paths);
  const store = await SqlStore.open(location);
  const leases = new Leases(store.db, frontEndId());
  const jobs = new JobClaims(leases, log, isPostgresUrl(location));
  const pki = loadOrCreatePki(paths);
  const walrus = new Walrus({
    store: new SqlWalrusStore(store.db),
    files: objectBytesFor(paths, conf),
    accounts: store,
    cloudAccountName: CLOUD_ACCOUNT,
    systemBuckets: [SNAPSHOT_BUCKET],
    masterKey: new MasterKey(path.join(paths.keysDir, 'walrus-master.key')),
  });
  const images = new SqlImageStore(store.db);
  const keypairs = new SqlKeyPairStore(store.db);
  const groups = new SqlSecurityGroupStore(store.db);
  const instances = new SqlInstanceStore(store.db);
  const volumes = new SqlVolumeStore(store.db);
  const bundleTasks = new SqlBundleTaskStore(store.db);
  const tags = new SqlTagStore(store.db);
  const registrar = new ImageRegistrar({
    store,
    images,
    source: walrusBundleSource(walrus),
    cloudPrivateKeyPem: pki.privateKeyPem,
    cloudCertPem: pki.certPem,
    cacheDir: paths.imagesDir,
    jobs,
    log,
  });
  const nodeKey = loadOrCreateNodeKey(paths.keysDir);
  const nodeClients = new NodeClients(nodeKey);
  const accountName = async (id: string) => (await store.findAccount(id))?.name;
  const cluster = await ClusterServices.open({
    db: store.db,
    conf,
    network,
    dataDir: paths.dataDir,
    accountName,
    client: nodeClients,
    groupRules: async (accountId, groupName) => (await groups.get(accountId, groupName))?.rules ?? [],
    liveInstances: async () =>
      (await instances.list({ states: ['pending', 'running'] }))
        .filter((i) => i.node && i.groupName)
        .map((i) => ({ instanceId: i.id, node: i.node!, accountId: i.accountId, groupName: i.groupName! })),
    log,
  });
  const compute = computeServices(
    cluster,
    async () => (await store.listClusters()).map((c) => c.name),
    keypairs,
    { find: (accountId, nameOrId) => findGroup(groups, accountId, nameOrId) },
    nodeClients,
  );
  const cloudBuckets = new CloudBuckets(walrus);
  const volumeFiles = volumesDir(paths, conf);
  const storage = new StorageController(volumeFiles, cloudBuckets, volumeExports(conf, volumeFiles, nodeKey, log));
  // Policies (IAM and bucket) are read through the whole context: known once it is made below.
  const gate = (from?: Parameters<typeof s3Gate>[1]) => s3Gate(cloud, from);
  const properties = new PropertyService(() => cloud);
  const ec2 = ec2Services(
    {
      images,
      instances,
      keypairs,
      groups,
      tags,
      volumes,
      bundleTasks,
      accessKeys: store,
      transaction: (fn) => store.transaction(fn),
    },
    {
      registrar,
      reader: (p, from) => ({ caller: p, gate: gate(from) }),
      gate,
      clusters: () => store.listClusters(),
      urls: () => cloud.urls,
      properties,
      walrus,
      paths,
      accountName,
      accountId: async (idOrName) =>
        ((await store.findAccount(idOrName)) ?? (await store.findAccountByName(idOrName)))?.id,
      compute,
      cluster,
      storage,
      conf,
      jobs,
      log,
    },
  );
  const monitor = new InstanceMonitor(
    instances,
    compute,
    log,
    async () => Number(await properties.value('cloud.vmstate.terminated_time')) * 60_000,
    (i, why) => ec2.instances.lose(i, why ?? `node ${i.node} no longer runs it (the node controller restarted)`),
    async () => (await cluster.controller.nodes.list()).map((n) => `${n.host}:${n.port}`),
  );
  const identity = new IdentityStore(store.db);
  const identityService = new IdentityService({
    store,
    identity,
    caCertFile: path.join(paths.keysDir, 'cloud-cert.pem'),
    caKeyFile: path.join(paths.keysDir, 'cloud-pk.pem'),
  });
  const cloud: CloudContext = {
    store,
    identity,
    identityService,
    walrus,
    volumes,
    storage,
    ec2,
    properties: new SqlPropertyStore(store.db),
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
  return { cloud, leases, jobs, pki, registrar, monitor, cloudBuckets, nodeClients };
}
