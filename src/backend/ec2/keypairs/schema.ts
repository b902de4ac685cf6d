/** The key pairs domain's table: each account's key pairs, public half only. */
import { type SchemaPart } from '../../store/schema';

export const keypairsSchema: SchemaPart = {
  domain: 'keypairs',
  migrations: [
    `CREATE TABLE keypairs (
       account_id TEXT NOT NULL,
       name TEXT NOT NULL,
       fingerprint TEXT NOT NULL,
       public_key_openssh TEXT NOT NULL,
       created TEXT NOT NULL,
       PRIMARY KEY (account_id, name));`,
  ],
};
