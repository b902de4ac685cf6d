/** The tags domain's table: each account's tags on the resources it owns. */
import { type SchemaPart } from '../../store/schema';

export const tagsSchema: SchemaPart = {
  domain: 'tags',
  migrations: [
    `CREATE TABLE tags (
       account_id TEXT NOT NULL,
       resource_id TEXT NOT NULL,
       resource_type TEXT NOT NULL,
       key TEXT NOT NULL,
       value TEXT NOT NULL DEFAULT '',
       PRIMARY KEY (account_id, resource_id, key));
     CREATE INDEX tags_key_value ON tags(account_id, key, value);
     CREATE INDEX tags_resource ON tags(resource_id);`,
  ],
};
