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
import * as path from 'node:path';
import { listen, log } from './listen';
import { CliError } from '../shared/errors';
import { writeFileAtomic } from '../shared/files';
import { ensureCloudAdmin, ensureLocalCluster, prepareDataDir, refreshAdminEucarc } from './bootstrap';
import { composeCloud } from './compose';
import { cloudDatabase, describeDatabase, holdsPassword, isPostgresUrl } from './store/database';
import { SqlStore } from './store/sql-store';
import { readConf, setConfValues } from './conf';
import { runningPid } from '../shared/daemon';
import { localNodeWanted, startLocalNode } from './node/local';
import { cloudPaths, DEFAULT_BIND, DEFAULT_PORT } from '../shared/paths';
import { lifecycleSweeps } from './s3/lifecycle-sweeps';
import { Leadership } from './leadership';
import { jobTakeover } from './jobs';
import { recoverJobs } from './recovery';
import { nodeMoved } from './ec2/instances/node-loss';

import { createCloudServer } from './server';
import type { CloudContext } from './context';
import { type Dashboard, startDashboard } from './dashboard/server';

/** The seed's Dashboard port: `https://<CLC>:8443/`. */
const DEFAULT_DASHBOARD_PORT = 8443;

/** Where the local node controller answered last time (meta table). */
const LOCAL_NODE_META = 'local_node';

function advertisedHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::') return '127.0.0.1';
  return bind.includes(':') ? `[${bind}]` : bind;
}

/**
 * The Dashboard on DASHBOARD_PORT (default 8443, the seed's), or the port given; when the default
 * is taken, another free one, said in the log. DASHBOARD="N" or `--no-dashboard` turns it off.
 */
async function startDashboardAsConfigured(
  cloud: CloudContext,
  conf: Record<string, string>,
  bind: string,
  port: number | false | undefined,
): Promise<Dashboard | undefined> {
  if (port === false || /^(n|no|false|0)$/i.test(conf.DASHBOARD ?? '')) return undefined;
  const wanted = port ?? (Number(conf.DASHBOARD_PORT) || DEFAULT_DASHBOARD_PORT);
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard(cloud, { port: wanted, bind });
  } catch (e) {
    if (port !== undefined || (e as CliError).code !== 'AddressInUse') throw e;
    dashboard = await startDashboard(cloud, { port: 0, bind });
    log(`dashboard: port ${wanted} is taken; the Dashboard is on ${dashboard.port} instead`);
  }
  log(`dashboard: ${dashboard.url}`);
  return dashboard;
}

/**
 * Makes `location` the cloud's database from now on (eucalyptus-cloud --db): CLOUD_DB in its
 * eucalyptus.conf, which every part of the cloud and every admin tool reads, once it has been
 * opened (and its schema migrated). A URL holding a password leaves the file readable by its owner
 * alone.
 */
export async function useDatabase(dataDir: string, location: string): Promise<void> {
  const paths = cloudPaths(dataDir);
  if (isPostgresUrl(location)) {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw new CliError('InvalidParameterValue', 'the --db URL is not a valid postgresql:// URL');
    }
    if (!url.hostname && !url.searchParams.get('host'))
      throw new CliError('InvalidParameterValue', 'the --db URL names no host');
  } else if (!path.isAbsolute(location))
    throw new CliError('InvalidParameterValue', '--db takes a postgresql:// URL or the absolute path of a SQLite file');
  // Opened (and migrated) first: a database that cannot be used changes nothing.
  await (await SqlStore.open(location)).close();
  prepareDataDir(paths);
  setConfValues(paths.conf, { CLOUD_DB: location }, { secret: holdsPassword(location) });
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
  const bind = opts.bind ?? (conf.CLOUD_BIND_ADDR || DEFAULT_BIND);
  const wantedPort = opts.port ?? (Number(conf.CLOUD_PORT) || DEFAULT_PORT);

  process.title = 'eucalyptus-cloud';
  // A promise nobody awaited must not take the daemon down with it: say so in the log instead.
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  const { cloud, leases, jobs, pki, registrar, monitor, cloudBuckets, nodeClients } = await composeCloud(
    paths,
    conf,
    log,
  );
  const { store, walrus, cluster } = cloud;
  log(`walrus: object bytes in ${walrus.files.description}`);
  const swept = await walrus.recover();
  if (swept.removed) log(`walrus: removed ${swept.removed} temporary or orphaned file(s) left by an earlier run`);
  const stopAccessLogs = walrus.accessLogs.start(log);

  // Background work runs in one front end at a time among those on the database (leadership.ts),
  // among it the recovery of the jobs of front ends that die while others run (jobs.ts).
  const recovery = { cloud, registrar, monitor, log };
  const leadership: Leadership = new Leadership(
    leases,
    [
      lifecycleSweeps(walrus, log),
      cluster.controller,
      monitor,
      jobTakeover(
        jobs,
        () => leadership.liveFrontEnds(),
        (taken) => recoverJobs(recovery, { taken }),
        log,
      ),
    ],
    log,
  );
  // Jobs in flight were cut short only when no other front end runs them (theirs are their own).
  const { alone } = await leadership.join();
  if (alone) await jobs.takeOver(await leadership.liveFrontEnds(), () => recoverJobs(recovery, { all: true }), true);
  // Volumes exported to nodes (VOLUME_EXPORT="nbd") outlive a crash: kept, served again, or ended;
  // then looked after while the cloud runs (those of volumes detached through another host's).
  const exports = cloud.storage.exports;
  const attached = () => cloud.ec2.volumes.exportedAttachments();
  await exports?.reconcile(attached, alone ? 0 : undefined);
  const stopExports = exports?.watch(attached);
  if (!alone) log('leadership: other front ends are running; their jobs in flight are left to them');
  const server = createCloudServer(cloud, log);
  const port = await listen(server, wantedPort, bind);
  const base = `http://${advertisedHost(bind)}:${port}/services`;
  cloud.urls = { ec2Url: `${base}/Eucalyptus`, s3Url: `${base}/Walrus`, euareUrl: `${base}/Euare` };

  await ensureCloudAdmin(paths, store, pki, cloud.urls);
  await refreshAdminEucarc(paths, store, cloud.urls);
  for (const name of await cloudBuckets.ensure())
    log(`walrus: bucket ${name} belongs to another account; snapshots fail until it is deleted or renamed`);
  await ensureLocalCluster(paths, store, advertisedHost(bind));
  await cluster.renderNetworkRules();
  await leadership.startWork();
  if (localNodeWanted(conf)) {
    const nodeUrl = `http://${advertisedHost(bind)}:${port}`;
    cloud.localNode = startLocalNode(paths, nodeUrl).then(
      async (node) => {
        log(`eucalyptus-nc ${node.pid} answering at ${node.host}:${node.port} (data in ${node.dataDir})`);
        // The same node (same data folder) on a new port: its instances follow it, and the
        // monitor finds out which it still runs (a node keeps its instances across restarts).
        const address = `${node.host}:${node.port}`;
        const previous = await store.getMeta(LOCAL_NODE_META);
        if (previous && previous !== address) {
          const moved = await nodeMoved(cloud, previous, address);
          if (moved) log(`cluster: the local node moved from ${previous} to ${address} with ${moved} instance(s)`);
        }
        await store.setMeta(LOCAL_NODE_META, address);
        await cluster.controller.registerNode((await store.listClusters())[0].name, {
          host: node.host,
          port: node.port,
        });
        await cluster.controller.refresh();
        await monitor.confirm();
        return node;
      },
      (e: Error) => (log(`the local node controller did not start: ${e.message}`), undefined),
    );
  }
  const dashboard = await startDashboardAsConfigured(cloud, conf, bind, opts.dashboardPort);
  if (dashboard) writeFileAtomic(paths.dashboardFile, `${dashboard.url}\n`, 0o644);
  // Answering means able to run instances: the local node is registered with its capacity first.
  await cloud.localNode;
  log(
    `eucalyptus-cloud ${process.pid} listening on ${bind}:${port}; data in ${paths.dataDir}; ` +
      `state in ${describeDatabase(cloudDatabase(paths))}`,
  );
  // The pid file says "ready": written last, so whoever waits for it also finds the line above.
  writeFileAtomic(paths.pidFile, `${process.pid}\n`, 0o644);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log(`eucalyptus-cloud ${process.pid} stopping (${signal})`);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await dashboard?.close();
  fs.rmSync(paths.dashboardFile, { force: true });
  await (await cloud.localNode)?.stop();
  await leadership.stop();
  stopExports?.();
  await stopAccessLogs();
  await nodeClients.close();
  await store.close();
  try {
    if (fs.readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) fs.unlinkSync(paths.pidFile);
  } catch {
    /* already gone */
  }
}
