/**
 * The hypervisor drivers a node controller of this build can run (HYPERVISOR in its
 * eucalyptus.conf): what euca_conf --hypervisor accepts and what eucalyptus-nc starts with.
 * kvm and qemu run real guests under qemu-system-x86_64 (with KVM, or TCG's emulation); simulated
 * boots nothing.
 */
export const NODE_HYPERVISORS = ['kvm', 'qemu', 'simulated'] as const;
