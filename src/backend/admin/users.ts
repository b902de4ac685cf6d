/**
 * The Dashboard's administrator tasks, from euca_conf: approving or rejecting account requests
 * (RequestAccount sign-ups), disabling and enabling a user (a disabled user's keys are refused
 * until enabled again), and resetting a user's password (stored as a scrypt hash only).
 */
import { CliError } from '../../shared/errors';
import { ServiceError } from '../errors';
import { approveAccountRequest } from '../iam/accounts';
import { hashPassword, IdentityStore } from '../iam/store';
import { type CloudPaths } from '../../shared/paths';
import { SqlStore } from '../store/sql-store';
import { cloudDatabase } from '../store/database';
import { type User } from '../store/types';

async function withIdentity<T>(
  paths: CloudPaths,
  fn: (store: SqlStore, identity: IdentityStore) => Promise<T>,
): Promise<T> {
  const store = await SqlStore.open(cloudDatabase(paths));
  try {
    return await fn(store, new IdentityStore(store.db));
  } finally {
    await store.close();
  }
}

async function findUser(store: SqlStore, accountName: string, userName: string): Promise<User> {
  const account = await store.findAccountByName(accountName);
  if (!account) throw new CliError('NoSuchEntity', `no account named ${accountName}`);
  const user = await store.findUser(account.id, userName);
  if (!user) throw new CliError('NoSuchEntity', `no user named ${userName} in account ${accountName}`);
  return user;
}

export async function setUserEnabled(
  paths: CloudPaths,
  accountName: string,
  userName: string,
  enabled: boolean,
): Promise<string> {
  return withIdentity(paths, async (store, identity) => {
    await identity.setUserEnabled((await findUser(store, accountName, userName)).id, enabled);
    const state = enabled ? 'enabled' : 'disabled: its access keys are refused until it is enabled again';
    return `user ${userName} of account ${accountName} ${state}`;
  });
}

export async function resetPassword(
  paths: CloudPaths,
  accountName: string,
  userName: string,
  password: string,
): Promise<string> {
  if (password.length < 6 || password.length > 128)
    throw new CliError('InvalidParameterValue', 'a password has 6 to 128 characters');
  return withIdentity(paths, async (store, identity) => {
    await identity.setLoginProfile((await findUser(store, accountName, userName)).id, await hashPassword(password));
    return `password of user ${userName} of account ${accountName} reset`;
  });
}

export async function listAccountRequests(paths: CloudPaths): Promise<string[]> {
  return withIdentity(paths, async (_, identity) =>
    (await identity.accountRequests()).map((r) => ['REQUEST', r.name, r.email, r.requested].join('\t')),
  );
}

export async function approveAccount(paths: CloudPaths, name: string): Promise<string> {
  return withIdentity(paths, (store, identity) =>
    store.transaction(async () => {
      try {
        const account = await approveAccountRequest(store, identity, name);
        if (!account)
          throw new CliError('NoSuchEntity', `no account request for ${name} (euca_conf --list-account-requests)`);
        return `${account.name}\t${account.id}`;
      } catch (e) {
        if (e instanceof ServiceError) throw new CliError('EntityAlreadyExists', e.message);
        throw e;
      }
    }),
  );
}

export async function rejectAccount(paths: CloudPaths, name: string): Promise<string> {
  return withIdentity(paths, async (_, identity) => {
    if (!(await identity.takeAccountRequest(name)))
      throw new CliError('NoSuchEntity', `no account request for ${name}`);
    return `account request for ${name} rejected`;
  });
}
