/**
 * Running a node controller in the foreground (`eucalyptus-nc start --foreground`; bundled as
 * dist/node.js): read its eucalyptus.conf and the key it shares with the cluster controller, boot
 * again the instances an earlier run staged in INSTANCE_PATH (each with its own metadata
 * channel), listen, write the port file and then the pid file
 * (last: its presence means "answering"), and shut down cleanly on SIGTERM or SIGINT. Started by a
 * cloud for itself, it also stops when that cloud goes away (EUCA_NC_PARENT_PID).
 */
import { describeHypervisor, NODE_HYPERVISORS } from '../../shared/hypervisors';
import type { NodeRunOptions } from '../../shared/launcher';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { listen, log } from '../listen';
import * as path from 'node:path';
import { CliError } from '../../shared/errors';
import { writeFileAtomic, writeSecretFile } from '../../shared/files';
import { parseSharedKey } from '../../shared/nc-protocol';
import { newPairingToken, PAIRING_TOKEN_FILE } from '../../shared/node-pairing';
import { NodePairing } from './pairing';
import { setConfValues } from '../conf';
import { runningPid } from '../../shared/daemon';
import { ensureNodeConf, readNodeSettings } from './conf';
import { ImageCache } from './image-cache';
import { nodePaths } from '../../shared/node-paths';
import { createNodeServer } from './server';
import { MetadataChannels, metadataRelay } from './metadata';
import { NodeInstances } from './instances';
import { DriverError, type MachineHost } from './hypervisor';
import { kvmUsable, QEMU_BINARY, QemuMachines } from './qemu';
import { SimulatedMachines } from './simulated';
import { onPath } from '../../shared/files';

/** The key shared with the cluster, or undefined when the node has not been paired yet. */
function readKey(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseSharedKey(text);
  } catch (e) {
    throw new CliError('InvalidKey', `${file}: ${(e as Error).message}`);
  }
}

/**
 * What boots this node's instances. HYPERVISOR="kvm" runs QEMU with KVM, or with TCG where
 * /dev/kvm cannot be used (said in the log); "qemu" always with TCG; "simulated" boots nothing;
 * empty picks kvm when QEMU is installed, else simulated.
 */
async function machineHost(hypervisor: string, bootDelayMs: number): Promise<MachineHost> {
  const qemu = onPath(QEMU_BINARY);
  const wanted = hypervisor || (qemu ? 'kvm' : 'simulated');
  if (wanted === 'simulated') return new SimulatedMachines(bootDelayMs);
  if (!qemu)
    throw new CliError(
      'InvalidConfiguration',
      `HYPERVISOR="${wanted}" needs ${QEMU_BINARY} (apt-get install qemu-system-x86), or set HYPERVISOR="simulated"`,
    );
  const kvm = wanted === 'kvm' && (await kvmUsable(qemu));
  if (wanted === 'kvm' && !kvm) log('eucalyptus-nc: KVM cannot be used here: guests run under QEMU with TCG');
  return new QemuMachines({
    accel: kvm ? 'kvm' : 'tcg',
    binary: qemu,
    maxBoots: Math.max(1, os.cpus().length),
    mayBindLowPorts: process.getuid?.() === 0,
  });
}

/** An unpaired node's one-time token: made at its first start, kept until it is used. */
function pairingToken(keysDir: string): string {
  const file = path.join(keysDir, PAIRING_TOKEN_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const token = newPairingToken();
    writeSecretFile(file, `${token}\n`);
    return token;
  }
}

export async function runNodeController(opts: NodeRunOptions): Promise<void> {
  const paths = nodePaths(opts.dataDir);
  for (const dir of [paths.dataDir, paths.keysDir, paths.logDir, paths.runDir])
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  ensureNodeConf(paths);
  const other = runningPid(paths);
  if (other !== undefined && other !== process.pid)
    throw new CliError('AlreadyRunning', `a node controller is already running on ${paths.dataDir} (pid ${other})`);
  const saved: Record<string, string> = {};
  if (opts.port !== undefined && opts.port !== 0) saved.NC_PORT = String(opts.port);
  if (opts.bind !== undefined) saved.NC_BIND_ADDR = opts.bind;
  if (opts.cloudUrl !== undefined) saved.CLOUD_URL = opts.cloudUrl;
  if (Object.keys(saved).length) setConfValues(paths.conf, saved);
  let settings;
  try {
    settings = readNodeSettings(paths);
  } catch (e) {
    throw new CliError('InvalidConfiguration', `${paths.conf}: ${(e as Error).message}`);
  }
  if (opts.port !== undefined) settings.port = opts.port;
  if (settings.hypervisor && !(NODE_HYPERVISORS as readonly string[]).includes(settings.hypervisor))
    throw new CliError(
      'InvalidConfiguration',
      `HYPERVISOR="${settings.hypervisor}" in ${paths.conf}: this node runs ${NODE_HYPERVISORS.join(', ')}`,
    );
  if (!settings.cloudUrl)
    throw new CliError(
      'InvalidConfiguration',
      `no cloud to fetch images from: set CLOUD_URL in ${paths.conf} or pass --cloud-url`,
    );
  for (const url of settings.cloudUrl.split(/[\s,]+/).filter(Boolean))
    if (!/^https?:\/\/[^/\s]+/.test(url))
      throw new CliError('InvalidConfiguration', `CLOUD_URL: "${url}" is not an http:// URL`);
  const keyFile = opts.keyFile ? path.resolve(opts.keyFile) : paths.keyFile;
  const key = readKey(keyFile);
  const token = key ? undefined : pairingToken(paths.keysDir);

  process.title = 'eucalyptus-nc';
  // A promise nobody awaited must not take the daemon down with it: say so in the log instead.
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  const pairing = new NodePairing(settings.cloudUrl, key, token, (k) => {
    writeSecretFile(keyFile, `${k}\n`);
    fs.rmSync(path.join(paths.keysDir, PAIRING_TOKEN_FILE), { force: true });
    log('eucalyptus-nc: paired with its cluster: key received');
  });
  const images = new ImageCache(path.join(settings.instancePath, 'cache'), (id) => pairing.cloud().image(id));
  // The driver is made after its channels, whose relay asks the driver about the instance (only
  // once requests come, by when it exists).
  const metadata = metadataRelay(pairing, (id) => driver.state(id));
  const channels = new MetadataChannels(metadata, log);
  const driver = new NodeInstances({
    instancePath: settings.instancePath,
    machines: await machineHost(settings.hypervisor, settings.bootDelayMs),
    images,
    // Asked when a volume exported over the network is attached: only a paired node is asked.
    clusterKey: () => {
      if (!pairing.key) throw new DriverError('NotPaired', 'this node controller has no cluster key yet', 403);
      return pairing.key;
    },
    channels,
    log,
  });
  const server = createNodeServer({ settings, pairing, driver, metadata, log });
  const port = await listen(server, settings.port, settings.bind);
  const host = settings.bind === '0.0.0.0' || settings.bind === '::' ? '127.0.0.1' : settings.bind;
  writeFileAtomic(paths.hypervisorFile, `${driver.name}\n`, 0o644);
  writeFileAtomic(paths.portFile, `${host}:${port}\n`, 0o644);
  writeFileAtomic(paths.pidFile, `${process.pid}\n`, 0o644);
  log(
    `eucalyptus-nc ${process.pid} listening on ${settings.bind}:${port}; instances in ${settings.instancePath} ` +
      `(hypervisor ${describeHypervisor(driver.name)}); cloud at ${settings.cloudUrl}`,
  );
  if (token)
    log(
      `eucalyptus-nc: not paired with a cluster yet; pairing ` +
        `token: ${token} (euca_conf --addnode ${host}:${port} asks for it)`,
    );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (why: string) => {
      if (stopping) return;
      stopping = true;
      log(`eucalyptus-nc ${process.pid} stopping (${why})`);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    const parent = Number(process.env.EUCA_NC_PARENT_PID);
    if (parent > 0) {
      // Detached from the cloud that started it, so nothing else tells it the cloud died.
      setInterval(() => {
        try {
          process.kill(parent, 0);
        } catch {
          shutdown(`the cloud, pid ${parent}, is gone`);
        }
      }, 1000).unref();
    }
  });
  await driver.close();
  channels.closeAll();
  await pairing.close();
  fs.rmSync(paths.hypervisorFile, { force: true });
  for (const file of [paths.pidFile, paths.portFile]) {
    try {
      if (file !== paths.pidFile || fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
    } catch {
      /* already gone */
    }
  }
}
