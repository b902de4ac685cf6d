/**
 * Making an account: its name checked and unused (also as an alias), the account and its `admin`
 * user created together. Shared by Euare's CreateAccount and the administrator's approval of an
 * account request (euca_conf --approve-account).
 */
import { ServiceError } from '../errors';
import { type Account, type CloudStore } from '../store/types';
import { ADMIN_USER } from './principals';
import type { IdentityStore } from './store';

export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9.-]{0,62}$/;

export async function checkAccountName(
  name: string,
  aliasOwner: (alias: string) => Promise<string | undefined>,
  store: CloudStore,
): Promise<void> {
  if (!ACCOUNT_NAME.test(name))
    throw new ServiceError('ValidationError', `Invalid AccountName: ${name} (lowercase letters, digits, . and -)`);
  if ((await store.findAccountByName(name)) || (await aliasOwner(name)))
    throw new ServiceError('EntityAlreadyExists', `Account ${name} already exists.`, 409);
}

/**
 * An account request approved: taken from the queue, its account and admin made, and the admin's
 * login profile set to the password chosen at sign-up (when it was made in the Dashboard).
 * Undefined when there is no such request.
 */
export async function approveAccountRequest(
  store: CloudStore,
  identity: IdentityStore,
  name: string,
): Promise<Account | undefined> {
  return store.transaction(async () => {
    const request = await identity.takeAccountRequest(name);
    if (!request) return undefined;
    const account = await createAccountWithAdmin(store, name, (alias) => identity.aliasOwner(alias));
    if (request.passwordHash) {
      const admin = await store.findUser(account.id, ADMIN_USER);
      await identity.setLoginProfile(admin!.id, request.passwordHash);
    }
    return account;
  });
}

/** The account and its admin, its name checked (and unused, also as an alias) in the same transaction. */
export async function createAccountWithAdmin(
  store: CloudStore,
  name: string,
  aliasOwner: (alias: string) => Promise<string | undefined>,
): Promise<Account> {
  return store.transaction(async () => {
    await checkAccountName(name, aliasOwner, store);
    const account = await store.createAccount(name);
    await store.createUser(account.id, ADMIN_USER);
    return account;
  });
}
