/**
 * The Dashboard's administrator tasks, from euca_conf: approving or rejecting account requests
 * (RequestAccount sign-ups), disabling and enabling a user (a disabled user's keys are refused
 * until enabled again), and resetting a user's password (stored as a scrypt hash only).
 */
import { CliError } from '../../shared/errors';
import { checkAccountName, createAccountWithAdmin } from '../iam/accounts';
import { hashPassword, IdentityStore } from '../iam/store';
import { type CloudPaths } from '../../shared/paths';
import { SqliteStore } from '../store/sqlite';
import { type User } from '../store/types';

function withIdentity<T>(paths: CloudPaths, fn: (store: SqliteStore, identity: IdentityStore) => T): T {
  const store = new SqliteStore(paths.db);
  try {
    return fn(store, new IdentityStore(store.db));
  } finally {
    store.close();
  }
}

function findUser(store: SqliteStore, accountName: string, userName: string): User {
  const account = store.findAccountByName(accountName);
  if (!account) throw new CliError('NoSuchEntity', `no account named ${accountName}`);
  const user = store.findUser(account.id, userName);
  if (!user) throw new CliError('NoSuchEntity', `no user named ${userName} in account ${accountName}`);
  return user;
}

export function setUserEnabled(paths: CloudPaths, accountName: string, userName: string, enabled: boolean): string {
  return withIdentity(paths, (store, identity) => {
    identity.setUserEnabled(findUser(store, accountName, userName).id, enabled);
    const state = enabled ? 'enabled' : 'disabled: its access keys are refused until it is enabled again';
    return `user ${userName} of account ${accountName} ${state}`;
  });
}

export function resetPassword(paths: CloudPaths, accountName: string, userName: string, password: string): string {
  if (password.length < 6 || password.length > 128)
    throw new CliError('InvalidParameterValue', 'a password has 6 to 128 characters');
  return withIdentity(paths, (store, identity) => {
    identity.setLoginProfile(findUser(store, accountName, userName).id, hashPassword(password));
    return `password of user ${userName} of account ${accountName} reset`;
  });
}

export function listAccountRequests(paths: CloudPaths): string[] {
  return withIdentity(paths, (_, identity) =>
    identity.accountRequests().map((r) => ['REQUEST', r.name, r.email, r.requested].join('\t')),
  );
}

export function approveAccount(paths: CloudPaths, name: string): string {
  return withIdentity(paths, (store, identity) =>
    store.transaction(() => {
      if (!identity.removeAccountRequest(name))
        throw new CliError('NoSuchEntity', `no account request for ${name} (euca_conf --list-account-requests)`);
      try {
        checkAccountName(name, (alias) => identity.aliasOwner(alias), store);
      } catch (e) {
        throw new CliError('EntityAlreadyExists', (e as Error).message);
      }
      const account = createAccountWithAdmin(store, name);
      return `${account.name}\t${account.id}`;
    }),
  );
}

export function rejectAccount(paths: CloudPaths, name: string): string {
  return withIdentity(paths, (_, identity) => {
    if (!identity.removeAccountRequest(name)) throw new CliError('NoSuchEntity', `no account request for ${name}`);
    return `account request for ${name} rejected`;
  });
}
