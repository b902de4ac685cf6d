/**
 * The cluster controller's tables: VM types, node controllers and the placements reserved on
 * them, the security group networks of the MANAGED modes, instance address leases, and the pool
 * of public addresses (elastic IPs and those given at boot).
 */
import { type SchemaPart } from '../store/schema';

export const clusterSchema: SchemaPart = {
  domain: 'cluster',
  migrations: [
    `CREATE TABLE vm_types (
       name TEXT PRIMARY KEY,
       position INTEGER NOT NULL,
       cpus INTEGER NOT NULL,
       memory_mib INTEGER NOT NULL,
       disk_gib INTEGER NOT NULL);
     INSERT INTO vm_types (name, position, cpus, memory_mib, disk_gib) VALUES
       ('m1.small', 1, 1, 128, 10), ('c1.medium', 2, 1, 256, 10), ('m1.large', 3, 2, 512, 10),
       ('m1.xlarge', 4, 2, 1024, 20), ('c1.xlarge', 5, 4, 2048, 20);
     CREATE TABLE nodes (
       host TEXT NOT NULL,
       port INTEGER NOT NULL,
       cluster TEXT NOT NULL,
       status TEXT NOT NULL CHECK (status IN ('enabled', 'unreachable')),
       registered TEXT NOT NULL,
       last_seen TEXT,
       capacity TEXT,
       PRIMARY KEY (host, port));
     CREATE INDEX nodes_cluster ON nodes(cluster);
     CREATE TABLE placements (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       host TEXT NOT NULL,
       port INTEGER NOT NULL,
       vm_type TEXT NOT NULL,
       cpus INTEGER NOT NULL,
       memory_mib INTEGER NOT NULL,
       disk_gib INTEGER NOT NULL,
       FOREIGN KEY (host, port) REFERENCES nodes(host, port) ON DELETE CASCADE);
     CREATE INDEX placements_node ON placements(host, port);
     CREATE TABLE group_networks (
       net_index INTEGER PRIMARY KEY,
       account_id TEXT NOT NULL,
       group_name TEXT NOT NULL,
       vlan INTEGER,
       UNIQUE (account_id, group_name));
     CREATE TABLE address_leases (
       private_ip TEXT PRIMARY KEY,
       mac TEXT NOT NULL,
       account_id TEXT NOT NULL,
       group_name TEXT NOT NULL,
       net_index INTEGER,
       instance_id TEXT);
     CREATE INDEX address_leases_group ON address_leases(account_id, group_name);
     CREATE INDEX address_leases_instance ON address_leases(instance_id);
     CREATE TABLE public_addresses (
       ip TEXT PRIMARY KEY,
       account_id TEXT,
       kind TEXT CHECK (kind IN ('elastic', 'boot')),
       instance_id TEXT,
       private_ip TEXT);
     CREATE INDEX public_addresses_account ON public_addresses(account_id);
     CREATE INDEX public_addresses_instance ON public_addresses(instance_id);`,
  ],
};
