/** The instances domain's table: one row per instance, its reservation folded in. */
import { type SchemaPart } from '../../store/schema';

export const instancesSchema: SchemaPart = {
  domain: 'instances',
  migrations: [
    `CREATE TABLE instances (
       id TEXT PRIMARY KEY,
       reservation_id TEXT NOT NULL,
       account_id TEXT NOT NULL,
       image_id TEXT NOT NULL,
       kernel_id TEXT,
       ramdisk_id TEXT,
       platform TEXT,
       architecture TEXT NOT NULL,
       instance_type TEXT NOT NULL,
       key_name TEXT,
       launch_index INTEGER NOT NULL,
       state TEXT NOT NULL,
       state_reason TEXT,
       zone TEXT NOT NULL,
       node TEXT,
       placement_id INTEGER,
       private_ip TEXT,
       public_ip TEXT,
       mac TEXT,
       vlan INTEGER,
       group_id TEXT NOT NULL,
       group_name TEXT NOT NULL,
       user_data TEXT,
       addressing TEXT NOT NULL DEFAULT 'public',
       shutdown_behavior TEXT NOT NULL DEFAULT 'terminate',
       disable_api_termination INTEGER NOT NULL DEFAULT 0,
       client_token TEXT,
       password_data TEXT,
       launch_time TEXT NOT NULL,
       ended_time TEXT);
     CREATE INDEX instances_account ON instances(account_id, launch_time);
     CREATE INDEX instances_reservation ON instances(reservation_id);
     CREATE INDEX instances_state ON instances(state);
     CREATE INDEX instances_group ON instances(account_id, group_name);`,
    // EBS-backed instances: the root device's type and name.
    `ALTER TABLE instances ADD COLUMN root_device_type TEXT;
     ALTER TABLE instances ADD COLUMN root_device_name TEXT;`,
    // RunInstances with a client token is idempotent: the launch a token made is found by it.
    `CREATE INDEX instances_client_token ON instances(account_id, client_token) WHERE client_token IS NOT NULL;`,
    // Two launches with one token at once: the second one's first instance is refused by the
    // database, and it answers the first one's reservation.
    `CREATE UNIQUE INDEX instances_client_token_once ON instances(account_id, client_token, launch_index)
       WHERE client_token IS NOT NULL;`,
    // EC2's StateTransitionReason, beside the StateReason.
    `ALTER TABLE instances ADD COLUMN transition_reason TEXT;`,
  ],
};
