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
import { checkAccountName, createAccountWithAdmin } from './accounts';
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

function checkPassword(p: string): string {
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
  scope(principal: Principal, delegate?: string): Scope {
    if (!delegate) return { principal, account: principal.account };
    this.requireCloudAdmin(principal);
    const found = this.findAccount(delegate);
    if (!found) throw noSuch('account', delegate);
    return { principal, account: found };
  }

  // Accounts

  createAccount(p: Principal, name: string): Account {
    this.requireCloudAdmin(p);
    checkAccountName(name, (alias) => this.d.identity.aliasOwner(alias), this.d.store);
    return createAccountWithAdmin(this.d.store, name);
  }

  deleteAccount(p: Principal, name: string, recursive: boolean): void {
    this.requireCloudAdmin(p);
    const target = this.findAccount(name);
    if (!target) throw noSuch('account', name);
    if (target.name === CLOUD_ACCOUNT) throw conflict('The eucalyptus account cannot be deleted.');
    const id = this.d.identity;
    const others = id.listUsers(target.id).filter((u) => u.name !== ADMIN_USER);
    if (!recursive && (others.length || id.listGroups(target.id).length))
      throw conflict(`Account ${target.name} still has users or groups; delete them first, or delete recursively.`);
    id.deleteAccount(target.id);
  }

  listAccounts(p: Principal): Account[] {
    this.requireCloudAdmin(p);
    return this.d.identity.listAccounts();
  }

  createAlias(s: Scope, alias: string): void {
    if (!/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/.test(alias) || alias.length < 3 || alias.length > 63)
      throw invalid(`Invalid AccountAlias: ${alias}`);
    const owner = this.d.identity.aliasOwner(alias);
    const byName = this.d.store.findAccountByName(alias);
    if ((owner && owner !== s.account.id) || (byName && byName.id !== s.account.id)) throw exists('Alias', alias);
    this.d.identity.setAlias(s.account.id, alias);
  }

  deleteAlias(s: Scope, alias: string): void {
    if (!this.d.identity.deleteAlias(s.account.id, alias)) throw noSuch('alias', alias);
  }

  aliases(s: Scope): string[] {
    return this.d.identity.aliases(s.account.id);
  }

  /** The account's counts and quotas (GetAccountSummary). */
  summary(s: Scope): Record<string, number> {
    return { ...this.d.identity.counts(s.account.id), UsersQuota: 5000, GroupsQuota: 100, GroupsPerUserQuota: 10 };
  }

  // Users

  /** A user of the scope's account by name. */
  user(s: Scope, name: string): User {
    const user = this.d.store.findUser(s.account.id, name);
    if (!user) throw noSuch('user', name);
    return user;
  }

  /** The user named, or (none named) the principal itself. */
  subject(s: Scope, name?: string): User {
    return name ? this.user(s, name) : s.principal.user;
  }

  createUser(s: Scope, name: string, path = '/'): User {
    checkName('UserName', name);
    if (this.d.store.findUser(s.account.id, name)) throw exists('User', name);
    return this.d.store.createUser(s.account.id, name, checkPath('Path', path));
  }

  updateUser(s: Scope, name: string, change: { newName?: string; newPath?: string }): void {
    const user = this.user(s, name);
    const newName = change.newName ? checkName('NewUserName', change.newName) : user.name;
    const newPath = change.newPath !== undefined ? checkPath('NewPath', change.newPath) : user.path;
    if (newName !== user.name && this.d.store.findUser(user.accountId, newName)) throw exists('User', newName);
    if (user.name === ADMIN_USER && newName !== ADMIN_USER) throw conflict('The admin user cannot be renamed.');
    this.d.identity.updateUser(user.id, newName, newPath);
  }

  /**
   * Deletes a user: never an account's admin; unless recursive, only one with nothing left
   * (policies, access keys, signing certificates, login profile, group memberships).
   */
  deleteUser(s: Scope, name: string, recursive: boolean): void {
    const user = this.user(s, name);
    if (user.name === ADMIN_USER) throw conflict('The admin user cannot be deleted.');
    const id = this.d.identity;
    if (!recursive) {
      if (id.policyNames('user', user.id).length) throw conflict('Cannot delete entity, must delete policies first.');
      if (this.d.store.listAccessKeys(user.id).length)
        throw conflict('Cannot delete entity, must delete access keys first.');
      if (id.certificates(user.id).length)
        throw conflict('Cannot delete entity, must delete signing certificates first.');
      if (id.loginProfile(user.id)) throw conflict('Cannot delete entity, must delete login profile first.');
      if (id.groupsForUser(user.id).length) throw conflict('Cannot delete entity, must remove users from group first.');
    }
    id.deleteUser(user.id);
  }

  listUsers(s: Scope, pathPrefix = '/'): User[] {
    return this.d.identity.listUsers(s.account.id, checkPath('PathPrefix', pathPrefix));
  }

  // Groups

  group(s: Scope, name: string): Group {
    const group = this.d.identity.findGroup(s.account.id, name);
    if (!group) throw noSuch('group', name);
    return group;
  }

  createGroup(s: Scope, name: string, path = '/'): Group {
    checkName('GroupName', name);
    if (this.d.identity.findGroup(s.account.id, name)) throw exists('Group', name);
    return this.d.identity.createGroup(s.account.id, name, checkPath('Path', path));
  }

  updateGroup(s: Scope, name: string, change: { newName?: string; newPath?: string }): void {
    const group = this.group(s, name);
    const newName = change.newName ? checkName('NewGroupName', change.newName) : group.name;
    const newPath = change.newPath !== undefined ? checkPath('NewPath', change.newPath) : group.path;
    const clash = this.d.identity.findGroup(group.accountId, newName);
    if (clash && clash.id !== group.id) throw exists('Group', newName);
    this.d.identity.updateGroup(group.id, newName, newPath);
  }

  deleteGroup(s: Scope, name: string, recursive: boolean): void {
    const group = this.group(s, name);
    if (!recursive) {
      if (this.d.identity.members(group.id).length)
        throw conflict('Cannot delete entity, must remove users from group first.');
      if (this.d.identity.policyNames('group', group.id).length)
        throw conflict('Cannot delete entity, must delete policies first.');
    }
    this.d.identity.deleteGroup(group.id);
  }

  listGroups(s: Scope, pathPrefix = '/'): Group[] {
    return this.d.identity.listGroups(s.account.id, checkPath('PathPrefix', pathPrefix));
  }

  addUserToGroup(s: Scope, groupName: string, userName: string): void {
    const group = this.group(s, groupName);
    this.d.identity.addMember(group.id, this.user(s, userName).id);
  }

  removeUserFromGroup(s: Scope, groupName: string, userName: string): void {
    const group = this.group(s, groupName);
    const user = this.user(s, userName);
    if (!this.d.identity.removeMember(group.id, user.id))
      throw new ServiceError('NoSuchEntity', `User ${user.name} is not in group ${group.name}.`, 404);
  }

  members(group: Group): User[] {
    return this.d.identity.members(group.id);
  }

  groupsForUser(s: Scope, userName: string): Group[] {
    return this.d.identity.groupsForUser(this.user(s, userName).id);
  }

  // Policies, inline on users and groups

  private policyOwner(s: Scope, kind: PolicyOwnerKind, ownerName: string) {
    const owner = kind === 'user' ? this.user(s, ownerName) : this.group(s, ownerName);
    return { id: owner.id, name: owner.name };
  }

  putPolicy(s: Scope, kind: PolicyOwnerKind, ownerName: string, name: string, document: string): void {
    const owner = this.policyOwner(s, kind, ownerName);
    checkPolicyName(name);
    parsePolicy(document, { owner: kind, ownerName: owner.name });
    this.d.identity.putPolicy(kind, owner.id, name, document);
  }

  policy(s: Scope, kind: PolicyOwnerKind, ownerName: string, name: string): { owner: string; document: string } {
    const owner = this.policyOwner(s, kind, ownerName);
    checkPolicyName(name);
    const document = this.d.identity.policy(kind, owner.id, name);
    if (document === undefined) throw noSuch('policy', name);
    return { owner: owner.name, document };
  }

  policyNames(s: Scope, kind: PolicyOwnerKind, ownerName: string): string[] {
    return this.d.identity.policyNames(kind, this.policyOwner(s, kind, ownerName).id);
  }

  deletePolicy(s: Scope, kind: PolicyOwnerKind, ownerName: string, name: string): void {
    const owner = this.policyOwner(s, kind, ownerName);
    checkPolicyName(name);
    if (!this.d.identity.deletePolicy(kind, owner.id, name)) throw noSuch('policy', name);
  }

  // Access keys

  createAccessKey(s: Scope, userName?: string): { user: User; key: AccessKey } {
    const user = this.subject(s, userName);
    if (this.d.store.listAccessKeys(user.id).length >= 2)
      throw new ServiceError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: 2`, 409);
    return { user, key: this.d.store.createAccessKey(user.id) };
  }

  private userKey(s: Scope, userName: string | undefined, keyId: string): AccessKey {
    const user = this.subject(s, userName);
    const key = this.d.identity.findKey(user.id, keyId);
    if (!key) throw new ServiceError('NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`, 404);
    return key;
  }

  deleteAccessKey(s: Scope, userName: string | undefined, keyId: string): void {
    this.d.identity.deleteKey(this.userKey(s, userName, keyId).id);
  }

  updateAccessKey(s: Scope, userName: string | undefined, keyId: string, status: string): void {
    checkStatus(status);
    this.d.identity.setKeyStatus(this.userKey(s, userName, keyId).id, status);
  }

  accessKeys(s: Scope, userName?: string): { user: User; keys: AccessKey[] } {
    const user = this.subject(s, userName);
    return { user, keys: this.d.store.listAccessKeys(user.id) };
  }

  // Login profiles

  loginProfile(s: Scope, userName: string): { user: User; created: string } {
    const user = this.user(s, userName);
    const p = this.d.identity.loginProfile(user.id);
    if (!p) throw new ServiceError('NoSuchEntity', `Login profile for user ${user.name} cannot be found.`, 404);
    return { user, created: p.created };
  }

  createLoginProfile(s: Scope, userName: string, password: string): { user: User; created: string } {
    const user = this.user(s, userName);
    if (this.d.identity.loginProfile(user.id)) throw exists('Login profile for user', user.name);
    this.d.identity.setLoginProfile(user.id, hashPassword(checkPassword(password)));
    return this.loginProfile(s, userName);
  }

  updateLoginProfile(s: Scope, userName: string, password?: string): void {
    const { user } = this.loginProfile(s, userName);
    if (password !== undefined) this.d.identity.setLoginProfile(user.id, hashPassword(checkPassword(password)));
  }

  deleteLoginProfile(s: Scope, userName: string): void {
    const user = this.user(s, userName);
    if (!this.d.identity.deleteLoginProfile(user.id))
      throw new ServiceError('NoSuchEntity', `Login profile for user ${user.name} cannot be found.`, 404);
  }

  // Signing certificates

  uploadCertificate(s: Scope, userName: string | undefined, body: string): { user: User; cert: Certificate } {
    const user = this.subject(s, userName);
    try {
      new X509Certificate(body);
    } catch {
      throw new ServiceError('MalformedCertificate', 'The certificate body is not a valid PEM X.509 certificate.');
    }
    const norm = (x: string) => x.replace(/\s+/g, '');
    if (this.d.identity.certificates(user.id).some((c) => norm(c.pem) === norm(body)))
      throw new ServiceError('DuplicateCertificate', 'The certificate is already uploaded.', 409);
    const id = ids.certificateId();
    this.d.store.addCertificate(user.id, id, body.replace(/\r\n/g, '\n').trim() + '\n');
    return { user, cert: this.d.identity.findCertificate(user.id, id)! };
  }

  /** A new certificate the cloud's CA signs, with its private key (handed out once, kept nowhere). */
  createCertificate(s: Scope, userName?: string): { user: User; cert: Certificate; privateKeyPem: string } {
    const user = this.subject(s, userName);
    const ca = {
      certPem: fs.readFileSync(this.d.caCertFile, 'utf8'),
      privateKeyPem: fs.readFileSync(this.d.caKeyFile, 'utf8'),
    };
    const account = this.d.store.findAccount(user.accountId)!;
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
    this.d.store.addCertificate(user.id, id, pem);
    return { user, cert: this.d.identity.findCertificate(user.id, id)!, privateKeyPem: lf(pair.privateKeyPem) };
  }

  private userCert(s: Scope, userName: string | undefined, certId: string): Certificate {
    const user = this.subject(s, userName);
    const cert = this.d.identity.findCertificate(user.id, certId);
    if (!cert) throw new ServiceError('NoSuchEntity', `The Certificate with id ${certId} cannot be found.`, 404);
    return cert;
  }

  deleteCertificate(s: Scope, userName: string | undefined, certId: string): void {
    this.d.identity.deleteCertificate(this.userCert(s, userName, certId).id);
  }

  updateCertificate(s: Scope, userName: string | undefined, certId: string, status: string): void {
    checkStatus(status);
    this.d.identity.setCertificateStatus(this.userCert(s, userName, certId).id, status);
  }

  certificates(s: Scope, userName?: string): { user: User; certs: Certificate[] } {
    const user = this.subject(s, userName);
    return { user, certs: this.d.identity.certificates(user.id) };
  }

  /**
   * RequestAccount (unsigned, as the Dashboard's sign-up form): asks for an account; the cloud
   * administrator approves it (euca_conf --approve-account), which creates it, or rejects it.
   * Unsigned, so bounded: a few waiting per source address, and none waits longer than a week.
   */
  requestAccount(name: string, email: string, origin: Origin = {}): void {
    if (!name || !email) throw invalid('RequestAccount needs AccountName and Email');
    if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email)) throw invalid(`Invalid Email: ${email}`);
    const identity = this.d.identity;
    checkAccountName(name, (alias) => identity.aliasOwner(alias), this.d.store);
    identity.expireAccountRequests(new Date(Date.now() - ACCOUNT_REQUEST_LIFETIME_MS).toISOString());
    const source = origin.sourceIp ?? '';
    const busy = () =>
      new ServiceError(
        'LimitExceeded',
        'Too many account requests are waiting for the administrator; try again later.',
        409,
      );
    if (identity.accountRequestsFrom(source) >= MAX_ACCOUNT_REQUESTS_PER_SOURCE) throw busy();
    if (identity.accountRequests().length >= MAX_ACCOUNT_REQUESTS) throw busy();
    if (!identity.addAccountRequest(name, email, source)) throw exists('Account request', name);
  }

  private findAccount(nameOrId: string): Account | undefined {
    const s = this.d.store;
    const aliased = this.d.identity.aliasOwner(nameOrId);
    return s.findAccountByName(nameOrId) ?? s.findAccount(nameOrId) ?? (aliased ? s.findAccount(aliased) : undefined);
  }

  private requireCloudAdmin(p: Principal): void {
    if (!isCloudAdmin({ principal: p }))
      throw new ServiceError('AccessDenied', 'Only the cloud administrator may do this.', 403);
  }
}
