/** The images domain's tables: registered images, their launch permissions and product codes, and deregistered ones. */
import { type SchemaPart } from '../../store/schema';

export const imagesSchema: SchemaPart = {
  domain: 'images',
  migrations: [
    `CREATE TABLE images (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       type TEXT NOT NULL CHECK (type IN ('machine', 'kernel', 'ramdisk')),
       location TEXT,
       name TEXT NOT NULL,
       description TEXT,
       architecture TEXT NOT NULL,
       kernel_id TEXT,
       ramdisk_id TEXT,
       platform TEXT,
       root_device_type TEXT NOT NULL DEFAULT 'instance-store',
       root_device_name TEXT NOT NULL DEFAULT '/dev/sda1',
       virtualization_type TEXT NOT NULL DEFAULT 'paravirtual',
       state TEXT NOT NULL,
       state_reason TEXT,
       size INTEGER,
       is_public INTEGER NOT NULL DEFAULT 0,
       block_device_mappings TEXT NOT NULL DEFAULT '[]',
       created TEXT NOT NULL,
       UNIQUE (account_id, name));
     CREATE INDEX images_account ON images(account_id);
     CREATE INDEX images_state ON images(state);
     CREATE TABLE image_launch_permissions (
       image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
       account_id TEXT NOT NULL,
       PRIMARY KEY (image_id, account_id));
     CREATE INDEX image_launch_permissions_account ON image_launch_permissions(account_id);
     CREATE TABLE image_product_codes (
       image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
       code TEXT NOT NULL,
       PRIMARY KEY (image_id, code));`,
    // The manifest as it was read at registration: the unbundling job reads that one or none.
    `ALTER TABLE images ADD COLUMN manifest_sha256 TEXT;`,
    // What was deregistered, and whose: asking for it again is InvalidAMIID.Unavailable, as EC2 answers.
    `CREATE TABLE deregistered_images (
       id TEXT PRIMARY KEY,
       account_id TEXT NOT NULL,
       deregistered TEXT NOT NULL);`,
  ],
};
