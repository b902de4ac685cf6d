/**
 * The hypervisor drivers a node controller of this build can run (HYPERVISOR in its
 * eucalyptus.conf): what euca_conf --hypervisor accepts and what eucalyptus-nc starts with.
 * kvm and qemu run real guests under qemu-system-x86_64 (with KVM, or TCG's emulation); simulated
 * boots nothing.
 */
export const NODE_HYPERVISORS = ['kvm', 'qemu', 'simulated'] as const;

/** What a running node's driver means, for status lines and the zone view. */
export function describeHypervisor(name: string): string {
  switch (name) {
    case 'kvm':
      return 'kvm (QEMU with KVM)';
    case 'qemu':
      return 'qemu (QEMU with TCG, software emulation)';
    case 'simulated':
      return 'simulated (instances are not booted)';
    default:
      return name;
  }
}
