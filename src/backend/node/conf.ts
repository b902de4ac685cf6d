/**
 * A node controller's eucalyptus.conf: the node's own settings, apart from the cloud's (on a real
 * install each compute node has its own file). The first start writes the defaults below; keys the
 * file lacks take the same defaults, so a test or an admin may write only what they change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConf } from '../conf';
import { DEFAULT_NC_PORT, type NodePaths } from '../../shared/node-paths';

export const DEFAULT_NC_CONF = `# eucalyptus.conf of this node controller (shell syntax).
# Changes take effect when the node controller is restarted (eucalyptus-nc restart).

# Where the node controller listens for its cluster controller.
NC_PORT="${DEFAULT_NC_PORT}"
NC_BIND_ADDR="127.0.0.1"

# The cloud this node fetches images and metadata from (eucalyptus-nc --cloud-url sets it);
# with several front ends, their URLs separated by spaces: asked in turn when one is unreachable.
CLOUD_URL=""

# What runs the instances: "kvm" (QEMU with KVM, or with TCG where /dev/kvm cannot be used),
# "qemu" (QEMU with TCG), "simulated" (nothing boots), or empty: kvm when qemu-system-x86_64
# is installed, else simulated.
HYPERVISOR=""

# Where instances' disks live, and the image cache (INSTANCE_PATH/cache). Everything else in it
# is removed when the node controller starts.
INSTANCE_PATH=""

# Override what the machine has (empty: the machine's own). MAX_MEM in MiB, MAX_DISK in GiB.
# MAX_CORES overrides the number of cores both down and up.
MAX_CORES=""
MAX_MEM=""
MAX_DISK=""

# How long a simulated instance takes from pending to running, in milliseconds.
BOOT_DELAY_MS="1000"
`;

export interface NodeSettings {
  port: number;
  bind: string;
  cloudUrl: string;
  hypervisor: string;
  instancePath: string;
  maxCores?: number;
  maxMemMiB?: number;
  maxDiskGiB?: number;
  bootDelayMs: number;
}

export function ensureNodeConf(paths: NodePaths): void {
  if (fs.existsSync(paths.conf)) return;
  fs.mkdirSync(path.dirname(paths.conf), { recursive: true, mode: 0o755 });
  fs.writeFileSync(paths.conf, DEFAULT_NC_CONF, { mode: 0o644, flag: 'wx' });
}

function positive(conf: Record<string, string>, key: string): number | undefined {
  const v = conf[key];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${key}="${v}" in eucalyptus.conf is not a positive whole number`);
  return n;
}

export function readNodeSettings(paths: NodePaths): NodeSettings {
  const conf = readConf(paths.conf);
  const delay = conf.BOOT_DELAY_MS === undefined || conf.BOOT_DELAY_MS === '' ? 1000 : Number(conf.BOOT_DELAY_MS);
  if (!Number.isInteger(delay) || delay < 0)
    throw new Error(`BOOT_DELAY_MS="${conf.BOOT_DELAY_MS}" in eucalyptus.conf is not a whole number of milliseconds`);
  const instancePath = conf.INSTANCE_PATH ? path.resolve(paths.dataDir, conf.INSTANCE_PATH) : paths.defaultInstancePath;
  return {
    port: conf.NC_PORT ? Number(conf.NC_PORT) : DEFAULT_NC_PORT,
    bind: conf.NC_BIND_ADDR || '127.0.0.1',
    cloudUrl: conf.CLOUD_URL ?? '',
    hypervisor: conf.HYPERVISOR ?? '',
    instancePath,
    maxCores: positive(conf, 'MAX_CORES'),
    maxMemMiB: positive(conf, 'MAX_MEM'),
    maxDiskGiB: positive(conf, 'MAX_DISK'),
    bootDelayMs: delay,
  };
}
