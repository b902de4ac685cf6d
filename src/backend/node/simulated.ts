/**
 * The simulated machine host (HYPERVISOR="simulated"): nothing boots. A boot writes the console
 * lines a kernel and init would, waits BOOT_DELAY_MS and runs; a reboot and a power-off print
 * theirs; a volume is attached as the link the instance folder already holds. For scale tests
 * and machines without QEMU. A Windows instance started with a keypair prints its encrypted
 * Administrator password (windows.ts).
 */
import * as fs from 'node:fs';
import type { Machine, MachineHost, StagedInstance } from './hypervisor';
import { diskLayout } from './instances';
import { passwordConsoleLines } from './windows';

const MiB = 1024 * 1024;

export class SimulatedMachines implements MachineHost {
  readonly name = 'simulated';
  readonly overheadMiB = 0;

  constructor(private readonly bootDelayMs: number) {}

  async boot(inst: StagedInstance, signal: AbortSignal, firstBoot: boolean): Promise<Machine> {
    const { spec } = inst;
    await inst.console(await bootLines(inst));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.bootDelayMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!signal.aborted) {
      if (spec.platform === 'windows') {
        // A Windows instance's first boot sets the Administrator password; it is readable only with the keypair.
        await inst.console([
          'Windows is ready to use',
          ...(firstBoot && spec.publicKey ? passwordConsoleLines(spec.publicKey) : []),
        ]);
      } else {
        await inst.console([
          `Starting OpenSSH server: sshd.`,
          '',
          `Ubuntu 9.04 ${spec.instanceId} ttyS0`,
          '',
          `${spec.instanceId} login: `,
        ]);
      }
    }
    return {
      ended: new Promise<string>(() => undefined),
      reboot: async () => {
        await inst.console(['The system is going down for reboot NOW!', 'Restarting system.', '']);
        await inst.console([...(await bootLines(inst)), `${spec.instanceId} login: `]);
      },
      // The volume is the link in the instance's folder: nothing more to do.
      attach: async () => undefined,
      detach: async () => undefined,
      forward: async () => [],
      stop: async (quiet = false) => {
        if (!quiet) await inst.console(['The system is going down for power off NOW!', 'Power down.']);
      },
    };
  }
}

/** What a kernel and init print while the instance boots. */
async function bootLines(inst: StagedInstance): Promise<string[]> {
  const { spec } = inst;
  // An EBS root is a volume, not part of the node's disk.
  const imageBytes = spec.volumes?.some((v) => v.root) ? 0 : (await fs.promises.stat(inst.root.file!)).size;
  const { ephemeral, swap } = diskLayout(spec, imageBytes);
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
