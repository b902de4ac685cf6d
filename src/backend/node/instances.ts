/**
 * The node's instances: everything a node controller does around a VM, whatever runs it.
 * RunInstance fetches the machine image, kernel and ramdisk through the image cache, lays out
 * INSTANCE_PATH/<accountId>/<instanceId>/ (root: a copy of the cached image, reflinked where the
 * file system can; kernel; ramdisk; ephemeral and swap as sparse files sized by the VM type, swap
 * 512 MiB as Eucalyptus 1.5 made it, none for Windows, whose ephemeral disk is the rest of the
 * type's disk, as seed 000 says), then has its MachineHost boot it (QEMU, or the simulation) and
 * turns running once the guest runs. Terminate goes shutting-down → terminated, powers the
 * machine off and removes the folder; a guest that powers itself off ends the same way. A failed
 * staging or boot goes straight to terminated with the reason, as a real NC's instances do.
 * Instances outlive their node controller: a staged instance's folder keeps its spec
 * (instance.json), and a node that starts again boots every instance it finds there again
 * (what a crash of the node or of the cloud with it must not lose); half-staged folders go.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NcInstance, PortForward, VolumeSource } from '../../shared/nc-protocol';
import { describeSource, diskOf, linkVolume, unlinkVolume, volumeSource } from './volume-links';
import {
  DriverError,
  type HypervisorDriver,
  type InstanceSpec,
  type Machine,
  type MachineHost,
  notFound,
  type StagedInstance,
} from './hypervisor';
import type { ImageCache } from './image-cache';
import { METADATA_SOCKET } from './metadata';

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

export interface NodeInstancesOptions {
  instancePath: string;
  /** Each staged instance gets its metadata channel in its folder (metadata.sock). */
  channels?: MetadataChannelHost;
  /** What boots the staged instances. */
  machines: MachineHost;
  images: ImageCache;
  /** The key shared with the cluster: volumes exported over the network are opened with keys derived from it. */
  clusterKey(): string;
  log(line: string): void;
  /** How long a terminated instance stays visible to DescribeInstances. */
  retainTerminatedMs?: number;
}

interface NodeInstance {
  spec: InstanceSpec;
  status: NcInstance;
  dir: string;
  /** Staging and the first boot: settled once the instance runs, or has failed. */
  staged: Promise<void>;
  cancelled: boolean;
  /** Aborts a boot in progress (terminate, the node stopping). */
  abort: AbortController;
  bootStarted: number;
  machine?: Machine;
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

export class NodeInstances implements HypervisorDriver {
  private readonly instances = new Map<string, NodeInstance>();
  private readonly retainMs: number;

  get name(): string {
    return this.opts.machines.name;
  }

  get overheadMiB(): number {
    return this.opts.machines.overheadMiB;
  }

  constructor(private readonly opts: NodeInstancesOptions) {
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

  private newInstance(spec: InstanceSpec, dir: string, launchTime: string): NodeInstance {
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
      abort: new AbortController(),
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

  private async stageAndBoot(inst: NodeInstance): Promise<void> {
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
    if (rootVolume) await linkVolume(inst.dir, 'root', rootVolume, this.opts.clusterKey);
    else await fs.promises.copyFile(root!, path.join(inst.dir, 'root'), fs.constants.COPYFILE_FICLONE);
    for (const v of spec.volumes ?? [])
      if (!v.root) await linkVolume(inst.dir, deviceName(v.device), v, this.opts.clusterKey, v.device);
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

  /** Boots a staged instance; it runs once its machine host says the guest runs. */
  private async boot(inst: NodeInstance, firstBoot = true): Promise<void> {
    if (inst.cancelled) return;
    inst.bootStarted = Date.now();
    const machine = await this.opts.machines.boot(this.staged(inst), inst.abort.signal, firstBoot);
    if (inst.cancelled) return void (await machine.stop(true).catch(() => undefined));
    inst.machine = machine;
    // What ConfigureNetwork changed while it booted.
    await machine.forward(inst.spec.network.publicIp, inst.spec.network.ports ?? []);
    inst.status.state = 'running';
    this.opts.log(`${inst.spec.instanceId}: running`);
    void machine.ended.then((why) => this.ended(inst, machine, why));
  }

  /** The staged disks, as the machine host boots them. */
  private staged(inst: NodeInstance): StagedInstance {
    const { spec, dir } = inst;
    const file = (name: string) => (fs.existsSync(path.join(dir, name)) ? path.join(dir, name) : undefined);
    return {
      spec,
      dir,
      root: diskOf(dir, 'root') ?? { file: path.join(dir, 'root') },
      kernel: file('kernel'),
      ramdisk: file('ramdisk'),
      ephemeral: file('ephemeral'),
      swap: file('swap'),
      volumes: (spec.volumes ?? [])
        .filter((v) => !v.root)
        .map((v) => ({ device: v.device, disk: diskOf(dir, deviceName(v.device))! })),
      console: (lines) => this.appendConsole(inst, lines),
      log: (line) => this.opts.log(`${spec.instanceId}: ${line}`),
    };
  }

  /** A machine that ended by itself (the guest powered off, the hypervisor died): the instance is terminated. */
  private async ended(inst: NodeInstance, machine: Machine, why: string): Promise<void> {
    if (inst.machine !== machine || inst.cancelled) return;
    inst.cancelled = true;
    inst.status.state = 'shutting-down';
    this.opts.log(`${inst.spec.instanceId}: ${why}`);
    await this.appendConsole(inst, [`eucalyptus-nc: ${why}`]).catch(() => undefined);
    await this.cleanUp(inst);
  }

  private async fail(inst: NodeInstance, e: Error): Promise<void> {
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
    inst.abort.abort();
    this.opts.log(`${instanceId}: shutting down`);
    void inst.staged.then(async () => {
      await inst.machine?.stop().catch((e: Error) => this.opts.log(`${instanceId}: power-off: ${e.message}`));
      await this.cleanUp(inst);
    });
    return previous;
  }

  /** The guest's 169.254.169.254: a socket in its folder that only it is connected to. */
  private async openChannel(inst: NodeInstance): Promise<void> {
    await this.opts.channels?.open(inst.spec.instanceId, path.join(inst.dir, METADATA_SOCKET));
  }

  /** Keeps the console, removes the folder, and forgets the instance after a while. */
  private async cleanUp(inst: NodeInstance): Promise<void> {
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
    const inst = this.running(instanceId);
    this.opts.log(`${instanceId}: rebooting`);
    inst.bootStarted = Date.now();
    await inst.machine!.reboot();
  }

  state(instanceId: string): NcInstance | undefined {
    const inst = this.instances.get(instanceId);
    return inst && { ...inst.status };
  }

  list(): NcInstance[] {
    return [...this.instances.values()].map((i) => ({ ...i.status }));
  }

  /**
   * The volume appears as INSTANCE_DIR/<device name> (sdf for /dev/sdf): a link to its file, or
   * its network export with its key (volume-links.ts).
   */
  async attachVolume(instanceId: string, device: string, source: VolumeSource): Promise<void> {
    const inst = this.get(instanceId);
    if (inst.status.state !== 'running' && inst.status.state !== 'pending')
      throw new DriverError('IncorrectInstanceState', `instance ${instanceId} is ${inst.status.state}`, 409);
    const name = deviceName(device);
    await inst.staged;
    await linkVolume(inst.dir, name, source, this.opts.clusterKey, device);
    try {
      await inst.machine?.attach(device, diskOf(inst.dir, name)!);
    } catch (e) {
      await unlinkVolume(inst.dir, name);
      throw new DriverError('VolumeAttachFailed', `${device}: ${(e as Error).message}`, 500);
    }
    // Booted again (a restart of the node, a start after stop), the instance has it from the start.
    await this.saveVolumes(inst, [
      ...(inst.spec.volumes ?? []).filter((v) => v.device !== device),
      { device, ...source },
    ]);
    this.opts.log(`${instanceId}: attached ${describeSource(source)} as ${device}`);
  }

  async detachVolume(instanceId: string, device: string): Promise<void> {
    const inst = this.get(instanceId);
    // Not while its boot may still be opening the volume: the guest would keep it.
    await inst.staged;
    await inst.machine?.detach(device);
    await unlinkVolume(inst.dir, deviceName(device));
    await this.saveVolumes(
      inst,
      (inst.spec.volumes ?? []).filter((v) => v.root || v.device !== device),
    );
    this.opts.log(`${instanceId}: detached ${device}`);
  }

  /** The instance's volumes as they are now, kept in its saved spec. */
  private async saveVolumes(inst: NodeInstance, volumes: NonNullable<InstanceSpec['volumes']>): Promise<void> {
    inst.spec.volumes = volumes.length ? volumes : undefined;
    if (fs.existsSync(path.join(inst.dir, SAVED_SPEC)))
      await writeSaved(inst.dir, { spec: inst.spec, launchTime: inst.status.launchTime });
  }

  async configureNetwork(instanceId: string, publicIp: string | undefined, ports: PortForward[]): Promise<void> {
    const inst = this.get(instanceId);
    if (inst.status.state === 'terminated' || inst.status.state === 'shutting-down') return;
    const ip = typeof publicIp === 'string' && publicIp ? publicIp : undefined;
    inst.spec.network = { ...inst.spec.network, publicIp: ip, ports };
    if (ip) inst.status.publicIp = ip;
    else delete inst.status.publicIp;
    // A pending instance boots with them (its boot applies them again once it runs); one that
    // runs has them changed now.
    if (fs.existsSync(path.join(inst.dir, SAVED_SPEC)))
      await writeSaved(inst.dir, { spec: inst.spec, launchTime: inst.status.launchTime });
    const refused = (await inst.machine?.forward(ip, ports)) ?? [];
    // Said, so that the cluster tells it again (the address may still be held by its last owner).
    if (refused.length) throw new DriverError('PortInUse', `not forwarded: ${refused.join('; ')}`, 409);
  }

  async rootDisk(instanceId: string): Promise<string> {
    return path.join(this.running(instanceId).dir, 'root');
  }

  async consoleOutput(instanceId: string): Promise<Buffer> {
    const inst = this.get(instanceId);
    return inst.lastConsole ?? (await this.readConsole(inst));
  }

  async close(): Promise<void> {
    for (const inst of this.instances.values()) {
      this.opts.channels?.close(inst.spec.instanceId);
      inst.cancelled = true;
      inst.abort.abort();
    }
    await Promise.all([...this.instances.values()].map((i) => i.staged.catch(() => undefined)));
    // Their folders stay: the next start boots them again.
    await Promise.all(
      [...this.instances.values()].map(async (i) => {
        await i.machine?.stop(true).catch(() => undefined);
      }),
    );
  }

  /** An instance that runs now, or IncorrectInstanceState. */
  private running(instanceId: string): NodeInstance {
    const inst = this.get(instanceId);
    if (inst.status.state !== 'running')
      throw new DriverError(
        'IncorrectInstanceState',
        `instance ${instanceId} is ${inst.status.state}, not running`,
        409,
      );
    return inst;
  }

  private get(instanceId: string): NodeInstance {
    const inst = this.instances.get(instanceId);
    if (!inst) throw notFound(instanceId);
    return inst;
  }

  private async readConsole(inst: NodeInstance): Promise<Buffer> {
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

  private async appendConsole(inst: NodeInstance, lines: string[]): Promise<void> {
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
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(spec.network.mac)) throw bad(`not a MAC address: ${spec.network.mac}`);
  for (const p of spec.network.ports ?? [])
    if ((p?.protocol !== 'tcp' && p?.protocol !== 'udp') || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
      throw bad(`not a TCP or UDP port: ${JSON.stringify(p)}`);
  if (spec.volumes !== undefined && !Array.isArray(spec.volumes)) throw bad('volumes must be a list');
  for (const v of spec.volumes ?? []) {
    deviceName(v.device);
    volumeSource(v);
  }
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
