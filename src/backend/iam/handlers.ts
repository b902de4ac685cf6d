/**
 * The Euare actions on the wire: the request its model reads in (src/shared/wire/iam.ts), a typed
 * call to the identity service (service.ts, where the rules live), IAM's elements out. Euare
 * answers in IAM's one namespace, results inside <ActionResult> with <ResponseMetadata>.
 */
import type { IamOperations } from '../../shared/wire/iam';
import type { Actions, QueryCall } from '../query-service';
import type { AccessKey, User } from '../store/types';
import { namedList } from '../xml';
import { iamArn } from './policy';
import { type IdentityService, invalid, type Scope } from './service';
import type { Certificate, Group, PolicyOwnerKind } from './store';

/** A member an action needs, refused as IAM's ValidationError says it. */
function need<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === '')
    throw invalid(
      `1 validation error detected: Value null at ` +
        `'${name[0].toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

const recursive = (input: { IsRecursive?: boolean; Recursive?: boolean }) =>
  (input.IsRecursive ?? input.Recursive) === true;

const userXml = (u: User) => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.id,
  Arn: iamArn(u.accountId, 'user', u.name, u.path),
  CreateDate: u.created,
});
const groupXml = (g: Group) => ({
  Path: g.path,
  GroupName: g.name,
  GroupId: g.id,
  Arn: iamArn(g.accountId, 'group', g.name, g.path),
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

type IamActions = Actions<IamOperations, keyof IamOperations>;

/** The actions, given the service they call. */
export function identityActions(identity: IdentityService): IamActions {
  /** The scope of a call: the caller's account, or DelegateAccount for the cloud administrator. */
  const scope = (call: QueryCall<unknown>): Scope => identity.scope(call.principal, call.params.DelegateAccount);
  /** UserName, or the caller when absent (a delegated call must name its user). */
  const subjectName = (call: QueryCall<{ UserName?: string }>) =>
    call.params.DelegateAccount ? need(call.input.UserName, 'UserName') : call.input.UserName || undefined;

  const putPolicy = (kind: PolicyOwnerKind) => (call: QueryCall<PolicyRequest>) => {
    identity.putPolicy(
      scope(call),
      kind,
      need(ownerOf(kind, call.input), ownerParam(kind)),
      need(call.input.PolicyName, 'PolicyName'),
      call.input.PolicyDocument ?? '',
    );
    return {};
  };
  const getPolicy = (kind: PolicyOwnerKind) => (call: QueryCall<PolicyRequest>) => {
    const name = need(call.input.PolicyName, 'PolicyName');
    const p = identity.policy(scope(call), kind, need(ownerOf(kind, call.input), ownerParam(kind)), name);
    // IAM sends policy documents URL-encoded; clients decode them.
    return { [ownerParam(kind)]: p.owner, PolicyName: name, PolicyDocument: encodeURIComponent(p.document) };
  };
  const listPolicies = (kind: PolicyOwnerKind) => (call: QueryCall<PolicyRequest>) => ({
    PolicyNames: identity.policyNames(scope(call), kind, need(ownerOf(kind, call.input), ownerParam(kind))),
    IsTruncated: false,
  });
  const deletePolicy = (kind: PolicyOwnerKind) => (call: QueryCall<PolicyRequest>) => {
    identity.deletePolicy(
      scope(call),
      kind,
      need(ownerOf(kind, call.input), ownerParam(kind)),
      need(call.input.PolicyName, 'PolicyName'),
    );
    return {};
  };
  const loginProfileXml = (p: { user: User; created: string }) => ({
    LoginProfile: { UserName: p.user.name, CreateDate: p.created, PasswordResetRequired: false },
  });

  return {
    // Accounts
    CreateAccount: ({ principal, input }) => {
      const a = identity.createAccount(principal, need(input.AccountName, 'AccountName'));
      return { Account: { AccountName: a.name, AccountId: a.id } };
    },
    DeleteAccount: ({ principal, input }) => {
      identity.deleteAccount(principal, need(input.AccountName, 'AccountName'), recursive(input));
      return {};
    },
    ListAccounts: ({ principal }) => ({
      Accounts: identity.listAccounts(principal).map((a) => ({ AccountName: a.name, AccountId: a.id })),
      IsTruncated: false,
    }),
    CreateAccountAlias: (call) => {
      identity.createAlias(scope(call), need(call.input.AccountAlias, 'AccountAlias'));
      return {};
    },
    DeleteAccountAlias: (call) => {
      identity.deleteAlias(scope(call), need(call.input.AccountAlias, 'AccountAlias'));
      return {};
    },
    ListAccountAliases: (call) => ({ AccountAliases: identity.aliases(scope(call)), IsTruncated: false }),
    GetAccountSummary: (call) => ({
      SummaryMap: namedList(
        'entry',
        Object.entries(identity.summary(scope(call))).map(([key, value]) => ({ key, value })),
      ),
    }),
    // Users
    GetUser: (call) => ({ User: userXml(identity.subject(scope(call), subjectName(call))) }),
    CreateUser: (call) => ({
      User: userXml(identity.createUser(scope(call), need(call.input.UserName, 'UserName'), call.input.Path)),
    }),
    UpdateUser: (call) => {
      identity.updateUser(scope(call), need(call.input.UserName, 'UserName'), {
        newName: call.input.NewUserName || undefined,
        newPath: call.input.NewPath,
      });
      return {};
    },
    DeleteUser: (call) => {
      identity.deleteUser(scope(call), need(call.input.UserName, 'UserName'), recursive(call.input));
      return {};
    },
    ListUsers: (call) => ({
      Users: identity.listUsers(scope(call), call.input.PathPrefix).map(userXml),
      IsTruncated: false,
    }),
    // Groups
    CreateGroup: (call) => ({
      Group: groupXml(identity.createGroup(scope(call), need(call.input.GroupName, 'GroupName'), call.input.Path)),
    }),
    UpdateGroup: (call) => {
      identity.updateGroup(scope(call), need(call.input.GroupName, 'GroupName'), {
        newName: call.input.NewGroupName || undefined,
        newPath: call.input.NewPath,
      });
      return {};
    },
    DeleteGroup: (call) => {
      identity.deleteGroup(scope(call), need(call.input.GroupName, 'GroupName'), recursive(call.input));
      return {};
    },
    ListGroups: (call) => ({
      Groups: identity.listGroups(scope(call), call.input.PathPrefix).map(groupXml),
      IsTruncated: false,
    }),
    AddUserToGroup: (call) => {
      const group = need(call.input.GroupName, 'GroupName');
      identity.addUserToGroup(scope(call), group, need(call.input.UserName, 'UserName'));
      return {};
    },
    RemoveUserFromGroup: (call) => {
      const group = need(call.input.GroupName, 'GroupName');
      identity.removeUserFromGroup(scope(call), group, need(call.input.UserName, 'UserName'));
      return {};
    },
    GetGroup: (call) => {
      const group = identity.group(scope(call), need(call.input.GroupName, 'GroupName'));
      return { Group: groupXml(group), Users: identity.members(group).map(userXml), IsTruncated: false };
    },
    ListGroupsForUser: (call) => ({
      Groups: identity.groupsForUser(scope(call), need(call.input.UserName, 'UserName')).map(groupXml),
      IsTruncated: false,
    }),
    // Policies, inline on users and groups
    PutUserPolicy: putPolicy('user'),
    GetUserPolicy: getPolicy('user'),
    ListUserPolicies: listPolicies('user'),
    DeleteUserPolicy: deletePolicy('user'),
    PutGroupPolicy: putPolicy('group'),
    GetGroupPolicy: getPolicy('group'),
    ListGroupPolicies: listPolicies('group'),
    DeleteGroupPolicy: deletePolicy('group'),
    // Access keys
    CreateAccessKey: (call) => {
      const { user, key } = identity.createAccessKey(scope(call), subjectName(call));
      return { AccessKey: { ...keyXml(user, key), SecretAccessKey: key.secret } };
    },
    DeleteAccessKey: (call) => {
      identity.deleteAccessKey(scope(call), subjectName(call), need(call.input.AccessKeyId, 'AccessKeyId'));
      return {};
    },
    UpdateAccessKey: (call) => {
      const status = need(call.input.Status, 'Status');
      identity.updateAccessKey(scope(call), subjectName(call), need(call.input.AccessKeyId, 'AccessKeyId'), status);
      return {};
    },
    ListAccessKeys: (call) => {
      const { user, keys } = identity.accessKeys(scope(call), subjectName(call));
      return { UserName: user.name, AccessKeyMetadata: keys.map((k) => keyXml(user, k)), IsTruncated: false };
    },
    // Login profiles
    CreateLoginProfile: (call) =>
      loginProfileXml(
        identity.createLoginProfile(
          scope(call),
          need(call.input.UserName, 'UserName'),
          need(call.input.Password, 'Password'),
        ),
      ),
    UpdateLoginProfile: (call) => {
      identity.updateLoginProfile(scope(call), need(call.input.UserName, 'UserName'), call.input.Password);
      return {};
    },
    DeleteLoginProfile: (call) => {
      identity.deleteLoginProfile(scope(call), need(call.input.UserName, 'UserName'));
      return {};
    },
    GetLoginProfile: (call) =>
      loginProfileXml(identity.loginProfile(scope(call), need(call.input.UserName, 'UserName'))),
    // Signing certificates
    UploadSigningCertificate: (call) => {
      const body = need(call.input.CertificateBody, 'CertificateBody');
      const { user, cert } = identity.uploadCertificate(scope(call), subjectName(call), body);
      return { Certificate: certXml(user, cert) };
    },
    CreateSigningCertificate: (call) => {
      const { user, cert, privateKeyPem } = identity.createCertificate(scope(call), subjectName(call));
      return { Certificate: { ...certXml(user, cert), PrivateKey: privateKeyPem } };
    },
    DeleteSigningCertificate: (call) => {
      identity.deleteCertificate(scope(call), subjectName(call), need(call.input.CertificateId, 'CertificateId'));
      return {};
    },
    UpdateSigningCertificate: (call) => {
      const status = need(call.input.Status, 'Status');
      const id = need(call.input.CertificateId, 'CertificateId');
      identity.updateCertificate(scope(call), subjectName(call), id, status);
      return {};
    },
    ListSigningCertificates: (call) => {
      const { user, certs } = identity.certificates(scope(call), subjectName(call));
      return { UserName: user.name, Certificates: certs.map((c) => certXml(user, c)), IsTruncated: false };
    },
  };
}

/** What the inline-policy actions name: the user or group, the policy, its document. */
interface PolicyRequest {
  UserName?: string;
  GroupName?: string;
  PolicyName?: string;
  PolicyDocument?: string;
}

const ownerParam = (kind: PolicyOwnerKind) => (kind === 'user' ? 'UserName' : 'GroupName');
const ownerOf = (kind: PolicyOwnerKind, input: PolicyRequest) => (kind === 'user' ? input.UserName : input.GroupName);
