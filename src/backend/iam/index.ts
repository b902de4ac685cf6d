/**
 * The Euare (IAM) Query service (/services/Euare). Answers in IAM's one namespace, results inside
 * <ActionResult> with <ResponseMetadata>. Identity only: accounts (Eucalyptus' cloud-admin
 * actions), aliases, users, groups, their inline policies, access keys, login profiles and signing
 * certificates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createCertificate, generateRsaKeyPair } from '../../shared/pki';
import { ADMIN_USER, CLOUD_ACCOUNT, isCloudAdmin } from './principals';
import { type CloudContext, type RequestContext } from '../context';
import type { Origin } from './enforce';
import { ServiceError } from '../errors';
import * as ids from '../ids';
import { type QueryService } from '../query-service';
import { type Account, type AccessKey, type User } from '../store/types';
import { namedList } from '../xml';
import { checkAccountName, createAccountWithAdmin } from './accounts';
import { parsePolicy } from './policy';
import { iamModel } from '../../shared/wire/iam';
import { type Certificate, type Group, hashPassword, type PolicyOwnerKind } from './store';

export function userArn(accountId: string, user: Pick<User, 'path' | 'name'>): string {
  return `arn:aws:iam::${accountId}:user${user.path}${user.name}`;
}

export function groupArn(accountId: string, group: Pick<Group, 'path' | 'name'>): string {
  return `arn:aws:iam::${accountId}:group${group.path}${group.name}`;
}

const noSuch = (what: string, name: string) =>
  new ServiceError('NoSuchEntity', `The ${what} with name ${name} cannot be found.`, 404);
const exists = (what: string, name: string) =>
  new ServiceError('EntityAlreadyExists', `${what} ${name} already exists.`, 409);
const conflict = (msg: string) => new ServiceError('DeleteConflict', msg, 409);
const invalid = (msg: string) => new ServiceError('ValidationError', msg);

function required(ctx: RequestContext, name: string): string {
  const v = ctx.params[name];
  if (!v)
    throw invalid(
      `1 validation error detected: Value null at ` +
        `'${name[0].toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

const NAME = /^[\w+=,.@-]{1,64}$/;
function entityName(ctx: RequestContext, param: string): string {
  const v = required(ctx, param);
  if (!NAME.test(v)) throw invalid(`Invalid ${param}: ${v} (up to 64 letters, digits and +=,.@_-)`);
  return v;
}

function pathParam(ctx: RequestContext, param = 'Path', fallback: string | undefined = '/'): string | undefined {
  const v = ctx.params[param] ?? fallback;
  if (v === undefined) return undefined;
  if (!/^\/([\x21-\x7e]*\/)?$/.test(v) || v.length > 512)
    throw invalid(`Invalid ${param}: ${v} (a path starts and ends with /)`);
  return v;
}

function requireCloudAdmin(ctx: RequestContext): void {
  if (!isCloudAdmin(ctx)) throw new ServiceError('AccessDenied', 'Only the cloud administrator may do this.', 403);
}

function findAccount(ctx: RequestContext, nameOrId: string): Account | undefined {
  const s = ctx.cloud.store;
  const aliased = ctx.cloud.identity.aliasOwner(nameOrId);
  return s.findAccountByName(nameOrId) ?? s.findAccount(nameOrId) ?? (aliased ? s.findAccount(aliased) : undefined);
}

/** The account acted on: the caller's, or (for the cloud admin) DelegateAccount. */
function account(ctx: RequestContext): Account {
  const delegate = ctx.params.DelegateAccount;
  if (!delegate) return ctx.principal.account;
  requireCloudAdmin(ctx);
  const found = findAccount(ctx, delegate);
  if (!found) throw noSuch('account', delegate);
  return found;
}

function namedUser(ctx: RequestContext, param = 'UserName'): User {
  const name = required(ctx, param);
  const user = ctx.cloud.store.findUser(account(ctx).id, name);
  if (!user) throw noSuch('user', name);
  return user;
}

/** UserName, or the caller when it is absent. */
function subjectUser(ctx: RequestContext): User {
  return ctx.params.UserName ? namedUser(ctx) : ctx.params.DelegateAccount ? namedUser(ctx) : ctx.principal.user;
}

function namedGroup(ctx: RequestContext): Group {
  const name = required(ctx, 'GroupName');
  const group = ctx.cloud.identity.findGroup(account(ctx).id, name);
  if (!group) throw noSuch('group', name);
  return group;
}

const recursive = (ctx: RequestContext) => /^true$/i.test(ctx.params.IsRecursive ?? ctx.params.Recursive ?? '');

const userXml = (u: User) => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.id,
  Arn: userArn(u.accountId, u),
  CreateDate: u.created,
});
const groupXml = (g: Group) => ({
  Path: g.path,
  GroupName: g.name,
  GroupId: g.id,
  Arn: groupArn(g.accountId, g),
  CreateDate: g.created,
});
const keyXml = (u: User, k: AccessKey) => ({
  UserName: u.name,
  AccessKeyId: k.id,
  Status: k.status,
  CreateDate: k.created,
});
const certXml = (u: User, c: Certificate) => ({
  UserName: u.name,
  CertificateId: c.id,
  CertificateBody: c.pem,
  Status: c.status,
  UploadDate: c.created,
});

// Accounts

function createAccount(ctx: RequestContext) {
  requireCloudAdmin(ctx);
  const name = required(ctx, 'AccountName');
  checkAccountName(name, (alias) => ctx.cloud.identity.aliasOwner(alias), ctx.cloud.store);
  const created = createAccountWithAdmin(ctx.cloud.store, name);
  return { Account: { AccountName: created.name, AccountId: created.id } };
}

function deleteAccount(ctx: RequestContext) {
  requireCloudAdmin(ctx);
  const name = required(ctx, 'AccountName');
  const target = findAccount(ctx, name);
  if (!target) throw noSuch('account', name);
  if (target.name === CLOUD_ACCOUNT) throw conflict('The eucalyptus account cannot be deleted.');
  const id = ctx.cloud.identity;
  const others = id.listUsers(target.id).filter((u) => u.name !== ADMIN_USER);
  if (!recursive(ctx) && (others.length || id.listGroups(target.id).length)) {
    throw conflict(`Account ${target.name} still has users or groups; delete them first, or delete recursively.`);
  }
  id.deleteAccount(target.id);
  return {};
}

function listAccounts(ctx: RequestContext) {
  requireCloudAdmin(ctx);
  return {
    Accounts: ctx.cloud.identity.listAccounts().map((a) => ({ AccountName: a.name, AccountId: a.id })),
    IsTruncated: false,
  };
}

function createAccountAlias(ctx: RequestContext) {
  const alias = required(ctx, 'AccountAlias');
  if (!/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/.test(alias) || alias.length < 3 || alias.length > 63)
    throw invalid(`Invalid AccountAlias: ${alias}`);
  const a = account(ctx);
  const owner = ctx.cloud.identity.aliasOwner(alias);
  const byName = ctx.cloud.store.findAccountByName(alias);
  if ((owner && owner !== a.id) || (byName && byName.id !== a.id)) throw exists('Alias', alias);
  ctx.cloud.identity.setAlias(a.id, alias);
  return {};
}

function deleteAccountAlias(ctx: RequestContext) {
  const alias = required(ctx, 'AccountAlias');
  if (!ctx.cloud.identity.deleteAlias(account(ctx).id, alias)) throw noSuch('alias', alias);
  return {};
}

function listAccountAliases(ctx: RequestContext) {
  return { AccountAliases: ctx.cloud.identity.aliases(account(ctx).id), IsTruncated: false };
}

function getAccountSummary(ctx: RequestContext) {
  const counts = {
    ...ctx.cloud.identity.counts(account(ctx).id),
    UsersQuota: 5000,
    GroupsQuota: 100,
    GroupsPerUserQuota: 10,
  };
  return {
    SummaryMap: namedList(
      'entry',
      Object.entries(counts).map(([key, value]) => ({ key, value })),
    ),
  };
}

// Users

function getUser(ctx: RequestContext) {
  return { User: userXml(subjectUser(ctx)) };
}

function createUser(ctx: RequestContext) {
  const name = entityName(ctx, 'UserName');
  const a = account(ctx);
  if (ctx.cloud.store.findUser(a.id, name)) throw exists('User', name);
  return { User: userXml(ctx.cloud.store.createUser(a.id, name, pathParam(ctx))) };
}

function updateUser(ctx: RequestContext) {
  const user = namedUser(ctx);
  const newName = ctx.params.NewUserName ? entityName(ctx, 'NewUserName') : user.name;
  const newPath = pathParam(ctx, 'NewPath', user.path)!;
  if (newName !== user.name && ctx.cloud.store.findUser(user.accountId, newName)) throw exists('User', newName);
  if (user.name === ADMIN_USER && newName !== ADMIN_USER) throw conflict('The admin user cannot be renamed.');
  ctx.cloud.identity.updateUser(user.id, newName, newPath);
  return {};
}

function deleteUser(ctx: RequestContext) {
  const user = namedUser(ctx);
  if (user.name === ADMIN_USER) throw conflict('The admin user cannot be deleted.');
  const id = ctx.cloud.identity;
  if (!recursive(ctx)) {
    if (id.policyNames('user', user.id).length) throw conflict('Cannot delete entity, must delete policies first.');
    if (ctx.cloud.store.listAccessKeys(user.id).length)
      throw conflict('Cannot delete entity, must delete access keys first.');
    if (id.certificates(user.id).length)
      throw conflict('Cannot delete entity, must delete signing certificates first.');
    if (id.loginProfile(user.id)) throw conflict('Cannot delete entity, must delete login profile first.');
    if (id.groupsForUser(user.id).length) throw conflict('Cannot delete entity, must remove users from group first.');
  }
  id.deleteUser(user.id);
  return {};
}

function listUsers(ctx: RequestContext) {
  return {
    Users: ctx.cloud.identity.listUsers(account(ctx).id, pathParam(ctx, 'PathPrefix')).map(userXml),
    IsTruncated: false,
  };
}

// Groups

function createGroup(ctx: RequestContext) {
  const name = entityName(ctx, 'GroupName');
  const a = account(ctx);
  if (ctx.cloud.identity.findGroup(a.id, name)) throw exists('Group', name);
  return { Group: groupXml(ctx.cloud.identity.createGroup(a.id, name, pathParam(ctx))) };
}

function updateGroup(ctx: RequestContext) {
  const group = namedGroup(ctx);
  const newName = ctx.params.NewGroupName ? entityName(ctx, 'NewGroupName') : group.name;
  const newPath = pathParam(ctx, 'NewPath', group.path)!;
  const clash = ctx.cloud.identity.findGroup(group.accountId, newName);
  if (clash && clash.id !== group.id) throw exists('Group', newName);
  ctx.cloud.identity.updateGroup(group.id, newName, newPath);
  return {};
}

function deleteGroup(ctx: RequestContext) {
  const group = namedGroup(ctx);
  if (!recursive(ctx)) {
    if (ctx.cloud.identity.members(group.id).length)
      throw conflict('Cannot delete entity, must remove users from group first.');
    if (ctx.cloud.identity.policyNames('group', group.id).length)
      throw conflict('Cannot delete entity, must delete policies first.');
  }
  ctx.cloud.identity.deleteGroup(group.id);
  return {};
}

function listGroups(ctx: RequestContext) {
  return {
    Groups: ctx.cloud.identity.listGroups(account(ctx).id, pathParam(ctx, 'PathPrefix')).map(groupXml),
    IsTruncated: false,
  };
}

function addUserToGroup(ctx: RequestContext) {
  const group = namedGroup(ctx);
  ctx.cloud.identity.addMember(group.id, namedUser(ctx).id);
  return {};
}

function removeUserFromGroup(ctx: RequestContext) {
  const group = namedGroup(ctx);
  const user = namedUser(ctx);
  if (!ctx.cloud.identity.removeMember(group.id, user.id))
    throw new ServiceError('NoSuchEntity', `User ${user.name} is not in group ${group.name}.`, 404);
  return {};
}

function getGroup(ctx: RequestContext) {
  const group = namedGroup(ctx);
  return { Group: groupXml(group), Users: ctx.cloud.identity.members(group.id).map(userXml), IsTruncated: false };
}

function listGroupsForUser(ctx: RequestContext) {
  return { Groups: ctx.cloud.identity.groupsForUser(namedUser(ctx).id).map(groupXml), IsTruncated: false };
}

// Policies, inline on users and groups

/** The user or group a policy action names, with its kind and name for replies. */
function policyOwner(ctx: RequestContext, kind: PolicyOwnerKind): { kind: PolicyOwnerKind; id: string; name: string } {
  const owner = kind === 'user' ? namedUser(ctx) : namedGroup(ctx);
  return { kind, id: owner.id, name: owner.name };
}

function policyName(ctx: RequestContext): string {
  const v = required(ctx, 'PolicyName');
  if (!/^[\w+=,.@-]{1,128}$/.test(v)) throw invalid(`Invalid PolicyName: ${v} (up to 128 letters, digits and +=,.@_-)`);
  return v;
}

const putPolicy = (kind: PolicyOwnerKind) => (ctx: RequestContext) => {
  const owner = policyOwner(ctx, kind);
  const name = policyName(ctx);
  const document = ctx.params.PolicyDocument ?? '';
  parsePolicy(document, { owner: kind, ownerName: owner.name });
  ctx.cloud.identity.putPolicy(kind, owner.id, name, document);
  return {};
};

const getPolicy = (kind: PolicyOwnerKind) => (ctx: RequestContext) => {
  const owner = policyOwner(ctx, kind);
  const name = policyName(ctx);
  const document = ctx.cloud.identity.policy(kind, owner.id, name);
  if (document === undefined) throw noSuch('policy', name);
  // IAM sends policy documents URL-encoded; clients decode them.
  return {
    [kind === 'user' ? 'UserName' : 'GroupName']: owner.name,
    PolicyName: name,
    PolicyDocument: encodeURIComponent(document),
  };
};

const listPolicies = (kind: PolicyOwnerKind) => (ctx: RequestContext) => {
  const owner = policyOwner(ctx, kind);
  return { PolicyNames: ctx.cloud.identity.policyNames(kind, owner.id), IsTruncated: false };
};

const deletePolicy = (kind: PolicyOwnerKind) => (ctx: RequestContext) => {
  const owner = policyOwner(ctx, kind);
  const name = policyName(ctx);
  if (!ctx.cloud.identity.deletePolicy(kind, owner.id, name)) throw noSuch('policy', name);
  return {};
};

// Access keys

function createAccessKey(ctx: RequestContext) {
  const user = subjectUser(ctx);
  if (ctx.cloud.store.listAccessKeys(user.id).length >= 2)
    throw new ServiceError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: 2`, 409);
  const key = ctx.cloud.store.createAccessKey(user.id);
  return { AccessKey: { ...keyXml(user, key), SecretAccessKey: key.secret } };
}

function userKey(ctx: RequestContext): { user: User; key: AccessKey } {
  const user = subjectUser(ctx);
  const id = required(ctx, 'AccessKeyId');
  const key = ctx.cloud.identity.findKey(user.id, id);
  if (!key) throw new ServiceError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`, 404);
  return { user, key };
}

function statusParam(ctx: RequestContext): string {
  const s = required(ctx, 'Status');
  if (s !== 'Active' && s !== 'Inactive') throw invalid(`Invalid Status: ${s} (Active or Inactive)`);
  return s;
}

function deleteAccessKey(ctx: RequestContext) {
  ctx.cloud.identity.deleteKey(userKey(ctx).key.id);
  return {};
}

function updateAccessKey(ctx: RequestContext) {
  const status = statusParam(ctx);
  ctx.cloud.identity.setKeyStatus(userKey(ctx).key.id, status);
  return {};
}

function listAccessKeys(ctx: RequestContext) {
  const user = subjectUser(ctx);
  return {
    UserName: user.name,
    AccessKeyMetadata: ctx.cloud.store.listAccessKeys(user.id).map((k) => keyXml(user, k)),
    IsTruncated: false,
  };
}

// Login profiles

function passwordParam(ctx: RequestContext): string {
  const p = required(ctx, 'Password');
  if (p.length > 128) throw invalid('The password is longer than 128 characters.');
  return p;
}

function profileXml(ctx: RequestContext, user: User) {
  const p = ctx.cloud.identity.loginProfile(user.id);
  if (!p) throw new ServiceError('NoSuchEntity', `Login profile for user ${user.name} cannot be found.`, 404);
  return { LoginProfile: { UserName: user.name, CreateDate: p.created, PasswordResetRequired: false } };
}

function createLoginProfile(ctx: RequestContext) {
  const user = namedUser(ctx);
  if (ctx.cloud.identity.loginProfile(user.id)) throw exists('Login profile for user', user.name);
  ctx.cloud.identity.setLoginProfile(user.id, hashPassword(passwordParam(ctx)));
  return profileXml(ctx, user);
}

function updateLoginProfile(ctx: RequestContext) {
  const user = namedUser(ctx);
  profileXml(ctx, user);
  if (ctx.params.Password !== undefined) ctx.cloud.identity.setLoginProfile(user.id, hashPassword(passwordParam(ctx)));
  return {};
}

function deleteLoginProfile(ctx: RequestContext) {
  const user = namedUser(ctx);
  if (!ctx.cloud.identity.deleteLoginProfile(user.id))
    throw new ServiceError('NoSuchEntity', `Login profile for user ${user.name} cannot be found.`, 404);
  return {};
}

function getLoginProfile(ctx: RequestContext) {
  return profileXml(ctx, namedUser(ctx));
}

// Signing certificates

function uploadSigningCertificate(ctx: RequestContext) {
  const user = subjectUser(ctx);
  const body = required(ctx, 'CertificateBody');
  try {
    new X509Certificate(body);
  } catch {
    throw new ServiceError('MalformedCertificate', 'The certificate body is not a valid PEM X.509 certificate.');
  }
  const norm = (s: string) => s.replace(/\s+/g, '');
  if (ctx.cloud.identity.certificates(user.id).some((c) => norm(c.pem) === norm(body)))
    throw new ServiceError('DuplicateCertificate', 'The certificate is already uploaded.', 409);
  const id = ids.certificateId();
  ctx.cloud.store.addCertificate(user.id, id, body.replace(/\r\n/g, '\n').trim() + '\n');
  return { Certificate: certXml(user, ctx.cloud.identity.findCertificate(user.id, id)!) };
}

function createSigningCertificate(ctx: RequestContext) {
  const user = subjectUser(ctx);
  const keys = ctx.cloud.paths.keysDir;
  const ca = {
    certPem: fs.readFileSync(path.join(keys, 'cloud-cert.pem'), 'utf8'),
    privateKeyPem: fs.readFileSync(path.join(keys, 'cloud-pk.pem'), 'utf8'),
  };
  const acct = ctx.cloud.store.findAccount(user.accountId)!;
  const pair = generateRsaKeyPair();
  const lf = (s: string) => s.replace(/\r\n/g, '\n');
  const pem = lf(
    createCertificate({
      subject: { C: 'US', ST: 'CA', L: 'Santa Barbara', O: 'Eucalyptus', OU: acct.name, CN: user.name },
      publicKeyPem: pair.publicKeyPem,
      issuer: ca,
    }),
  );
  const id = ids.certificateId();
  ctx.cloud.store.addCertificate(user.id, id, pem);
  return {
    Certificate: {
      ...certXml(user, ctx.cloud.identity.findCertificate(user.id, id)!),
      PrivateKey: lf(pair.privateKeyPem),
    },
  };
}

function userCert(ctx: RequestContext): Certificate {
  const user = subjectUser(ctx);
  const id = required(ctx, 'CertificateId');
  const cert = ctx.cloud.identity.findCertificate(user.id, id);
  if (!cert) throw new ServiceError('NoSuchEntity', `The Certificate with id ${id} cannot be found.`, 404);
  return cert;
}

function deleteSigningCertificate(ctx: RequestContext) {
  ctx.cloud.identity.deleteCertificate(userCert(ctx).id);
  return {};
}

function updateSigningCertificate(ctx: RequestContext) {
  const status = statusParam(ctx);
  ctx.cloud.identity.setCertificateStatus(userCert(ctx).id, status);
  return {};
}

function listSigningCertificates(ctx: RequestContext) {
  const user = subjectUser(ctx);
  return {
    UserName: user.name,
    Certificates: ctx.cloud.identity.certificates(user.id).map((c) => certXml(user, c)),
    IsTruncated: false,
  };
}

/** At most this many sign-ups wait for the administrator at a time, and this many from one address. */
const MAX_ACCOUNT_REQUESTS = 1000;
export const MAX_ACCOUNT_REQUESTS_PER_SOURCE = 5;
/** A sign-up nobody approved within this long is forgotten (its name free again). */
export const ACCOUNT_REQUEST_LIFETIME_MS = 7 * 24 * 3600 * 1000;

/**
 * RequestAccount (unsigned, as the Dashboard's sign-up form): asks for an account; the cloud
 * administrator approves it (euca_conf --approve-account), which creates it, or rejects it.
 * Unsigned, so bounded: a few waiting per source address, and none waits longer than a week.
 */
function requestAccount(cloud: CloudContext, params: Record<string, string>, origin: Origin = {}) {
  const name = params.AccountName ?? '';
  const email = params.Email ?? '';
  if (!name || !email) throw invalid('RequestAccount needs AccountName and Email');
  if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email)) throw invalid(`Invalid Email: ${email}`);
  checkAccountName(name, (alias) => cloud.identity.aliasOwner(alias), cloud.store);
  cloud.identity.expireAccountRequests(new Date(Date.now() - ACCOUNT_REQUEST_LIFETIME_MS).toISOString());
  const source = origin.sourceIp ?? '';
  const busy = () =>
    new ServiceError(
      'LimitExceeded',
      'Too many account requests are waiting for the administrator; try again later.',
      409,
    );
  if (cloud.identity.accountRequestsFrom(source) >= MAX_ACCOUNT_REQUESTS_PER_SOURCE) throw busy();
  if (cloud.identity.accountRequests().length >= MAX_ACCOUNT_REQUESTS) throw busy();
  if (!cloud.identity.addAccountRequest(name, email, source)) throw exists('Account request', name);
  return { AccountName: name, Status: 'pending' };
}

export const iamService: QueryService = {
  protocol: 'iam',
  namespace: () => 'https://iam.amazonaws.com/doc/2010-05-08/',
  anonymous: { RequestAccount: requestAccount },
  model: iamModel,
  commonParams: new Set(['DelegateAccount']),
  actions: {
    CreateAccount: createAccount,
    DeleteAccount: deleteAccount,
    ListAccounts: listAccounts,
    CreateAccountAlias: createAccountAlias,
    DeleteAccountAlias: deleteAccountAlias,
    ListAccountAliases: listAccountAliases,
    GetAccountSummary: getAccountSummary,
    GetUser: getUser,
    CreateUser: createUser,
    DeleteUser: deleteUser,
    UpdateUser: updateUser,
    ListUsers: listUsers,
    CreateGroup: createGroup,
    DeleteGroup: deleteGroup,
    UpdateGroup: updateGroup,
    ListGroups: listGroups,
    AddUserToGroup: addUserToGroup,
    RemoveUserFromGroup: removeUserFromGroup,
    GetGroup: getGroup,
    ListGroupsForUser: listGroupsForUser,
    PutUserPolicy: putPolicy('user'),
    GetUserPolicy: getPolicy('user'),
    ListUserPolicies: listPolicies('user'),
    DeleteUserPolicy: deletePolicy('user'),
    PutGroupPolicy: putPolicy('group'),
    GetGroupPolicy: getPolicy('group'),
    ListGroupPolicies: listPolicies('group'),
    DeleteGroupPolicy: deletePolicy('group'),
    CreateAccessKey: createAccessKey,
    DeleteAccessKey: deleteAccessKey,
    UpdateAccessKey: updateAccessKey,
    ListAccessKeys: listAccessKeys,
    CreateLoginProfile: createLoginProfile,
    UpdateLoginProfile: updateLoginProfile,
    DeleteLoginProfile: deleteLoginProfile,
    GetLoginProfile: getLoginProfile,
    UploadSigningCertificate: uploadSigningCertificate,
    CreateSigningCertificate: createSigningCertificate,
    DeleteSigningCertificate: deleteSigningCertificate,
    UpdateSigningCertificate: updateSigningCertificate,
    ListSigningCertificates: listSigningCertificates,
  },
};
