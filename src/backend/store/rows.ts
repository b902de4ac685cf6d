/**
 * The core tables' rows as the stores read them (users, access keys), and their mapping to the
 * records the services see: written once, for the cloud store and Euare's store alike.
 */
import type { AccessKey, User } from './types';

/** A row of users. */
export interface UserRow {
  id: string;
  account_id: string;
  name: string;
  path: string;
  created: string;
  enabled: number;
}

/** A row of access_keys. */
export interface AccessKeyRow {
  id: string;
  secret: string;
  user_id: string;
  status: AccessKey['status'];
  created: string;
}

export const toUser = (r: Pick<UserRow, 'id' | 'account_id' | 'name' | 'path' | 'created'>): User => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  path: r.path,
  created: r.created,
});

export const toKey = (r: AccessKeyRow): AccessKey => ({
  id: r.id,
  secret: r.secret,
  userId: r.user_id,
  status: r.status,
  created: r.created,
});
