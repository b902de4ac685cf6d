/**
 * The hypervisor driver interface: what a node controller asks of whatever runs its VMs. A driver
 * owns its instances from RunInstance until they are forgotten after terminating; the node
 * controller only translates the wire protocol into these calls. NodeInstances (instances.ts) is
 * the driver: it stages each instance's disks and keeps its lifecycle, and hands the machine
 * itself to a MachineHost: QEMU (qemu.ts, with KVM or TCG) or the simulation (simulated.ts).
 */
import type { NcInstance, PortForward, RunInstanceRequest, VolumeSource } from '../../shared/nc-protocol';
import type { DiskSource } from './volume-links';

export type InstanceSpec = RunInstanceRequest;

/** A driver refused a request: the code and HTTP status go back to the cluster controller. */
export class DriverError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

export interface HypervisorDriver {
  /** The name DescribeResource reports (HYPERVISOR in eucalyptus.conf). */
  readonly name: string;
  /** What one instance costs the node beyond its guest memory (the hypervisor's own), in MiB. */
  readonly overheadMiB: number;
  /** Accepts an instance (pending); staging its disks and booting go on in the background. */
  run(spec: InstanceSpec): Promise<void>;
  /** Starts shutting the instance down; resolves with the state it was in. */
  terminate(instanceId: string): Promise<NcInstance['state']>;
  reboot(instanceId: string): Promise<void>;
  state(instanceId: string): NcInstance | undefined;
  list(): NcInstance[];
  /** The console log so far (its last 64 KiB, as EC2 gives). */
  consoleOutput(instanceId: string): Promise<Buffer>;
  /** Makes a volume (its file, or its network export) visible in the instance's folder under its device name. */
  attachVolume(instanceId: string, device: string, source: VolumeSource): Promise<void>;
  detachVolume(instanceId: string, device: string): Promise<void>;
  /** The instance's public address and the ports forwarded to it from there, as they are now. */
  configureNetwork(instanceId: string, publicIp: string | undefined, ports: PortForward[]): Promise<void>;
  /** The running instance's root disk, as a file to read (bundling a Windows instance). */
  rootDisk(instanceId: string): Promise<string>;
  /** Stops every instance's background work (the node controller is stopping). */
  close(): Promise<void>;
}

export function notFound(instanceId: string): DriverError {
  return new DriverError(
    'InvalidInstanceID.NotFound',
    `The instance ID '${instanceId}' does not exist on this node`,
    404,
  );
}

/** An instance whose disks are staged in its folder, as a machine host boots it. */
export interface StagedInstance {
  spec: InstanceSpec;
  dir: string;
  /** The image's copy in its folder, or an EBS root volume. */
  root: DiskSource;
  kernel?: string;
  ramdisk?: string;
  ephemeral?: string;
  swap?: string;
  /** Volumes attached before it boots (EBS -b mappings), besides an EBS root. */
  volumes: { device: string; disk: DiskSource }[];
  /** Appends lines to the instance's console log. */
  console(lines: string[]): Promise<void>;
  log(line: string): void;
}

/** One booted machine. */
export interface Machine {
  reboot(): Promise<void>;
  /** Hot-plugs a volume (its file, or its network export) as the device. */
  attach(device: string, disk: DiskSource): Promise<void>;
  detach(device: string): Promise<void>;
  /**
   * Forwards these ports of the instance's public address to the guest (replacing what was);
   * answers those it could not (taken on this machine), which stay to be told again.
   */
  forward(publicIp: string | undefined, ports: PortForward[]): Promise<string[]>;
  /** Powers the machine off; resolves once it is gone. Quiet: the node is stopping, nothing goes on the console. */
  stop(quiet?: boolean): Promise<void>;
  /** Resolves (with why) when the machine ends by itself: the guest powered off, or the hypervisor died. */
  readonly ended: Promise<string>;
}

/** What runs machines: QEMU (with KVM or TCG) or the simulation. */
export interface MachineHost {
  /** HYPERVISOR: kvm, qemu or simulated. */
  readonly name: string;
  readonly overheadMiB: number;
  /** Boots a staged instance; resolves once the guest runs. `signal` aborts a boot in progress. */
  boot(inst: StagedInstance, signal: AbortSignal, firstBoot: boolean): Promise<Machine>;
}
