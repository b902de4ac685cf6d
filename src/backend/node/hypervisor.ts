/**
 * The hypervisor driver interface: what a node controller asks of whatever runs its VMs. A driver
 * owns its instances from RunInstance until they are forgotten after terminating; the node
 * controller only translates the wire protocol into these calls. This build ships the simulated
 * driver (simulated.ts); a libvirt driver would implement the same interface.
 */
import type { NcInstance, RunInstanceRequest } from '../../shared/nc-protocol';

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
  /** Accepts an instance (pending); staging its disks and booting go on in the background. */
  run(spec: InstanceSpec): Promise<void>;
  /** Starts shutting the instance down; resolves with the state it was in. */
  terminate(instanceId: string): Promise<NcInstance['state']>;
  reboot(instanceId: string): Promise<void>;
  state(instanceId: string): NcInstance | undefined;
  list(): NcInstance[];
  /** The console log so far (its last 64 KiB, as EC2 gives). */
  consoleOutput(instanceId: string): Promise<Buffer>;
  /** Makes a volume's file visible in the instance's folder under its device name. */
  attachVolume(instanceId: string, device: string, volumePath: string): Promise<void>;
  detachVolume(instanceId: string, device: string): Promise<void>;
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
