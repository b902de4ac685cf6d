/**
 * The simulated hypervisor driver: everything a node controller does around a VM except running
 * it. RunInstance fetches the machine image, kernel and ramdisk through the image cache, lays out
 * INSTANCE_PATH/<accountId>/<instanceId>/ (root: a copy of the cached image, reflinked where the
 * file system can; kernel; ramdisk; ephemeral and swap as sparse files sized by the VM type, swap
 * 512 MiB as Eucalyptus 1.5 made it, none for Windows, whose ephemeral disk is the rest of the
 * type's disk, as seed 000 says), writes the console log a boot would, and turns running after
 * BOOT_DELAY_MS. Terminate goes shutting-down → terminated and removes the folder. A failed
 * staging goes straight to terminated with the reason, as a real NC's instances do. A Windows
 * instance started with a keypair prints its encrypted Administrator password (windows.ts).
 * Instances outlive their node controller: a staged instance's folder keeps its spec
 * (instance.json), and a node that starts again boots every instance it finds there again
 * (what a crash of the node or of the cloud with it must not lose); half-staged folders go.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NcInstance } from '../../shared/nc-protocol';
import { DriverError, type HypervisorDriver, type InstanceSpec, notFound } from './hypervisor';
import type { ImageCache } from './image-cache';
import { METADATA_SOCKET } from './metadata';
import { passwordConsoleLines } from './windows';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
export const SWAP_BYTES = 512 * MiB;
const CONSOLE_TAIL = 64 * 1024;
const CACHE_DIR = 'cache';
/** What a staged instance's folder keeps to be booted again after the node restarts. */
const SAVED_SPEC = 'instance.json';

interface SavedInstance {
  spec: InstanceSpec;
  launchTime: string;
}

/** Where a driver opens each instance's own metadata channel (metadata.ts). */
export interface MetadataChannelHost {
  open(instanceId: string, socketPath: string): Promise<void>;
  close(instanceId: string): void;
}

export interface SimulatedOptions {
  instancePath: string;
  /** Each staged instance gets its metadata channel in its folder (metadata.sock). */
  channels?: MetadataChannelHost;
  bootDelayMs: number;
  images: ImageCache;
  log(line: string): void;
  /** How long a terminated instance stays visible to DescribeInstances. */
  retainTerminatedMs?: number;
}

interface SimInstance {
  spec: InstanceSpec;
  status: NcInstance;
  dir: string;
  staged: Promise<void>;
  cancelled: boolean;
  bootStarted: number;
  wake?: () => void;
  /** The console log kept once the folder is gone. */
  lastConsole?: Buffer;
}

/** A device's file name in the instance folder: /dev/sdf is sdf. */
export function deviceName(device: string): string {
  const name = path.basename(device);
  if (!/^[a-z]{2,4}[a-z0-9]{0,4}$/.test(name))
    throw new DriverError('InvalidParameterValue', `not a device name: ${device}`);
  return name;
}

/** The disk sizes an instance gets: what is left of the type's disk after the image and swap. */
export function diskLayout(
  spec: Pick<InstanceSpec, 'vmType' | 'platform'>,
  imageBytes: number,
): { ephemeral: number; swap: number } {
  const disk = spec.vmType.diskGiB * GiB;
  if (imageBytes > disk)
    throw new Error(
      `the image (${Math.ceil(imageBytes / MiB)} MiB) does not fit the ${spec.vmType.diskGiB} GiB disk of ${spec.vmType.name}`,
    );
  const swap = spec.platform === 'windows' ? 0 : SWAP_BYTES;
  return { swap, ephemeral: Math.max(0, disk - imageBytes - swap) };
}

export class SimulatedDriver implements HypervisorDriver {
  readonly name = 'simulated';
  private readonly instances = new Map<string, SimInstance>();
  private readonly retainMs: number;

  constructor(private readonly opts: SimulatedOptions) {
    this.retainMs = opts.retainTerminatedMs ?? 10 * 60_000;
    fs.mkdirSync(opts.instancePath, { recursive: true, mode: 0o700 });
    this.adoptSaved();
  }

  /** Boots again the instances an earlier run staged; removes whatever else it left. */
  private adoptSaved(): void {
    for (const account of fs.readdirSync(this.opts.instancePath)) {
      if (account === CACHE_DIR) continue;
      const accountDir = path.join(this.opts.instancePath, account);
      const entries = fs.statSync(accountDir).isDirectory() ? fs.readdirSync(accountDir) : [];
      for (const id of entries) {
        const dir = path.join(accountDir, id);
        const saved = readSaved(dir);
        if (saved && saved.spec.instanceId === id && saved.spec.accountId === account) this.adopt(saved, dir);
        else fs.rmSync(dir, { recursive: true, force: true });
      }
      if (!this.hasInstancesIn(account)) fs.rmSync(accountDir, { recursive: true, force: true });
    }
  }

  private hasInstancesIn(accountId: string): boolean {
    return [...this.instances.values()].some((i) => i.spec.accountId === accountId);
  }

  private adopt(saved: SavedInstance, dir: string): void {
    const { spec } = saved;
    const inst = this.newInstance(spec, dir, saved.launchTime);
    this.instances.set(spec.instanceId, inst);
    this.opts.log(`${spec.instanceId}: found staged by an earlier run; booting it again`);
    inst.staged = this.appendConsole(inst, [
      '',
      `eucalyptus-nc: the node controller restarted; booting ${spec.instanceId} again`,
    ])
      .then(() => this.openChannel(inst))
      .then(() => this.boot(inst, false))
      .catch((e: Error) => this.fail(inst, e));
  }

  private newInstance(spec: InstanceSpec, dir: string, launchTime: string): SimInstance {
    return {
      spec,
      status: {
        instanceId: spec.instanceId,
        state: 'pending',
        launchTime,
        privateIp: spec.network.privateIp,
        ...(spec.network.publicIp ? { publicIp: spec.network.publicIp } : {}),
      },
      dir,
      staged: Promise.resolve(),
      cancelled: false,
      bootStarted: Date.now(),
    };
  }

  async run(spec: InstanceSpec): Promise<void> {
    validate(spec);
    const existing = this.instances.get(spec.instanceId);
    // A stopped EBS-backed instance starts again under its ID: what is left of its last run goes.
    if (existing?.status.state === 'terminated') this.instances.delete(spec.instanceId);
    else if (existing)
      throw new DriverError(
        'InstanceAlreadyExists',
        `instance ${spec.instanceId} already exists on this node (${existing.status.state})`,
        409,
      );
    const inst = this.newInstance(
      spec,
      path.join(this.opts.instancePath, spec.accountId, spec.instanceId),
      new Date().toISOString(),
    );
    this.instances.set(spec.instanceId, inst);
    this.opts.log(`${spec.instanceId}: pending (${spec.imageId}, ${spec.vmType.name}, account ${spec.accountId})`);
    inst.staged = this.stageAndBoot(inst).catch((e: Error) => this.fail(inst, e));
  }

  private async stageAndBoot(inst: SimInstance): Promise<void> {
    const { spec } = inst;
    await fs.promises.mkdir(inst.dir, { recursive: true, mode: 0o700 });
    const rootVolume = spec.volumes?.find((v) => v.root);
    const wanted = [rootVolume ? undefined : spec.imageId, spec.kernelId, spec.ramdiskId];
    const [root, kernel, ramdisk] = await Promise.all(
      wanted.map(async (id) => (id ? this.opts.images.get(id) : undefined)),
    );
    if (inst.cancelled) return;
    // An EBS root is a volume, not part of the node's disk.
    const imageBytes = rootVolume ? 0 : (await fs.promises.stat(root!)).size;
    const { ephemeral, swap } = diskLayout(spec, imageBytes);
    if (rootVolume) await fs.promises.symlink(rootVolume.path, path.join(inst.dir, 'root'));
    else await fs.promises.copyFile(root!, path.join(inst.dir, 'root'), fs.constants.COPYFILE_FICLONE);
    for (const v of spec.volumes ?? [])
      if (!v.root) await fs.promises.symlink(v.path, path.join(inst.dir, deviceName(v.device)));
    if (kernel) await fs.promises.copyFile(kernel, path.join(inst.dir, 'kernel'), fs.constants.COPYFILE_FICLONE);
    if (ramdisk) await fs.promises.copyFile(ramdisk, path.join(inst.dir, 'ramdisk'), fs.constants.COPYFILE_FICLONE);
    await sparseFile(path.join(inst.dir, 'ephemeral'), ephemeral);
    if (swap) await sparseFile(path.join(inst.dir, 'swap'), swap);
    if (inst.cancelled) return;
    // Staged: from here on the instance survives a restart of the node.
    await writeSaved(inst.dir, { spec, launchTime: inst.status.launchTime });
    await this.openChannel(inst);
    await this.boot(inst);
  }

  /** Boots a staged instance: the boot's console lines, BOOT_DELAY_MS, then running. */
  private async boot(inst: SimInstance, firstBoot = true): Promise<void> {
    const { spec } = inst;
    if (inst.cancelled) return;
    inst.bootStarted = Date.now();
    const { imageBytes, ephemeral, swap } = await this.layoutOf(inst);
    await this.appendConsole(inst, bootLines(spec, imageBytes, ephemeral, swap));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.opts.bootDelayMs);
      inst.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    inst.wake = undefined;
    if (inst.cancelled) return;
    inst.status.state = 'running';
    if (spec.platform === 'windows') {
      // A Windows instance's first boot sets the Administrator password; it is readable only with the keypair.
      await this.appendConsole(inst, [
        'Windows is ready to use',
        ...(firstBoot && spec.publicKey ? passwordConsoleLines(spec.publicKey) : []),
      ]);
    } else {
      await this.appendConsole(inst, [
        `Starting OpenSSH server: sshd.`,
        '',
        `Ubuntu 9.04 ${spec.instanceId} ttyS0`,
        '',
        `${spec.instanceId} login: `,
      ]);
    }
    this.opts.log(`${spec.instanceId}: running`);
  }

  private async fail(inst: SimInstance, e: Error): Promise<void> {
    if (inst.cancelled) return;
    inst.cancelled = true;
    inst.status.reason = e.message;
    this.opts.log(`${inst.spec.instanceId}: failed to start: ${e.message}`);
    await this.appendConsole(inst, [`eucalyptus-nc: cannot start ${inst.spec.instanceId}: ${e.message}`]).catch(
      () => undefined,
    );
    await this.cleanUp(inst);
  }

  async terminate(instanceId: string): Promise<NcInstance['state']> {
    const inst = this.get(instanceId);
    const previous = inst.status.state;
    if (previous === 'terminated' || previous === 'shutting-down') return previous;
    inst.cancelled = true;
    inst.status.state = 'shutting-down';
    inst.wake?.();
    this.opts.log(`${instanceId}: shutting down`);
    void inst.staged.then(async () => {
      await this.appendConsole(inst, ['The system is going down for power off NOW!', 'Power down.']).catch(
        () => undefined,
      );
      await this.cleanUp(inst);
    });
    return previous;
  }

  /** The guest's 169.254.169.254: a socket in its folder that only it is connected to. */
  private async openChannel(inst: SimInstance): Promise<void> {
    await this.opts.channels?.open(inst.spec.instanceId, path.join(inst.dir, METADATA_SOCKET));
  }

  /** Keeps the console, removes the folder, and forgets the instance after a while. */
  private async cleanUp(inst: SimInstance): Promise<void> {
    this.opts.channels?.close(inst.spec.instanceId);
    inst.lastConsole = await this.readConsole(inst).catch(() => Buffer.alloc(0));
    await fs.promises.rm(inst.dir, { recursive: true, force: true });
    await fs.promises.rmdir(path.dirname(inst.dir)).catch(() => undefined); // the account's folder, once empty
    inst.status.state = 'terminated';
    this.opts.log(`${inst.spec.instanceId}: terminated`);
    setTimeout(
      () => this.instances.get(inst.spec.instanceId) === inst && this.instances.delete(inst.spec.instanceId),
      this.retainMs,
    ).unref();
  }

  async reboot(instanceId: string): Promise<void> {
    const inst = this.get(instanceId);
    if (inst.status.state !== 'running')
      throw new DriverError(
        'IncorrectInstanceState',
        `instance ${instanceId} is ${inst.status.state}, not running`,
        409,
      );
    this.opts.log(`${instanceId}: rebooting`);
    await this.appendConsole(inst, ['The system is going down for reboot NOW!', 'Restarting system.', '']);
    inst.bootStarted = Date.now();
    const { imageBytes, ephemeral, swap } = await this.layoutOf(inst);
    await this.appendConsole(inst, [...bootLines(inst.spec, imageBytes, ephemeral, swap), `${instanceId} login: `]);
  }

  /** The staged disks' sizes (an EBS root is a volume, not part of the node's disk). */
  private async layoutOf(inst: SimInstance): Promise<{ imageBytes: number; ephemeral: number; swap: number }> {
    const imageBytes = inst.spec.volumes?.some((v) => v.root)
      ? 0
      : (await fs.promises.stat(path.join(inst.dir, 'root'))).size;
    return { imageBytes, ...diskLayout(inst.spec, imageBytes) };
  }

  state(instanceId: string): NcInstance | undefined {
    const inst = this.instances.get(instanceId);
    return inst && { ...inst.status };
  }

  list(): NcInstance[] {
    return [...this.instances.values()].map((i) => ({ ...i.status }));
  }

  /** The volume appears as INSTANCE_DIR/<device name> (sdf for /dev/sdf), a link to its file. */
  async attachVolume(instanceId: string, device: string, volumePath: string): Promise<void> {
    const inst = this.get(instanceId);
    if (inst.status.state !== 'running' && inst.status.state !== 'pending')
      throw new DriverError('IncorrectInstanceState', `instance ${instanceId} is ${inst.status.state}`, 409);
    const link = path.join(inst.dir, deviceName(device));
    await inst.staged;
    try {
      await fs.promises.symlink(volumePath, link);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new DriverError('InvalidParameterValue', `Attachment point ${device} is already in use`);
      throw e;
    }
    this.opts.log(`${instanceId}: attached ${volumePath} as ${device}`);
  }

  async detachVolume(instanceId: string, device: string): Promise<void> {
    const inst = this.get(instanceId);
    await fs.promises.rm(path.join(inst.dir, deviceName(device)), { force: true });
    this.opts.log(`${instanceId}: detached ${device}`);
  }

  async rootDisk(instanceId: string): Promise<string> {
    const inst = this.get(instanceId);
    if (inst.status.state !== 'running')
      throw new DriverError(
        'IncorrectInstanceState',
        `instance ${instanceId} is ${inst.status.state}, not running`,
        409,
      );
    return path.join(inst.dir, 'root');
  }

  async consoleOutput(instanceId: string): Promise<Buffer> {
    const inst = this.get(instanceId);
    return inst.lastConsole ?? (await this.readConsole(inst));
  }

  async close(): Promise<void> {
    for (const inst of this.instances.values()) {
      this.opts.channels?.close(inst.spec.instanceId);
      inst.cancelled = true;
      inst.wake?.();
    }
    await Promise.all([...this.instances.values()].map((i) => i.staged.catch(() => undefined)));
  }

  private get(instanceId: string): SimInstance {
    const inst = this.instances.get(instanceId);
    if (!inst) throw notFound(instanceId);
    return inst;
  }

  private async readConsole(inst: SimInstance): Promise<Buffer> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(path.join(inst.dir, 'console.log'), 'r');
    } catch {
      return Buffer.alloc(0);
    }
    try {
      const size = (await fh.stat()).size;
      const len = Math.min(size, CONSOLE_TAIL);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf;
    } finally {
      await fh.close();
    }
  }

  private async appendConsole(inst: SimInstance, lines: string[]): Promise<void> {
    const t = (Date.now() - inst.bootStarted) / 1000;
    // A Linux kernel stamps its lines; Windows prints them bare (and the password block must stay bare).
    const stamp = inst.spec.platform === 'windows' ? '' : `[${t.toFixed(6).padStart(12)}] `;
    await fs.promises.appendFile(
      path.join(inst.dir, 'console.log'),
      lines.map((l) => (l ? stamp + l : '')).join('\n') + '\n',
      { mode: 0o600 },
    );
  }
}

function validate(spec: InstanceSpec): void {
  const bad = (what: string) => new DriverError('InvalidParameterValue', what, 400);
  if (!/^i-[0-9A-F]{8}$/.test(spec.instanceId ?? ''))
    throw bad(`instanceId must be i- and 8 hex digits: ${spec.instanceId}`);
  if (!/^\d{12}$/.test(spec.accountId ?? '')) throw bad(`accountId must be 12 digits: ${spec.accountId}`);
  if (!/^emi-[0-9A-F]{8}$/.test(spec.imageId ?? '')) throw bad(`imageId must be an emi-: ${spec.imageId}`);
  if (spec.kernelId !== undefined && !/^eki-[0-9A-F]{8}$/.test(spec.kernelId))
    throw bad(`kernelId must be an eki-: ${spec.kernelId}`);
  if (spec.ramdiskId !== undefined && !/^eri-[0-9A-F]{8}$/.test(spec.ramdiskId))
    throw bad(`ramdiskId must be an eri-: ${spec.ramdiskId}`);
  const t = spec.vmType;
  if (!t || !t.name || ![t.cpus, t.memoryMiB, t.diskGiB].every((n) => Number.isInteger(n) && n > 0))
    throw bad('vmType needs a name and positive cpus, memoryMiB and diskGiB');
  if (!spec.network || typeof spec.network.privateIp !== 'string' || typeof spec.network.mac !== 'string')
    throw bad('network needs mac and privateIp');
}

function readSaved(dir: string): SavedInstance | undefined {
  try {
    const saved = JSON.parse(fs.readFileSync(path.join(dir, SAVED_SPEC), 'utf8')) as SavedInstance;
    validate(saved.spec);
    return typeof saved.launchTime === 'string' ? saved : undefined;
  } catch {
    return undefined;
  }
}

async function writeSaved(dir: string, saved: SavedInstance): Promise<void> {
  const tmp = path.join(dir, `.${SAVED_SPEC}.tmp`);
  await fs.promises.writeFile(tmp, JSON.stringify(saved), { mode: 0o600 });
  await fs.promises.rename(tmp, path.join(dir, SAVED_SPEC));
}

async function sparseFile(file: string, size: number): Promise<void> {
  const fh = await fs.promises.open(file, 'wx', 0o600);
  try {
    await fh.truncate(size);
  } finally {
    await fh.close();
  }
}

/** What a kernel and init print while the instance boots. */
function bootLines(spec: InstanceSpec, imageBytes: number, ephemeral: number, swap: number): string[] {
  const n = spec.network;
  const mib = (b: number) => `${Math.ceil(b / MiB)} MiB`;
  const windows = spec.platform === 'windows';
  return [
    windows
      ? 'Windows boot manager: loading the root disk (simulated hypervisor)'
      : 'Linux version 2.6.28-11-server (simulated hypervisor, eucalyptus-nc)',
    `Command line: root=/dev/sda1 console=ttyS0`,
    `eucalyptus: instance ${spec.instanceId} of reservation ${spec.reservationId}, launch index ${spec.launchIndex}, type ${spec.vmType.name}`,
    `eucalyptus: kernel ${spec.kernelId ?? '-'}, ramdisk ${spec.ramdiskId ?? '-'}, root ${spec.imageId}`,
    `Memory: ${spec.vmType.memoryMiB * 1024}k available, ${spec.vmType.cpus} CPU(s)`,
    `sda1: root ${mib(imageBytes)}, sda2: ephemeral ${mib(ephemeral)}` + (swap ? `, sda3: swap ${mib(swap)}` : ''),
    `eth0: link up, MAC ${n.mac}` + (n.vlan !== undefined ? `, VLAN ${n.vlan}` : ''),
    `eth0: address ${n.privateIp}` + (n.publicIp ? `, public address ${n.publicIp}` : ''),
    `metadata: http://169.254.169.254/latest/meta-data/ (instance-id ${spec.instanceId})`,
    ...(spec.keyName ? [`ssh: authorized key ${spec.keyName} installed for root`] : []),
  ];
}
