/**
 * Euare, the identity service, apart from the wire: accounts (the cloud administrator's), aliases,
 * users, groups, their inline policies, access keys, login profiles and signing certificates, and
 * the unsigned account sign-up. Every method takes the scope it acts in — the principal asking
 * and the account it acts on (its own, or for the cloud administrator a delegated one) — and
 * typed arguments; the rules live here, one function each (deleting a user is `deleteUser`).
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { createCertificate, generateRsaKeyPair } from '../../shared/pki';
import { ServiceError } from '../errors';
import * as ids from '../ids';
import type { Account, AccessKey, CloudStore, Principal, User } from '../store/types';
import { approveAccountRequest, checkAccountName, createAccountWithAdmin } from './accounts';
import type { Origin } from './enforce';
import { parsePolicy } from './policy';
import { ADMIN_USER, CLOUD_ACCOUNT, isCloudAdmin } from './principals';
import { type Certificate, type Group, hashPassword, type IdentityStore, type PolicyOwnerKind } from './store';

export const noSuch = (what: string, name: string) =>
  new ServiceError('NoSuchEntity', `The ${what} with name ${name} cannot be found.`, 404);
const exists = (what: string, name: string) =>
  new ServiceError('EntityAlreadyExists', `${what} ${name} already exists.`, 409);
const conflict = (msg: string) => new ServiceError('DeleteConflict', msg, 409);
export const invalid = (msg: string) => new ServiceError('ValidationError', msg);

const NAME = /^[\w+=,.@-]{1,64}$/;

function checkName(param: string, v: string): string {
  if (!NAME.test(v)) throw invalid(`Invalid ${param}: ${v} (up to 64 letters, digits and +=,.@_-)`);
  return v;
}

function checkPath(param: string, v: string): string {
  if (!/^\/([\x21-\x7e]*\/)?$/.test(v) || v.length > 512)
    throw invalid(`Invalid ${param}: ${v} (a path starts and ends with /)`);
  return v;
}

function checkStatus(s: string): string {
  if (s !== 'Active' && s !== 'Inactive') throw invalid(`Invalid Status: ${s} (Active or Inactive)`);
  return s;
}

function checkPolicyName(v: string): string {
  if (!/^[\w+=,.@-]{1,128}$/.test(v)) throw invalid(`Invalid PolicyName: ${v} (up to 128 letters, digits and +=,.@_-)`);
  return v;
}

/** A password: 6 to 128 characters (as euca_conf --reset-password asks). */
function checkPassword(p: string): string {
  if (p.length < 6) throw invalid('The password is shorter than 6 characters.');
  if (p.length > 128) throw invalid('The password is longer than 128 characters.');
  return p;
}

/** Who asks, and the account they act on: their own, or (the cloud administrator's) a delegated one. */
export interface Scope {
  principal: Principal;
  account: Account;
}

export interface IdentityServiceDeps {
  store: CloudStore;
  identity: IdentityStore;
  /** The cloud's CA (certificate and key files), which signs the certificates it makes. */
  caCertFile: string;
  caKeyFile: string;
}

/** At most this many sign-ups wait for the administrator at a time, and this many from one address. */
const MAX_ACCOUNT_REQUESTS = 1000;
export const MAX_ACCOUNT_REQUESTS_PER_SOURCE = 5;
/** A sign-up nobody approved within this long is forgotten (its name free again). */
export const ACCOUNT_REQUEST_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export class IdentityService {
  constructor(private readonly d: IdentityServiceDeps) {}

  /** The scope of a request: the principal's account, or DelegateAccount for the cloud administrator. */
  async scope(principal: Principal, delegate?: string): Promise<Scope> {
    if (!delegate) return { principal, account: principal.account };
    this.requireCloudAdmin(principal);
    const found = await this.findAccount(delegate);
    if (!found) throw noSuch('account', delegate);
    return { principal, account: found };
  }

  // Accounts

  async createAccount(p: Principal, name: string): Promise<Account> {
    this.requireCloudAdmin(p);
    return createAccountWithAdmin(this.d.store, name, (alias) => this.d.identity.aliasOwner(alias));
  }

  async deleteAccount(p: Principal, name: string, recursive: boolean): Promise<void> {
    this.requireCloudAdmin(p);
    const target = await this.findAccount(name);
    if (!target) throw noSuch('account', name);
    if (target.name === CLOUD_ACCOUNT) throw conflict('The eucalyptus account cannot be deleted.');
    const id = this.d.identity;
    const others = (await id.listUsers(target.id)).filter((u) => u.name !== ADMIN_USER);
    if (!recursive && (others.length || (await id.listGroups(target.id)).length))
      throw conflict(`Account ${target.name} still has users or groups; delete them first, or delete recursively.`);
    await id.deleteAccount(target.id);
  }

  async listAccounts(p: Principal): Promise<Account[]> {
    this.requireCloudAdmin(p);
    return this.d.identity.listAccounts();
  }

  async createAlias(s: Scope, alias: string): Promise<void> {
    if (!/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/.test(alias) || alias.length < 3 || alias.length > 63)
      throw invalid(`Invalid AccountAlias: ${alias}`);
    // Checked and set in one transaction: an account of that name cannot appear in between.
    await this.d.identity.transaction(async () => {
      const owner = await this.d.identity.aliasOwner(alias);
      const byName = await this.d.store.findAccountByName(alias);
      if ((owner && owner !== s.account.id) || (byName && byName.id !== s.account.id)) throw exists('Alias', alias);
      await this.d.identity.setAlias(s.account.id, alias);
    });
  }

  async deleteAlias(s: Scope, alias: string): Promise<void> {
    if (!(await this.d.identity.deleteAlias(s.account.id, alias))) throw noSuch('alias', alias);
  }

  async aliases(s: Scope): Promise<string[]> {
    return this.d.identity.aliases(s.account.id);
  }

  /** The account's counts and quotas (GetAccountSummary). */
  async summary(s: Scope): Promise<Record<string, number>> {
    return {
      ...(await this.d.identity.counts(s.account.id)),
      UsersQuota: 5000,
      GroupsQuota: 100,
      GroupsPerUserQuota: 10,
    };
  }

  // Users

  /** A user of the scope's account by name. */
  async user(s: Scope, name: string): Promise<User> {
    const user = await this.d.store.findUser(s.account.id, name);
    if (!user) throw noSuch('user', name);
    return user;
  }

  /** The user named, or (none named) the principal itself. */
  async subject(s: Scope, name?: string): Promise<User> {
    return name ? this.user(s, name) : s.principal.user;
  }

  async createUser(s: Scope, name: string, path = '/'): Promise<User> {
    checkName('UserName', name);
    if (await this.d.store.findUser(s.account.id, name)) throw exists('User', name);
    return this.d.store.createUser(s.account.id, name, checkPath('Path', path));
  }

  /** Whether a user may act (euca_conf --disable-user and Eucalyptus' UpdateUser Enabled turn it off). */
  enabled(user: User): Promise<boolean> {
    return this.d.identity.userEnabled(user.id);
  }

  /**
   * Renames or moves a user, and Eucalyptus' extras: Enabled turns the user on or off (never the
   * account's admin off); RegStatus is always CONFIRMED here; PasswordExpiration is refused, as
   * passwords here do not expire.
   */
  async updateUser(
    s: Scope,
    name: string,
    change: { newName?: string; newPath?: string; enabled?: boolean; regStatus?: string; passwordExpiration?: string },
  ): Promise<void> {
    const user = await this.user(s, name);
    if (change.passwordExpiration !== undefined)
      throw new ServiceError('Unsupported', 'This cloud does not support password expiration (PasswordExpiration).');
    if (change.regStatus !== undefined && change.regStatus !== 'CONFIRMED')
      throw new ServiceError(
        'Unsupported',
        `Users here are always CONFIRMED; registration status ${change.regStatus} is not supported (RegStatus).`,
      );
    if (change.enabled === false && user.name === ADMIN_USER) throw conflict('The admin user cannot be disabled.');
    const newName = change.newName ? checkName('NewUserName', change.newName) : user.name;
    const newPath = change.newPath !== undefined ? checkPath('NewPath', change.newPath) : user.path;
    if (newName !== user.name && (await this.d.store.findUser(user.accountId, newName))) throw exists('User', newName);
    if (user.name === ADMIN_USER && newName !== ADMIN_USER) throw conflict('The admin user cannot be renamed.');
    await this.d.identity.updateUser(user.id, newName, newPath);
    if (change.enabled !== undefined) await this.d.identity.setUserEnabled(user.id, change.enabled);
  }

  /**
   * Deletes a user: never an account's admin; unless recursive, only one with nothing left
   * (policies, access keys, signing certificates, login profile, group memberships).
   */
  async deleteUser(s: Scope, name: string, recursive: boolean): Promise<void> {
    const user = await this.user(s, name);
    if (user.name === ADMIN_USER) throw conflict('The admin user cannot be deleted.');
    const id = this.d.identity;
    if (!recursive) {
      if ((await id.policyNames('user', user.id)).length)
        throw conflict('Cannot delete entity, must delete policies first.');
      if ((await this.d.store.listAccessKeys(user.id)).length)
        throw conflict('Cannot delete entity, must delete access keys first.');
      if ((await id.certificates(user.id)).length)
        throw conflict('Cannot delete entity, must delete signing certificates first.');
      if (await id.loginProfile(user.id)) throw conflict('Cannot delete entity, must delete login profile first.');
      if ((await id.groupsForUser(user.id)).length)
        throw conflict('Cannot delete entity, must remove users from group first.');
    }
    await id.deleteUser(user.id);
  }

  async listUsers(s: Scope, pathPrefix = '/'): Promise<User[]> {
    return this.d.identity.listUsers(s.account.id, checkPath('PathPrefix', pathPrefix));
  }

  // Groups

  async group(s: Scope, name: string): Promise<Group> {
    const group = await this.d.identity.findGroup(s.account.id, name);
    if (!group) throw noSuch('group', name);
    return group;
  }

  async createGroup(s: Scope, name: string, path = '/'): Promise<Group> {
    checkName('GroupName', name);
    if (await this.d.identity.findGroup(s.account.id, name)) throw exists('Group', name);
    return this.d.identity.createGroup(s.account.id, name, checkPath('Path', path));
  }

  async updateGroup(s: Scope, name: string, change: { newName?: string; newPath?: string }): Promise<void> {
    const group = await this.group(s, name);
    const newName = change.newName ? checkName('NewGroupName', change.newName) : group.name;
    const newPath = change.newPath !== undefined ? checkPath('NewPath', change.newPath) : group.path;
    const clash = await this.d.identity.findGroup(group.accountId, newName);
    if (clash && clash.id !== group.id) throw exists('Group', newName);
    await this.d.identity.updateGroup(group.id, newName, newPath);
  }

  async deleteGroup(s: Scope, name: string, recursive: boolean): Promise<void> {
    const group = await this.group(s, name);
    if (!recursive) {
      if ((await this.d.identity.members(group.id)).length)
        throw conflict('Cannot delete entity, must remove users from group first.');
      if ((await this.d.identity.policyNames('group', group.id)).length)
        throw conflict('Cannot delete entity, must delete policies first.');
    }
    await this.d.identity.deleteGroup(group.id);
  }

  async listGroups(s: Scope, pathPrefix = '/'): Promise<Group[]> {
    return this.d.identity.listGroups(s.account.id, checkPath('PathPrefix', pathPrefix));
  }

  async addUserToGroup(s: Scope, groupName: string, userName: string): Promise<void> {
    const group = await this.group(s, groupName);
    await this.d.identity.addMember(group.id, (await this.user(s, userName)).id);
  }

  async removeUserFromGroup(s: Scope, groupName: string, userName: string): Promise<void> {
    const group = await this.group(s, groupName);
    const user = await this.user(s, userName);
    if (!(await this.d.identity.removeMember(group.id, user.id)))
      throw new ServiceError('NoSuchEntity', `User ${user.name} is not in group ${group.name}.`, 404);
  }

  async members(group: Group): Promise<User[]> {
    return this.d.identity.members(group.id);
  }

  async groupsForUser(s: Scope, userName: string): Promise<Group[]> {
    return this.d.identity.groupsForUser((await this.user(s, userName)).id);
  }

  // Policies, inline on users and groups

  private async policyOwner(s: Scope, kind: PolicyOwnerKind, ownerName: string) {
    const owner = kind === 'user' ? await this.user(s, ownerName) : await this.group(s, ownerName);
    return { id: owner.id, name: owner.name };
  }

  async putPolicy(s: Scope, kind: PolicyOwnerKind, ownerName: string, name: string, document: string): Promise<void> {
    const owner = await this.policyOwner(s, kind, ownerName);
    checkPolicyName(name);
    parsePolicy(document, { owner: kind, ownerName: owner.name });
    await this.d.identity.putPolicy(kind, owner.id, name, document);
  }

  async policy(
    s: Scope,
    kind: PolicyOwnerKind,
    ownerName: string,
    name: string,
  ): Promise<{ owner: string; document: string }> {
    const owner = await this.policyOwner(s, kind, ownerName);
    checkPolicyName(name);
    const document = await this.d.identity.policy(kind, owner.id, name);
    if (document === undefined) throw noSuch('policy', name);
    return { owner: owner.name, document };
  }

  async policyNames(s: Scope, kind: PolicyOwnerKind, ownerName: string): Promise<string[]> {
    return this.d.identity.policyNames(kind, (await this.policyOwner(s, kind, ownerName)).id);
  }

  async deletePolicy(s: Scope, kind: PolicyOwnerKind, ownerName: string, name: string): Promise<void> {
    const owner = await this.policyOwner(s, kind, ownerName);
    checkPolicyName(name);
    if (!(await this.d.identity.deletePolicy(kind, owner.id, name))) throw noSuch('policy', name);
  }

  // Access keys

  async createAccessKey(s: Scope, userName?: string): Promise<{ user: User; key: AccessKey }> {
    const user = await this.subject(s, userName);
    // Counted and created in one transaction: two requests at once cannot pass the quota together.
    const key = await this.d.store.transaction(async () => {
      if ((await this.d.store.listAccessKeys(user.id)).length >= 2)
        throw new ServiceError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: 2`, 409);
      return this.d.store.createAccessKey(user.id);
    });
    return { user, key };
  }

  private async userKey(s: Scope, userName: string | undefined, keyId: string): Promise<AccessKey> {
    const user = await this.subject(s, userName);
    const key = await this.d.identity.findKey(user.id, keyId);
    if (!key) throw new ServiceError('NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`, 404);
    return key;
  }

  async deleteAccessKey(s: Scope, userName: string | undefined, keyId: string): Promise<void> {
    await this.d.identity.deleteKey((await this.userKey(s, userName, keyId)).id);
  }

  async updateAccessKey(s: Scope, userName: string | undefined, keyId: string, status: string): Promise<void> {
    checkStatus(status);
    await this.d.identity.setKeyStatus((await this.userKey(s, userName, keyId)).id, status);
  }

  async accessKeys(s: Scope, userName?: string): Promise<{ user: User; keys: AccessKey[] }> {
    const user = await this.subject(s, userName);
    return { user, keys: await this.d.store.listAccessKeys(user.id) };
  }

  // Login profiles

  async loginProfile(s: Scope, userName: string): Promise<{ user: User; created: string }> {
    const user = await this.user(s, userName);
    const p = await this.d.identity.loginProfile(user.id);
    if (!p) throw new ServiceError('NoSuchEntity', `Login profile for user ${user.name} cannot be found.`, 404);
    return { user, created: p.created };
  }

  async createLoginProfile(s: Scope, userName: string, password: string): Promise<{ user: User; created: string }> {
    const user = await this.user(s, userName);
    if (await this.d.identity.loginProfile(user.id)) throw exists('Login profile for user', user.name);
    await this.d.identity.setLoginProfile(user.id, await hashPassword(checkPassword(password)));
    return this.loginProfile(s, userName);
  }

  async updateLoginProfile(s: Scope, userName: string, password?: string): Promise<void> {
    const { user } = await this.loginProfile(s, userName);
    if (password !== undefined)
      await this.d.identity.setLoginProfile(user.id, await hashPassword(checkPassword(password)));
  }

  async deleteLoginProfile(s: Scope, userName: string): Promise<void> {
    const user = await this.user(s, userName);
    if (!(await this.d.identity.deleteLoginProfile(user.id)))
      throw new ServiceError('NoSuchEntity', `Login profile for user ${user.name} cannot be found.`, 404);
  }

  // Signing certificates

  async uploadCertificate(
    s: Scope,
    userName: string | undefined,
    body: string,
  ): Promise<{ user: User; cert: Certificate }> {
    const user = await this.subject(s, userName);
    try {
      new X509Certificate(body);
    } catch {
      throw new ServiceError('MalformedCertificate', 'The certificate body is not a valid PEM X.509 certificate.');
    }
    const norm = (x: string) => x.replace(/\s+/g, '');
    if ((await this.d.identity.certificates(user.id)).some((c) => norm(c.pem) === norm(body)))
      throw new ServiceError('DuplicateCertificate', 'The certificate is already uploaded.', 409);
    const id = ids.certificateId();
    await this.d.store.addCertificate(user.id, id, body.replace(/\r\n/g, '\n').trim() + '\n');
    return { user, cert: (await this.d.identity.findCertificate(user.id, id))! };
  }

  /** A new certificate the cloud's CA signs, with its private key (handed out once, kept nowhere). */
  async createCertificate(
    s: Scope,
    userName?: string,
  ): Promise<{ user: User; cert: Certificate; privateKeyPem: string }> {
    const user = await this.subject(s, userName);
    const ca = {
      certPem: fs.readFileSync(this.d.caCertFile, 'utf8'),
      privateKeyPem: fs.readFileSync(this.d.caKeyFile, 'utf8'),
    };
    const account = (await this.d.store.findAccount(user.accountId))!;
    const pair = generateRsaKeyPair();
    const lf = (x: string) => x.replace(/\r\n/g, '\n');
    const pem = lf(
      createCertificate({
        subject: { C: 'US', ST: 'CA', L: 'Santa Barbara', O: 'Eucalyptus', OU: account.name, CN: user.name },
        publicKeyPem: pair.publicKeyPem,
        issuer: ca,
      }),
    );
    const id = ids.certificateId();
    await this.d.store.addCertificate(user.id, id, pem);
    const cert = (await this.d.identity.findCertificate(user.id, id))!;
    return { user, cert, privateKeyPem: lf(pair.privateKeyPem) };
  }

  private async userCert(s: Scope, userName: string | undefined, certId: string): Promise<Certificate> {
    const user = await this.subject(s, userName);
    const cert = await this.d.identity.findCertificate(user.id, certId);
    if (!cert) throw new ServiceError('NoSuchEntity', `The Certificate with id ${certId} cannot be found.`, 404);
    return cert;
  }

  async deleteCertificate(s: Scope, userName: string | undefined, certId: string): Promise<void> {
    await this.d.identity.deleteCertificate((await this.userCert(s, userName, certId)).id);
  }

  async updateCertificate(s: Scope, userName: string | undefined, certId: string, status: string): Promise<void> {
    checkStatus(status);
    await this.d.identity.setCertificateStatus((await this.userCert(s, userName, certId)).id, status);
  }

  async certificates(s: Scope, userName?: string): Promise<{ user: User; certs: Certificate[] }> {
    const user = await this.subject(s, userName);
    return { user, certs: await this.d.identity.certificates(user.id) };
  }

  /**
   * RequestAccount (unsigned, as the Dashboard's sign-up form): asks for an account; the cloud
   * administrator approves it (euca_conf --approve-account), which creates it, or rejects it.
   * Unsigned, so bounded: a few waiting per source address, and none waits longer than a week.
   */
  async requestAccount(name: string, email: string, origin: Origin = {}, password?: string): Promise<void> {
    if (!name || !email) throw invalid('RequestAccount needs AccountName and Email');
    if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email)) throw invalid(`Invalid Email: ${email}`);
    const identity = this.d.identity;
    await checkAccountName(name, (alias) => identity.aliasOwner(alias), this.d.store);
    const source = origin.sourceIp ?? '';
    const busy = () =>
      new ServiceError(
        'LimitExceeded',
        'Too many account requests are waiting for the administrator; try again later.',
        409,
      );
    // Refused before the costly hash when this address has its share waiting already.
    if ((await identity.accountRequestsFrom(source)) >= MAX_ACCOUNT_REQUESTS_PER_SOURCE) throw busy();
    // The Dashboard's form: the admin's password, kept as its scrypt hash until approval.
    const passwordHash = password === undefined ? undefined : await hashPassword(checkPassword(password));
    // Counted and added in one transaction: a burst of sign-ups cannot pass the limits together.
    await identity.transaction(async () => {
      await identity.expireAccountRequests(new Date(Date.now() - ACCOUNT_REQUEST_LIFETIME_MS).toISOString());
      if ((await identity.accountRequestsFrom(source)) >= MAX_ACCOUNT_REQUESTS_PER_SOURCE) throw busy();
      if ((await identity.accountRequests()).length >= MAX_ACCOUNT_REQUESTS) throw busy();
      if (!(await identity.addAccountRequest(name, email, source, passwordHash))) throw exists('Account request', name);
    });
  }

  /** The sign-ups waiting for the cloud administrator. */
  async accountRequests(p: Principal): Promise<{ name: string; email: string; requested: string }[]> {
    this.requireCloudAdmin(p);
    return this.d.identity.accountRequests();
  }

  /** Approves a sign-up (euca_conf --approve-account does the same): the account and its admin. */
  async approveAccountRequest(p: Principal, name: string): Promise<Account> {
    this.requireCloudAdmin(p);
    const account = await approveAccountRequest(this.d.store, this.d.identity, name);
    if (!account) throw noSuch('account request', name);
    return account;
  }

  async rejectAccountRequest(p: Principal, name: string): Promise<void> {
    this.requireCloudAdmin(p);
    if (!(await this.d.identity.takeAccountRequest(name))) throw noSuch('account request', name);
  }

  /**
   * Who a Dashboard log-in is: the account (by name, alias or ID), its enabled user, and the
   * password checked against the user's login profile (its scrypt hash). Undefined for any
   * mismatch, the same answer whatever did not match.
   */
  async passwordLogin(accountName: string, userName: string, password: string): Promise<Principal | undefined> {
    const account = accountName ? await this.findAccount(accountName) : undefined;
    const user = account && (await this.d.store.findUser(account.id, userName));
    // The same scrypt work whether or not the account and user exist.
    const matches = await this.d.identity.checkPassword(user?.id, password);
    if (!account || !user || !password || !matches) return undefined;
    if (!(await this.d.identity.userEnabled(user.id))) return undefined;
    return { account, user, accessKeyId: '' };
  }

  /** The account a name, alias or ID stands for (the log-in throttle counts by it). */
  async accountIdOf(nameOrId: string): Promise<string | undefined> {
    return (await this.findAccount(nameOrId))?.id;
  }

  /**
   * The principal a Dashboard session stands for, while its user exists, is enabled, and has not
   * had its password set since the session began.
   */
  async sessionPrincipal(accountId: string, userId: string, since: number): Promise<Principal | undefined> {
    const account = await this.d.store.findAccount(accountId);
    const user = account && (await this.d.store.findUserById(userId));
    if (!account || !user || user.accountId !== account.id) return undefined;
    if (!(await this.d.identity.userEnabled(user.id))) return undefined;
    const set = await this.d.identity.passwordSet(user.id);
    if (!set || Date.parse(set) > since) return undefined;
    return { account, user, accessKeyId: '' };
  }

  private async findAccount(nameOrId: string): Promise<Account | undefined> {
    const s = this.d.store;
    const aliased = await this.d.identity.aliasOwner(nameOrId);
    return (
      (await s.findAccountByName(nameOrId)) ??
      (await s.findAccount(nameOrId)) ??
      (aliased ? await s.findAccount(aliased) : undefined)
    );
  }

  private requireCloudAdmin(p: Principal): void {
    if (!isCloudAdmin({ principal: p }))
      throw new ServiceError('AccessDenied', 'Only the cloud administrator may do this.', 403);
  }
}
