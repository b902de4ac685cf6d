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
  const scope = async (call: QueryCall<unknown>): Promise<Scope> =>
    identity.scope(call.principal, call.params.DelegateAccount);
  /** UserName, or the caller when absent (a delegated call must name its user). */
  const subjectName = (call: QueryCall<{ UserName?: string }>) =>
    call.params.DelegateAccount ? need(call.input.UserName, 'UserName') : call.input.UserName || undefined;

  const putPolicy = (kind: PolicyOwnerKind) => async (call: QueryCall<PolicyRequest>) => {
    await identity.putPolicy(
      await scope(call),
      kind,
      need(ownerOf(kind, call.input), ownerParam(kind)),
      need(call.input.PolicyName, 'PolicyName'),
      call.input.PolicyDocument ?? '',
    );
    return {};
  };
  const getPolicy = (kind: PolicyOwnerKind) => async (call: QueryCall<PolicyRequest>) => {
    const name = need(call.input.PolicyName, 'PolicyName');
    const p = await identity.policy(await scope(call), kind, need(ownerOf(kind, call.input), ownerParam(kind)), name);
    // IAM sends policy documents URL-encoded; clients decode them.
    return { [ownerParam(kind)]: p.owner, PolicyName: name, PolicyDocument: encodeURIComponent(p.document) };
  };
  const listPolicies = (kind: PolicyOwnerKind) => async (call: QueryCall<PolicyRequest>) => ({
    PolicyNames: await identity.policyNames(await scope(call), kind, need(ownerOf(kind, call.input), ownerParam(kind))),
    IsTruncated: false,
  });
  const deletePolicy = (kind: PolicyOwnerKind) => async (call: QueryCall<PolicyRequest>) => {
    await identity.deletePolicy(
      await scope(call),
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
    CreateAccount: async ({ principal, input }) => {
      const a = await identity.createAccount(principal, need(input.AccountName, 'AccountName'));
      return { Account: { AccountName: a.name, AccountId: a.id } };
    },
    DeleteAccount: async ({ principal, input }) => {
      await identity.deleteAccount(principal, need(input.AccountName, 'AccountName'), recursive(input));
      return {};
    },
    ListAccounts: async ({ principal }) => ({
      Accounts: (await identity.listAccounts(principal)).map((a) => ({ AccountName: a.name, AccountId: a.id })),
      IsTruncated: false,
    }),
    CreateAccountAlias: async (call) => {
      await identity.createAlias(await scope(call), need(call.input.AccountAlias, 'AccountAlias'));
      return {};
    },
    DeleteAccountAlias: async (call) => {
      await identity.deleteAlias(await scope(call), need(call.input.AccountAlias, 'AccountAlias'));
      return {};
    },
    ListAccountAliases: async (call) => ({
      AccountAliases: await identity.aliases(await scope(call)),
      IsTruncated: false,
    }),
    GetAccountSummary: async (call) => ({
      SummaryMap: namedList(
        'entry',
        Object.entries(await identity.summary(await scope(call))).map(([key, value]) => ({ key, value })),
      ),
    }),
    // Users
    GetUser: async (call) => {
      const user = await identity.subject(await scope(call), subjectName(call));
      // Eucalyptus' ShowExtra: whether the user may act, and its registration status (always confirmed here).
      const extra = call.input.ShowExtra ? { Enabled: await identity.enabled(user), RegStatus: 'CONFIRMED' } : {};
      return { User: { ...userXml(user), ...extra } };
    },
    CreateUser: async (call) => ({
      User: userXml(
        await identity.createUser(await scope(call), need(call.input.UserName, 'UserName'), call.input.Path),
      ),
    }),
    UpdateUser: async (call) => {
      await identity.updateUser(await scope(call), need(call.input.UserName, 'UserName'), {
        newName: call.input.NewUserName || undefined,
        newPath: call.input.NewPath,
        enabled: call.input.Enabled,
        regStatus: call.input.RegStatus,
        passwordExpiration: call.input.PasswordExpiration,
      });
      return {};
    },
    DeleteUser: async (call) => {
      await identity.deleteUser(await scope(call), need(call.input.UserName, 'UserName'), recursive(call.input));
      return {};
    },
    ListUsers: async (call) => ({
      Users: (await identity.listUsers(await scope(call), call.input.PathPrefix)).map(userXml),
      IsTruncated: false,
    }),
    // Groups
    CreateGroup: async (call) => ({
      Group: groupXml(
        await identity.createGroup(await scope(call), need(call.input.GroupName, 'GroupName'), call.input.Path),
      ),
    }),
    UpdateGroup: async (call) => {
      await identity.updateGroup(await scope(call), need(call.input.GroupName, 'GroupName'), {
        newName: call.input.NewGroupName || undefined,
        newPath: call.input.NewPath,
      });
      return {};
    },
    DeleteGroup: async (call) => {
      await identity.deleteGroup(await scope(call), need(call.input.GroupName, 'GroupName'), recursive(call.input));
      return {};
    },
    ListGroups: async (call) => ({
      Groups: (await identity.listGroups(await scope(call), call.input.PathPrefix)).map(groupXml),
      IsTruncated: false,
    }),
    AddUserToGroup: async (call) => {
      const group = need(call.input.GroupName, 'GroupName');
      await identity.addUserToGroup(await scope(call), group, need(call.input.UserName, 'UserName'));
      return {};
    },
    RemoveUserFromGroup: async (call) => {
      const group = need(call.input.GroupName, 'GroupName');
      await identity.removeUserFromGroup(await scope(call), group, need(call.input.UserName, 'UserName'));
      return {};
    },
    GetGroup: async (call) => {
      const group = await identity.group(await scope(call), need(call.input.GroupName, 'GroupName'));
      return { Group: groupXml(group), Users: (await identity.members(group)).map(userXml), IsTruncated: false };
    },
    ListGroupsForUser: async (call) => ({
      Groups: (await identity.groupsForUser(await scope(call), need(call.input.UserName, 'UserName'))).map(groupXml),
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
    CreateAccessKey: async (call) => {
      const { user, key } = await identity.createAccessKey(await scope(call), subjectName(call));
      return { AccessKey: { ...keyXml(user, key), SecretAccessKey: key.secret } };
    },
    DeleteAccessKey: async (call) => {
      await identity.deleteAccessKey(await scope(call), subjectName(call), need(call.input.AccessKeyId, 'AccessKeyId'));
      return {};
    },
    UpdateAccessKey: async (call) => {
      const status = need(call.input.Status, 'Status');
      await identity.updateAccessKey(
        await scope(call),
        subjectName(call),
        need(call.input.AccessKeyId, 'AccessKeyId'),
        status,
      );
      return {};
    },
    ListAccessKeys: async (call) => {
      const { user, keys } = await identity.accessKeys(await scope(call), subjectName(call));
      return { UserName: user.name, AccessKeyMetadata: keys.map((k) => keyXml(user, k)), IsTruncated: false };
    },
    // Login profiles
    CreateLoginProfile: async (call) =>
      loginProfileXml(
        await identity.createLoginProfile(
          await scope(call),
          need(call.input.UserName, 'UserName'),
          need(call.input.Password, 'Password'),
        ),
      ),
    UpdateLoginProfile: async (call) => {
      await identity.updateLoginProfile(await scope(call), need(call.input.UserName, 'UserName'), call.input.Password);
      return {};
    },
    DeleteLoginProfile: async (call) => {
      await identity.deleteLoginProfile(await scope(call), need(call.input.UserName, 'UserName'));
      return {};
    },
    GetLoginProfile: async (call) =>
      loginProfileXml(await identity.loginProfile(await scope(call), need(call.input.UserName, 'UserName'))),
    // Signing certificates
    UploadSigningCertificate: async (call) => {
      const body = need(call.input.CertificateBody, 'CertificateBody');
      const { user, cert } = await identity.uploadCertificate(await scope(call), subjectName(call), body);
      return { Certificate: certXml(user, cert) };
    },
    CreateSigningCertificate: async (call) => {
      const { user, cert, privateKeyPem } = await identity.createCertificate(await scope(call), subjectName(call));
      return { Certificate: { ...certXml(user, cert), PrivateKey: privateKeyPem } };
    },
    DeleteSigningCertificate: async (call) => {
      await identity.deleteCertificate(
        await scope(call),
        subjectName(call),
        need(call.input.CertificateId, 'CertificateId'),
      );
      return {};
    },
    UpdateSigningCertificate: async (call) => {
      const status = need(call.input.Status, 'Status');
      const id = need(call.input.CertificateId, 'CertificateId');
      await identity.updateCertificate(await scope(call), subjectName(call), id, status);
      return {};
    },
    ListSigningCertificates: async (call) => {
      const { user, certs } = await identity.certificates(await scope(call), subjectName(call));
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
