/**
 * The QEMU machine host (HYPERVISOR="kvm" or "qemu"): each instance is a qemu-system-x86_64
 * process booting the staged kernel (eki) and ramdisk (eri) with root=/dev/vda on the staged root
 * disk, with KVM where /dev/kvm may be used and TCG (software emulation) where not.
 *   - Disks: the root and the volumes given at boot are virtio disks (vda, vdb, ...); a volume
 *     attached later is hot-plugged as the next virtio disk and unplugged on detach (QMP); the
 *     VM type's ephemeral and swap disks are SCSI disks (sda, sdb), so volumes keep the vdX names.
 *   - Network: QEMU's user network on 169.254.0.0/16 (the guest takes an address by DHCP); the
 *     guest's 169.254.169.254:80 is forwarded, one process per connection, to the instance's own
 *     metadata socket; the ports its security groups open are forwarded from its public address
 *     when that address is this machine's own (loopback): nothing else is ever bound.
 *   - Console: the serial port, appended to the instance's console.log. The instance runs once
 *     the guest has printed there.
 *   - Control: QMP on a socket in the instance's folder (reset, hot-plug, forwards, quit).
 * Boots run a few at a time (a burst of RunInstances must not starve the node), the rest wait.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_PORT_FORWARDS, type PortForward } from '../../shared/nc-protocol';
import { DriverError, type Machine, type MachineHost, type StagedInstance } from './hypervisor';
import { deviceName } from './instances';
import { METADATA_SOCKET } from './metadata';
import { Qmp, type QmpError } from './qmp';
import type { DiskSource } from './volume-links';

export const QEMU_BINARY = 'qemu-system-x86_64';
const QMP_SOCKET = 'qmp.sock';
const CONSOLE = 'console.log';
/** The guest's link-local network: what QEMU needs to forward 169.254.169.254 into it. */
const GUEST_NET = '169.254.0.0/16';

export interface QemuOptions {
  accel: 'kvm' | 'tcg';
  binary?: string;
  /** How many guests boot at once; the others wait, pending. */
  maxBoots: number;
  /** How long a guest may take from QEMU's start to its first console line. */
  bootTimeoutMs?: number;
  /** Whether this process may bind ports below 1024 (root). */
  mayBindLowPorts?: boolean;
}

/** QEMU's option syntax: a comma inside a value is written twice. */
const opt = (v: string) => v.replaceAll(',', ',,');

/**
 * The arguments opening a disk as the block node `node`: its file, or its NBD export over TLS
 * with the attachment's pre-shared key (reconnecting for a while if the export restarts).
 */
function blockdev(node: string, d: DiskSource): string[] {
  if (d.file !== undefined)
    return ['-blockdev', `driver=raw,node-name=${node},file.driver=file,file.filename=${opt(d.file)}`];
  const { nbd, keysDir } = d;
  return [
    '-object',
    `tls-creds-psk,id=tls-${node},endpoint=client,dir=${opt(keysDir)},username=${opt(nbd.identity)}`,
    '-blockdev',
    `driver=raw,node-name=${node},file.driver=nbd,file.server.type=inet,file.server.host=${opt(nbd.host)},` +
      `file.server.port=${nbd.port},file.export=${opt(nbd.name)},file.tls-creds=tls-${node},file.reconnect-delay=10`,
  ];
}

/** Whether an address is this machine's own loopback (127.0.0.0/8): the only kind forwarded. */
export const isLoopback = (ip: string | undefined): ip is string => !!ip && /^127\.\d+\.\d+\.\d+$/.test(ip);

/** The host port a guest port is forwarded from: itself, or 10000 above it where low ports are refused. */
export const hostPort = (port: number, mayBindLowPorts: boolean) =>
  port < 1024 && !mayBindLowPorts ? 10_000 + port : port;

/**
 * Whether KVM can run guests here. /dev/kvm being there and openable is not enough (a nested or
 * sandboxed one may refuse the CPU's registers): QEMU is started with KVM on a stopped machine and
 * asked, and must come up and quit cleanly.
 */
export async function kvmUsable(binary: string): Promise<boolean> {
  try {
    fs.closeSync(fs.openSync('/dev/kvm', fs.constants.O_RDWR));
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const child = spawn(
      binary,
      [
        '-accel',
        'kvm',
        '-cpu',
        'host',
        '-machine',
        'pc',
        '-m',
        '16',
        '-nodefaults',
        '-display',
        'none',
        '-S',
        '-qmp',
        'stdio',
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', () => resolve(false));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 && /"enabled":\s*true/.test(out));
    });
    child.stdin!.end(
      ['qmp_capabilities', 'query-kvm', 'quit'].map((c) => JSON.stringify({ execute: c })).join('\n') + '\n',
    );
  });
}

/** At most `max` holders at once; the others wait in turn (one that gives up leaves the queue). */
class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  /** Resolves with the slot's release, or undefined when `signal` aborts first. */
  async take(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (this.busy < this.max) this.busy++;
    else {
      const got = await new Promise<boolean>((resolve) => {
        const handed = () => {
          signal.removeEventListener('abort', gaveUp);
          resolve(true);
        };
        const gaveUp = () => {
          this.waiting.splice(this.waiting.indexOf(handed), 1);
          resolve(false);
        };
        this.waiting.push(handed);
        signal.addEventListener('abort', gaveUp, { once: true });
      });
      if (!got) return undefined;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot goes straight to the next in line, if any.
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    };
  }
}

export class QemuMachines implements MachineHost {
  readonly name: 'kvm' | 'qemu';
  /** QEMU's own memory beside the guest's (measured by bench:boot: about 65 MiB under TCG with tb-size=16). */
  readonly overheadMiB: number;
  private readonly slots: Slots;

  constructor(private readonly opts: QemuOptions) {
    this.name = opts.accel === 'kvm' ? 'kvm' : 'qemu';
    this.overheadMiB = opts.accel === 'kvm' ? 40 : 64;
    this.slots = new Slots(Math.max(1, opts.maxBoots));
  }

  async boot(inst: StagedInstance, signal: AbortSignal): Promise<Machine> {
    const release = await this.slots.take(signal);
    if (!release || signal.aborted) {
      release?.();
      throw new Error('terminated before it booted');
    }
    try {
      return await this.start(inst, signal);
    } finally {
      release();
    }
  }

  private args(inst: StagedInstance): string[] {
    const { spec, dir } = inst;
    if (!inst.kernel)
      throw new DriverError(
        'InvalidParameterValue',
        `${spec.imageId} has no kernel: this node boots an image with its kernel (eki) and ramdisk (eri)`,
      );
    const accel = this.opts.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,tb-size=16'];
    const disk = (id: string, file: string, device: string) => [
      '-drive',
      `file=${opt(file)},if=none,id=${id},format=raw,cache=writeback`,
      '-device',
      device,
    ];
    // Volumes as block nodes, as hot-plugged ones are, so that any of them can be unplugged.
    const volume = (name: string, d: DiskSource) => [
      ...blockdev(`vol-${name}`, d),
      '-device',
      `virtio-blk-pci,drive=vol-${name},id=dev-${name}`,
    ];
    // The image's copy, or an EBS root volume (a file, or exported).
    const root =
      inst.root.file !== undefined
        ? disk('root', inst.root.file, 'virtio-blk-pci,drive=root,id=dev-root')
        : [...blockdev('root', inst.root), '-device', 'virtio-blk-pci,drive=root,id=dev-root'];
    const scsi = [inst.ephemeral, inst.swap].filter((f): f is string => !!f && fs.statSync(f).size > 0);
    const pipe = `'${process.execPath}' '${path.join(__dirname, 'metadata-pipe.js')}' '${path.join(dir, METADATA_SOCKET)}'`;
    // restrict=on: the guest reaches nothing but its metadata and what is forwarded to it.
    const netdev = [
      'user,id=net0',
      `net=${GUEST_NET}`,
      'restrict=on',
      `hostname=${spec.instanceId}`,
      `guestfwd=tcp:169.254.169.254:80-cmd:${opt(pipe)}`,
    ].join(',');
    return [
      '-name',
      `${spec.instanceId},debug-threads=off`,
      '-machine',
      'pc',
      ...accel,
      '-m',
      String(spec.vmType.memoryMiB),
      '-smp',
      String(spec.vmType.cpus),
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-chardev',
      `file,id=console,path=${opt(path.join(dir, CONSOLE))},append=on`,
      '-serial',
      'chardev:console',
      '-kernel',
      inst.kernel,
      ...(inst.ramdisk ? ['-initrd', inst.ramdisk] : []),
      '-append',
      'root=/dev/vda console=ttyS0 panic=-1',
      ...root,
      ...inst.volumes.flatMap((v) => volume(deviceName(v.device), v.disk)),
      ...(scsi.length ? ['-device', 'virtio-scsi-pci,id=scsi'] : []),
      ...scsi.flatMap((f, i) => disk(`scsi${i}`, f, `scsi-hd,drive=scsi${i},bus=scsi.0`)),
      '-netdev',
      netdev,
      '-device',
      `virtio-net-pci,netdev=net0,mac=${spec.network.mac},romfile=`,
      '-qmp',
      `unix:${opt(path.join(dir, QMP_SOCKET))},server=on,wait=off`,
      '-pidfile',
      path.join(dir, 'qemu.pid'),
    ];
  }

  /** The hostfwd rules for these ports of the instance's public address, and what the console says of them. */
  forwardsOf(publicIp: string | undefined, ports: PortForward[]): { rules: string[]; notes: string[] } {
    if (!ports.length) return { rules: [], notes: [] };
    if (!isLoopback(publicIp))
      return {
        rules: [],
        notes: [
          `eucalyptus-nc: no port is forwarded: the public address ${publicIp ?? '(none)'} is not one of this machine's ` +
            '(give the cloud a public range in 127.0.0.0/8, VNET_PUBLICIPS)',
        ],
      };
    const may = !!this.opts.mayBindLowPorts;
    const kept = ports.slice(0, MAX_PORT_FORWARDS);
    const rules = kept.map((p) => `${p.protocol}:${publicIp}:${hostPort(p.port, may)}-:${p.port}`);
    const notes = [
      `eucalyptus-nc: forwarding ${kept.map((p) => `${p.port}/${p.protocol}`).join(', ')} from ${publicIp}`,
      ...kept
        .filter((p) => hostPort(p.port, may) !== p.port)
        .map(
          (p) =>
            `eucalyptus-nc: port ${p.port}/${p.protocol} is forwarded from ${publicIp}:${hostPort(p.port, may)}` +
            ' (this node may not bind ports below 1024)',
        ),
      ...(ports.length > kept.length ? [`eucalyptus-nc: only the first ${kept.length} ports are forwarded`] : []),
    ];
    return { rules, notes };
  }

  private async start(inst: StagedInstance, signal: AbortSignal): Promise<Machine> {
    const { dir, spec } = inst;
    const consoleFile = path.join(dir, CONSOLE);
    await inst.console([
      `eucalyptus-nc: booting ${spec.instanceId} under ${this.name === 'kvm' ? 'KVM' : 'QEMU (TCG)'}: ` +
        `${spec.vmType.memoryMiB} MiB, ${spec.vmType.cpus} CPU(s), kernel ${spec.kernelId}, ramdisk ${spec.ramdiskId ?? '-'}`,
    ]);
    await killLeftover(dir);
    fs.rmSync(path.join(dir, QMP_SOCKET), { force: true });
    const child = spawn(this.opts.binary ?? QEMU_BINARY, this.args(inst), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    const exited = new Promise<string>((resolve) => {
      child.once('error', (e) => resolve(`QEMU could not start: ${e.message}`));
      child.once('exit', (code, sig) =>
        resolve(
          code === 0
            ? 'the guest powered off'
            : `QEMU exited (${sig ?? `status ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
        ),
      );
    });
    const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
    const onAbort = () => kill();
    signal.addEventListener('abort', onAbort);
    try {
      const qmp = await Promise.race([
        Qmp.connect(path.join(dir, QMP_SOCKET)),
        exited.then((why) => Promise.reject(new Error(why))),
      ]);
      const machine = new QemuMachine(inst, child, qmp, exited, this);
      await machine.forward(spec.network.publicIp, spec.network.ports ?? []);
      // Running once the guest prints on its console (the kernel is up).
      const printedBefore = fs.statSync(consoleFile).size;
      const deadline = Date.now() + (this.opts.bootTimeoutMs ?? 120_000);
      while (fs.statSync(consoleFile).size <= printedBefore) {
        if (signal.aborted) throw new Error('terminated while booting');
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(await exited);
        if (Date.now() > deadline) throw new Error('the guest printed nothing on its console');
        await new Promise((r) => setTimeout(r, 100));
      }
      return machine;
    } catch (e) {
      kill();
      await exited;
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

class QemuMachine implements Machine {
  readonly ended: Promise<string>;
  private stopping = false;
  /** The hostfwd rules in place. */
  private forwards: string[] = [];
  /** The public address and ports last applied in full. */
  private applied?: string;

  constructor(
    private readonly inst: StagedInstance,
    private readonly child: ChildProcess,
    private readonly qmp: Qmp,
    private readonly exited: Promise<string>,
    private readonly host: QemuMachines,
  ) {
    this.ended = new Promise<string>((resolve) => {
      void exited.then((why) => {
        qmp.close();
        if (!this.stopping) resolve(why);
      });
    });
  }

  async reboot(): Promise<void> {
    await this.inst.console(['eucalyptus-nc: reset (euca-reboot-instances)']);
    await this.qmp.execute('system_reset');
  }

  async attach(device: string, disk: DiskSource): Promise<void> {
    const node = `vol-${deviceName(device)}`;
    let file: Record<string, unknown> = { driver: 'file', filename: disk.file };
    if (disk.nbd) {
      const { nbd, keysDir } = disk;
      await this.qmp.execute('object-add', {
        'qom-type': 'tls-creds-psk',
        id: `tls-${node}`,
        endpoint: 'client',
        dir: keysDir,
        username: nbd.identity,
      });
      file = {
        driver: 'nbd',
        server: { type: 'inet', host: nbd.host, port: String(nbd.port) },
        export: nbd.name,
        'tls-creds': `tls-${node}`,
        'reconnect-delay': 10,
      };
    }
    const undo = async () => {
      await this.qmp.execute('blockdev-del', { 'node-name': node }).catch(() => undefined);
      await this.qmp.execute('object-del', { id: `tls-${node}` }).catch(() => undefined);
    };
    try {
      await this.qmp.execute('blockdev-add', { driver: 'raw', 'node-name': node, file });
      await this.qmp.execute('device_add', { driver: 'virtio-blk-pci', drive: node, id: `dev-${deviceName(device)}` });
    } catch (e) {
      await undo();
      throw e;
    }
  }

  async detach(device: string): Promise<void> {
    const n = deviceName(device);
    const gone = this.qmp.waitFor('DEVICE_DELETED', (d) => d.device === `dev-${n}`, 15_000);
    const present = await this.qmp.execute('device_del', { id: `dev-${n}` }).then(
      () => true,
      // Already unplugged (an earlier detach the guest released late): nothing to wait for.
      (e: QmpError) => (e.errorClass === 'DeviceNotFound' ? false : Promise.reject(e)),
    );
    if (present && !(await gone))
      throw new DriverError('VolumeInUse', `the guest has not released ${device} (is it still mounted?)`, 409);
    await this.qmp.execute('blockdev-del', { 'node-name': `vol-${n}` }).catch(() => undefined);
    // An exported volume's TLS credentials go with it (a file's have none).
    await this.qmp.execute('object-del', { id: `tls-vol-${n}` }).catch(() => undefined);
  }

  /**
   * Replaces the forwarded ports (at boot, and when the security group or the public address
   * changed). A port this machine has taken already (an sshd on 0.0.0.0:22) is not forwarded,
   * and the console says so; the others are.
   */
  async forward(publicIp: string | undefined, ports: PortForward[]): Promise<string[]> {
    const wanted = JSON.stringify([publicIp, ports]);
    if (wanted === this.applied) return [];
    const { rules, notes } = this.host.forwardsOf(publicIp, ports);
    const refused: string[] = [];
    for (const old of this.forwards.filter((f) => !rules.includes(f))) {
      const [protocol, ip, port] = old.split(/[:-]/);
      await this.qmp.human(`hostfwd_remove net0 ${protocol}:${ip}:${port}`).catch(() => undefined);
    }
    const kept = this.forwards.filter((f) => rules.includes(f));
    for (const rule of rules.filter((f) => !this.forwards.includes(f))) {
      try {
        await this.qmp.human(`hostfwd_add net0 ${rule}`);
        kept.push(rule);
      } catch (e) {
        const [protocol, ip, port] = rule.split(/[:-]/);
        notes.push(`eucalyptus-nc: ${ip}:${port}/${protocol} is not forwarded: ${(e as Error).message}`);
        refused.push(`${ip}:${port}/${protocol}: ${(e as Error).message}`);
      }
    }
    this.forwards = kept;
    // Applied in full, it is not done again; with a port refused, the next call tries again.
    this.applied = refused.length ? undefined : wanted;
    await this.inst.console(notes);
    return refused;
  }

  async stop(quiet = false): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // An ACPI power button first (a guest that listens shuts down cleanly), then off.
      await this.qmp.execute('system_powerdown').catch(() => undefined);
      const halted = await Promise.race([this.exited.then(() => true), delay(2000).then(() => false)]);
      if (!halted) await this.qmp.execute('quit').catch(() => undefined);
      const quit = await Promise.race([this.exited.then(() => true), delay(5000).then(() => false)]);
      if (!quit) this.child.kill('SIGKILL');
      await this.exited;
    }
    this.qmp.close();
    if (!quiet) await this.inst.console(['', 'eucalyptus-nc: powered off']);
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A QEMU left running for this instance by a node controller that was killed outright: stopped
 * before the instance boots again (it holds the instance's disks and forwarded ports). Only a
 * process whose command line names this instance's folder is touched.
 */
async function killLeftover(dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dir, 'qemu.pid'), 'utf8').trim());
  } catch {
    return;
  }
  const ours = () => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join(dir, QMP_SOCKET));
    } catch {
      return false;
    }
  };
  if (!(pid > 0) || !ours()) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && ours(); i++) await delay(100);
}
