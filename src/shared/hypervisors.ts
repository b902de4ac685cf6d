/**
 * The hypervisor drivers a node controller of this build can run (HYPERVISOR in its
 * eucalyptus.conf): what euca_conf --hypervisor accepts and what eucalyptus-nc starts with.
 */
export const NODE_HYPERVISORS = ['simulated'] as const;
