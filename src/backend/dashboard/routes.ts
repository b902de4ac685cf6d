/**
 * What each Dashboard page does. Every change a page makes is the Euare (or EC2) action the
 * command line would send, authorized exactly as the API authorizes it (iam/enforce's authorize,
 * with the same action name and typed input) and carried out by the same service call; a refusal
 * comes back as the API's message on the page. Form fields are untrusted text: they reach only
 * typed service calls and escaped templates.
 */
import { buildPolicy } from '../../shared/policy-builder';
import type { CloudContext } from '../context';
import { cloudCa, userCredentials } from '../credentials';
import { ServiceError } from '../errors';
import { authorize, type Origin } from '../iam/enforce';
import { iamArn } from '../iam/policy';
import { isCloudAdmin } from '../iam/principals';
import type { Scope } from '../iam/service';
import type { Principal } from '../store/types';
import { zipBytes } from '../zip';
import { verboseZoneLines } from '../cluster/zone-view';
import { clearedCookie, type Session, sessionCookie, type SessionStore } from './sessions';
import type { LoginThrottle } from './throttle';
import type { PageName } from './views';

export interface DashboardRequest {
  params: string[];
  query: URLSearchParams;
  form: Record<string, string>;
  principal?: Principal;
  session?: Session;
  origin: Origin;
}

type Flash = { kind: 'ok' | 'error'; text: string };

export type Action =
  | { kind: 'page'; page: PageName; title: string; data?: Record<string, unknown>; status?: number; flash?: Flash }
  | { kind: 'redirect'; to: string; flash?: Flash; cookies?: string[] }
  | { kind: 'file'; filename: string; contentType: string; body: Buffer };

export interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  /** none: anyone; user: logged in; admin: the cloud administrator. */
  auth: 'none' | 'user' | 'admin';
  run(req: DashboardRequest): Promise<Action>;
}

const NAME = '([^/]+)';
const words = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean);
const ok = (to: string, text: string): Action => ({ kind: 'redirect', to, flash: { kind: 'ok', text } });
const failed = (to: string, e: unknown): Action => {
  if (!(e instanceof ServiceError)) throw e;
  return { kind: 'redirect', to, flash: { kind: 'error', text: `${e.code}: ${e.message}` } };
};
const at = (path: string, name: string) => `${path}/${encodeURIComponent(name)}`;

/** A policy document laid out for reading (as stored when it is not JSON the page can parse). */
function readable(document: string): string {
  try {
    return JSON.stringify(JSON.parse(document), null, 2);
  } catch {
    return document;
  }
}

export function routes(cloud: CloudContext, sessions: SessionStore, throttle: LoginThrottle): Route[] {
  const identity = cloud.identityService;

  /**
   * Runs a Euare action as the API would: authorized on its input, then the service call; in
   * another account (`delegate`) only for the cloud administrator, as DelegateAccount is.
   */
  async function euare<T>(
    req: DashboardRequest,
    action: string,
    input: object,
    run: (s: Scope) => Promise<T>,
    delegate?: string,
  ): Promise<T> {
    const p = req.principal!;
    const other = delegate && delegate !== p.account.id ? delegate : undefined;
    const scope = await identity.scope(p, other);
    await authorize(
      cloud,
      p,
      { service: 'iam', action, input, accountId: scope.account.id, delegateAccount: other },
      req.origin,
    );
    return run(scope);
  }

  /**
   * An EC2 describe as the API would answer it: authorized as its action first; undefined when
   * the user's policies do not allow it (the page then says so instead of showing it).
   */
  async function ec2<T>(req: DashboardRequest, action: string, run: () => Promise<T>): Promise<T | undefined> {
    const p = req.principal!;
    try {
      await authorize(cloud, p, { service: 'ec2', action, input: {}, accountId: p.account.id }, req.origin);
    } catch (e) {
      if (e instanceof ServiceError) return undefined;
      throw e;
    }
    return run();
  }

  /**
   * The "New users" and "New groups" forms: each name of the list (one path), made as CreateUser or
   * CreateGroup would make it, in the user's account or (the cloud administrator's) another.
   */
  async function createNamed(
    req: DashboardRequest,
    kind: 'users' | 'groups',
    back: string,
    account?: string,
  ): Promise<Action> {
    const path = req.form.path || '/';
    const made: string[] = [];
    try {
      for (const name of words(req.form.names)) {
        if (kind === 'groups')
          await euare(
            req,
            'CreateGroup',
            { GroupName: name, Path: path },
            (s) => identity.createGroup(s, name, path),
            account,
          );
        else
          await euare(
            req,
            'CreateUser',
            { UserName: name, Path: path },
            (s) => identity.createUser(s, name, path),
            account,
          );
        made.push(name);
      }
      return ok(back, `Created ${kind} ${made.join(', ')}.`);
    } catch (e) {
      const action = failed(back, e);
      if (action.kind === 'redirect' && action.flash && made.length)
        action.flash.text = `Created ${kind} ${made.join(', ')}; then ${action.flash.text}`;
      return action;
    }
  }

  /**
   * A user's or a group's Properties form: a rename and a move in one, as UpdateUser or
   * UpdateGroup (allowed on both sides of the move, as the API authorizes it).
   */
  async function saveProperties(req: DashboardRequest, kind: 'users' | 'groups'): Promise<Action> {
    const [name] = req.params;
    const newName = req.form.name?.trim() || name;
    const newPath = req.form.path?.trim();
    const change = { newName: newName !== name ? newName : undefined, newPath };
    try {
      if (kind === 'users')
        await euare(req, 'UpdateUser', { UserName: name, NewUserName: change.newName, NewPath: newPath }, (s) =>
          identity.updateUser(s, name, change),
        );
      else
        await euare(req, 'UpdateGroup', { GroupName: name, NewGroupName: change.newName, NewPath: newPath }, (s) =>
          identity.updateGroup(s, name, change),
        );
      return ok(at(`/${kind}`, newName), 'Saved.');
    } catch (e) {
      return failed(at(`/${kind}`, name), e);
    }
  }

  const route = (method: Route['method'], path: string, auth: Route['auth'], run: Route['run']): Route => ({
    method,
    path: new RegExp(`^${path}$`),
    auth,
    run,
  });

  return [
    // Log-in, log-out, sign-up
    route('GET', '/login', 'none', async (req) =>
      req.principal
        ? { kind: 'redirect', to: '/' }
        : { kind: 'page', page: 'login', title: 'Log in', data: { account: '', user: 'admin' } },
    ),
    route('POST', '/login', 'none', async (req) => {
      const { account = '', user = '', password = '' } = req.form;
      // Counted by the account it resolves to, however it is spelled (name, alias or ID).
      const name = `${(await identity.accountIdOf(account.trim())) ?? account.trim().toLowerCase()}/${user.trim()}`;
      const source = req.origin.sourceIp ?? '';
      const again = (error: string, status = 200): Action => ({
        kind: 'page',
        page: 'login',
        title: 'Log in',
        status,
        data: { account, user, error },
      });
      const locked = throttle.lockedUntil(name, source);
      if (locked)
        return again(
          `Too many failed log-ins: locked until ${new Date(locked).toISOString().slice(11, 19)} UTC. Try again later.`,
          429,
        );
      // Counted before the password is checked: attempts made at once all count.
      const wait = throttle.failed(name, source);
      const principal = await identity.passwordLogin(account.trim(), user.trim(), password);
      if (!principal) {
        if (wait) await new Promise((r) => setTimeout(r, wait));
        return again('The account, user name or password is not right, or the user may not log in.', 401);
      }
      throttle.succeeded(name, source);
      // Always a new session: an ID known before log-in is never the logged-in one.
      const session = sessions.create(principal.account.id, principal.user.id);
      return { kind: 'redirect', to: '/', cookies: [sessionCookie(session.id)] };
    }),
    route('POST', '/logout', 'user', async (req) => {
      sessions.destroy(req.session!.id);
      return { kind: 'redirect', to: '/login', cookies: [clearedCookie] };
    }),
    route('GET', '/signup', 'none', async () => ({
      kind: 'page',
      page: 'signup',
      title: 'Apply for an account',
      data: { account: '', email: '' },
    })),
    route('POST', '/signup', 'none', async (req) => {
      const { account = '', email = '', password = '', password2 = '' } = req.form;
      const again = (error: string): Action => ({
        kind: 'page',
        page: 'signup',
        title: 'Apply for an account',
        status: 400,
        data: { account, email, error },
      });
      if (password !== password2) return again('The two passwords differ.');
      try {
        await identity.requestAccount(account, email, req.origin, password);
      } catch (e) {
        if (e instanceof ServiceError) return again(e.message);
        throw e;
      }
      return { kind: 'page', page: 'applied', title: 'Application received', data: { account } };
    }),

    // Start page
    route('GET', '/', 'user', async (req) => {
      const p = req.principal!;
      const images = await ec2(req, 'DescribeImages', () =>
        cloud.ec2.images.describe(p, { ids: [], owners: [], executableBy: [], filters: [] }),
      );
      const instances = await ec2(req, 'DescribeInstances', () =>
        cloud.ec2.instances.describe(p, { ids: [], filters: [], verbose: false }),
      );
      // As many as the user may list; a dash where their policies do not let them.
      const count = <T>(action: string, list: (s: Scope) => Promise<T[]>) =>
        euare(req, action, {}, list).then(
          (xs) => String(xs.length),
          (e: unknown) => (e instanceof ServiceError ? '–' : Promise.reject(e)),
        );
      return {
        kind: 'page',
        page: 'home',
        title: 'Start',
        data: {
          account: p.account,
          counts: {
            users: await count('ListUsers', (s) => identity.listUsers(s)),
            groups: await count('ListGroups', (s) => identity.listGroups(s)),
            images: images ? String(images.images.length) : '–',
            instances: instances ? String(instances.instances.length) : '–',
          },
        },
      };
    }),

    // Users
    route('GET', '/users', 'user', async (req) => {
      try {
        const users = await euare(req, 'ListUsers', {}, (s) => identity.listUsers(s));
        return { kind: 'page', page: 'users', title: 'Users', data: { users } };
      } catch (e) {
        return failed('/', e);
      }
    }),
    route('POST', '/users', 'user', async (req) => createNamed(req, 'users', '/users')),
    route('GET', `/users/${NAME}`, 'user', async (req) => {
      const [name] = req.params;
      try {
        const user = await euare(req, 'GetUser', { UserName: name }, (s) => identity.user(s, name));
        const groups = await euare(req, 'ListGroupsForUser', { UserName: name }, (s) =>
          identity.groupsForUser(s, name),
        );
        const arn = iamArn(req.principal!.account.id, 'user', user.name, user.path);
        return { kind: 'page', page: 'user', title: `User ${user.name}`, data: { user, groups, arn } };
      } catch (e) {
        return failed('/users', e);
      }
    }),
    route('POST', `/users/${NAME}`, 'user', async (req) => saveProperties(req, 'users')),
    route('POST', `/users/${NAME}/password`, 'user', async (req) => {
      const [name] = req.params;
      const { password = '', password2 = '' } = req.form;
      if (password !== password2)
        return {
          kind: 'redirect',
          to: at('/users', name),
          flash: { kind: 'error', text: 'The two passwords differ.' },
        };
      try {
        const exists = await euare(req, 'GetLoginProfile', { UserName: name }, (s) =>
          identity.loginProfile(s, name).then(
            () => true,
            (e: ServiceError) => (e.code === 'NoSuchEntity' ? false : Promise.reject(e)),
          ),
        );
        if (exists)
          await euare(req, 'UpdateLoginProfile', { UserName: name }, (s) =>
            identity.updateLoginProfile(s, name, password),
          );
        else
          await euare(req, 'CreateLoginProfile', { UserName: name }, (s) =>
            identity.createLoginProfile(s, name, password),
          );
        return ok(at('/users', name), `The password of ${name} is set.`);
      } catch (e) {
        return failed(at('/users', name), e);
      }
    }),
    route('POST', `/users/${NAME}/delete`, 'user', async (req) => {
      const [name] = req.params;
      try {
        const user = await euare(req, 'GetUser', { UserName: name }, (s) => identity.user(s, name));
        await euare(req, 'DeleteUser', { UserName: name }, (s) => identity.deleteUser(s, name, true));
        sessions.destroyUser(user.id);
        return ok('/users', `Deleted ${name}.`);
      } catch (e) {
        return failed(at('/users', name), e);
      }
    }),

    // Groups
    route('GET', '/groups', 'user', async (req) => {
      try {
        const groups = await euare(req, 'ListGroups', {}, (s) => identity.listGroups(s));
        return { kind: 'page', page: 'groups', title: 'Groups', data: { groups } };
      } catch (e) {
        return failed('/', e);
      }
    }),
    route('POST', '/groups', 'user', async (req) => createNamed(req, 'groups', '/groups')),
    route('GET', `/groups/${NAME}`, 'user', async (req) => {
      const [name] = req.params;
      try {
        const group = await euare(req, 'GetGroup', { GroupName: name }, (s) => identity.group(s, name));
        const members = await identity.members(group);
        const names = await euare(req, 'ListGroupPolicies', { GroupName: name }, (s) =>
          identity.policyNames(s, 'group', name),
        );
        const policies: { name: string; document: string }[] = [];
        for (const policy of names) {
          const { document } = await euare(req, 'GetGroupPolicy', { GroupName: name, PolicyName: policy }, (s) =>
            identity.policy(s, 'group', name, policy),
          );
          policies.push({ name: policy, document: readable(document) });
        }
        const arn = iamArn(req.principal!.account.id, 'group', group.name, group.path);
        return {
          kind: 'page',
          page: 'group',
          title: `Group ${group.name}`,
          data: { group, members, policies, arn },
        };
      } catch (e) {
        return failed('/groups', e);
      }
    }),
    route('POST', `/groups/${NAME}`, 'user', async (req) => saveProperties(req, 'groups')),
    route('POST', `/groups/${NAME}/users`, 'user', async (req) => {
      const [name] = req.params;
      const user = req.form.user?.trim() ?? '';
      const add = req.form.op !== 'remove';
      const input = { GroupName: name, UserName: user };
      try {
        if (add) await euare(req, 'AddUserToGroup', input, (s) => identity.addUserToGroup(s, name, user));
        else await euare(req, 'RemoveUserFromGroup', input, (s) => identity.removeUserFromGroup(s, name, user));
        return ok(at('/groups', name), add ? `Added ${user}.` : `Removed ${user}.`);
      } catch (e) {
        return failed(at('/groups', name), e);
      }
    }),
    route('POST', `/groups/${NAME}/policies`, 'user', async (req) => {
      const [name] = req.params;
      const policy = req.form.policy?.trim() ?? '';
      try {
        const document = req.form.document?.trim()
          ? req.form.document
          : buildPolicy(req.form.effect ?? 'Allow', words(req.form.actions), words(req.form.resources));
        const input = { GroupName: name, PolicyName: policy, PolicyDocument: document };
        await euare(req, 'PutGroupPolicy', input, (s) => identity.putPolicy(s, 'group', name, policy, document));
        return ok(at('/groups', name), `Policy ${policy} added.`);
      } catch (e) {
        if (!(e instanceof ServiceError) && e instanceof Error)
          return { kind: 'redirect', to: at('/groups', name), flash: { kind: 'error', text: e.message } };
        return failed(at('/groups', name), e);
      }
    }),
    route('POST', `/groups/${NAME}/policies/delete`, 'user', async (req) => {
      const [name] = req.params;
      const policy = req.form.policy ?? '';
      try {
        await euare(req, 'DeleteGroupPolicy', { GroupName: name, PolicyName: policy }, (s) =>
          identity.deletePolicy(s, 'group', name, policy),
        );
        return ok(at('/groups', name), `Policy ${policy} deleted.`);
      } catch (e) {
        return failed(at('/groups', name), e);
      }
    }),
    route('POST', `/groups/${NAME}/delete`, 'user', async (req) => {
      const [name] = req.params;
      try {
        await euare(req, 'DeleteGroup', { GroupName: name }, (s) => identity.deleteGroup(s, name, true));
        return ok('/groups', `Deleted ${name}.`);
      } catch (e) {
        return failed(at('/groups', name), e);
      }
    }),

    // Credentials
    route('GET', '/credentials', 'user', async (req) => {
      const me = req.principal!.user.name;
      try {
        const { keys } = await euare(req, 'ListAccessKeys', { UserName: me }, (s) => identity.accessKeys(s, me));
        const { certs } = await euare(req, 'ListSigningCertificates', { UserName: me }, (s) =>
          identity.certificates(s, me),
        );
        return {
          kind: 'page',
          page: 'credentials',
          title: 'Credentials',
          data: {
            user: me,
            keys: keys.map((k) => ({ id: k.id, status: k.status, created: k.created })),
            certs: certs.map((c) => ({ id: c.id, status: c.status, created: c.created })),
          },
        };
      } catch (e) {
        return failed('/', e);
      }
    }),
    route('POST', '/credentials/keys', 'user', async (req) => {
      const me = req.principal!.user.name;
      const key = req.form.key ?? '';
      try {
        switch (req.form.op) {
          case 'create': {
            const { key: made } = await euare(req, 'CreateAccessKey', { UserName: me }, (s) =>
              identity.createAccessKey(s, me),
            );
            // Shown once, on this page only: never in a URL, a log or a later page.
            const { keys } = await identity.accessKeys(await identity.scope(req.principal!), me);
            const { certs } = await identity.certificates(await identity.scope(req.principal!), me);
            return {
              kind: 'page',
              page: 'credentials',
              title: 'Credentials',
              data: {
                user: me,
                newKey: { id: made.id, secret: made.secret },
                keys: keys.map((k) => ({ id: k.id, status: k.status, created: k.created })),
                certs: certs.map((c) => ({ id: c.id, status: c.status, created: c.created })),
              },
            };
          }
          case 'delete':
            await euare(req, 'DeleteAccessKey', { UserName: me, AccessKeyId: key }, (s) =>
              identity.deleteAccessKey(s, me, key),
            );
            return ok('/credentials', `Deleted ${key}.`);
          default: {
            const status = req.form.op === 'activate' ? 'Active' : 'Inactive';
            await euare(req, 'UpdateAccessKey', { UserName: me, AccessKeyId: key, Status: status }, (s) =>
              identity.updateAccessKey(s, me, key, status),
            );
            return ok('/credentials', `${key} is ${status}.`);
          }
        }
      } catch (e) {
        return failed('/credentials', e);
      }
    }),
    route('POST', '/credentials/download', 'user', async (req) => {
      const p = req.principal!;
      const session = req.session!;
      // What euca_conf --get-credentials hands out, as this user may have it: a key of their own
      // and a new signing certificate, each allowed as its Euare action is; one set a minute.
      try {
        for (const action of ['CreateAccessKey', 'CreateSigningCertificate'])
          await authorize(
            cloud,
            p,
            { service: 'iam', action, input: { UserName: p.user.name }, accountId: p.account.id },
            req.origin,
          );
        if (session.credentialsAt !== undefined && Date.now() - session.credentialsAt < 60_000)
          throw new ServiceError('Throttling', 'New credentials were made less than a minute ago; try again shortly.');
        session.credentialsAt = Date.now();
      } catch (e) {
        return failed('/', e);
      }
      let files: Record<string, string>;
      try {
        files = await userCredentials(cloud.store, cloudCa(cloud.paths.keysDir), cloud.urls, p.account, p.user);
      } catch (e) {
        return failed('/', e);
      }
      return {
        kind: 'file',
        filename: `euca2-${p.user.name}-x509.zip`,
        contentType: 'application/zip',
        body: await zipBytes(files),
      };
    }),

    // Images and the account's resources (read-only)
    route('GET', '/images', 'user', async (req) => {
      const p = req.principal!;
      const found = await ec2(req, 'DescribeImages', () =>
        cloud.ec2.images.describe(p, { ids: [], owners: [], executableBy: [], filters: [] }),
      );
      if (!found)
        return failed('/', new ServiceError('UnauthorizedOperation', 'You are not authorized to describe images.'));
      const { images, ownerAlias } = found;
      return {
        kind: 'page',
        page: 'images',
        title: 'Images',
        data: {
          images: images.map((i) => ({
            id: i.id,
            name: i.name,
            description: i.description ?? '',
            location: i.location ?? '',
            owner: ownerAlias(i.accountId) ?? i.accountId,
            state: i.state,
            reason: i.stateReason,
            visibility: i.isPublic ? 'public' : 'private',
            type: i.type,
          })),
        },
      };
    }),
    route('GET', '/resources', 'user', async (req) => {
      const p = req.principal!;
      // Each list as its describe is allowed; one not allowed is said, not shown.
      const keypairs = await ec2(req, 'DescribeKeyPairs', () =>
        cloud.ec2.keypairs.describe(p, { names: [], filters: [] }),
      );
      const instances = (
        await ec2(req, 'DescribeInstances', () =>
          cloud.ec2.instances.describe(p, { ids: [], filters: [], verbose: false }),
        )
      )?.instances;
      const volumes = await ec2(req, 'DescribeVolumes', () =>
        cloud.ec2.volumes.describe(p, { ids: [], verbose: false, filters: [] }),
      );
      const addresses = await ec2(req, 'DescribeAddresses', () =>
        cloud.ec2.addresses
          .describe(p, { ips: [], filters: [] })
          .then((r) => r.addresses.filter((a) => a.accountId === p.account.id))
          .catch((e: unknown) => (e instanceof ServiceError ? [] : Promise.reject(e))),
      );
      return {
        kind: 'page',
        page: 'resources',
        title: 'Resources',
        data: {
          account: p.account.name,
          tables: [
            {
              title: 'Instances',
              columns: ['ID', 'Image', 'State', 'Type', 'Public address', 'Private address', 'Key pair', 'Launched'],
              denied: !instances,
              rows: (instances ?? []).map((i) => [
                i.id,
                i.imageId,
                i.state,
                i.instanceType,
                i.publicIp ?? '',
                i.privateIp ?? '',
                i.keyName ?? '',
                i.launchTime,
              ]),
            },
            {
              title: 'Volumes',
              columns: ['ID', 'Size (GiB)', 'Zone', 'State', 'Snapshot', 'Created'],
              denied: !volumes,
              rows: (volumes ?? []).map((v) => [
                v.id,
                String(v.sizeGiB),
                v.zone,
                v.status,
                v.snapshotId ?? '',
                v.created,
              ]),
            },
            {
              title: 'Key pairs',
              columns: ['Name', 'Fingerprint'],
              denied: !keypairs,
              rows: (keypairs ?? []).map((k) => [k.name, k.fingerprint]),
            },
            {
              title: 'Addresses',
              columns: ['Address', 'Instance'],
              denied: !addresses,
              rows: (addresses ?? []).map((a) => [a.ip, a.instanceId ?? '']),
            },
          ],
        },
      };
    }),

    // The cloud administrator's pages
    // Accounts: the cloud administrator's every account, anyone else's own (seed 000 creates users
    // and groups from here: "Click Accounts ... New groups").
    route('GET', '/accounts', 'user', async (req) => {
      const p = req.principal!;
      const admin = isCloudAdmin({ principal: p });
      const accounts = admin ? await identity.listAccounts(p) : [p.account];
      const rows = [];
      for (const a of accounts) {
        const listed = <T>(action: string, run: (s: Scope) => Promise<T[]>) =>
          euare(req, action, {}, run, a.id).catch((e: unknown) =>
            e instanceof ServiceError ? undefined : Promise.reject(e),
          );
        const users = await listed('ListUsers', (s) => identity.listUsers(s));
        const groups = await listed('ListGroups', (s) => identity.listGroups(s));
        rows.push({
          name: a.name,
          id: a.id,
          users: users
            ? await Promise.all(
                users.map(async (u) => ({ name: u.name, enabled: await cloud.identity.userEnabled(u.id) })),
              )
            : undefined,
          groups: groups?.map((g) => g.name),
        });
      }
      return { kind: 'page', page: 'accounts', title: 'Accounts', data: { accounts: rows, admin } };
    }),
    route('POST', `/accounts/${NAME}/new`, 'user', async (req) =>
      createNamed(req, req.form.kind === 'groups' ? 'groups' : 'users', '/accounts', req.params[0]),
    ),
    route('POST', '/accounts/users', 'admin', async (req) => {
      const { account = '', user = '', password = '', op } = req.form;
      try {
        const s = await identity.scope(req.principal!, account);
        const u = await identity.user(s, user);
        if (op === 'password') {
          const has = await identity.loginProfile(s, user).then(
            () => true,
            (e: ServiceError) => (e.code === 'NoSuchEntity' ? false : Promise.reject(e)),
          );
          if (has) await identity.updateLoginProfile(s, user, password);
          else await identity.createLoginProfile(s, user, password);
          sessions.destroyUser(u.id);
          return ok('/accounts', `The password of ${user} in ${account} is reset.`);
        }
        if (isCloudAdmin({ principal: { account: s.account, user: u } }))
          throw new ServiceError('InvalidParameterValue', 'The cloud administrator cannot be disabled.');
        await cloud.identity.setUserEnabled(u.id, op === 'enable');
        if (op !== 'enable') sessions.destroyUser(u.id);
        return ok('/accounts', `${user} in ${account} is ${op === 'enable' ? 'enabled' : 'disabled'}.`);
      } catch (e) {
        return failed('/accounts', e);
      }
    }),
    route('GET', '/signups', 'admin', async (req) => ({
      kind: 'page',
      page: 'signups',
      title: 'Sign-ups',
      data: { requests: await identity.accountRequests(req.principal!) },
    })),
    route('POST', '/signups', 'admin', async (req) => {
      const name = req.form.account ?? '';
      try {
        if (req.form.op === 'approve') {
          const account = await identity.approveAccountRequest(req.principal!, name);
          return ok('/signups', `Approved: account ${account.name} (${account.id}).`);
        }
        await identity.rejectAccountRequest(req.principal!, name);
        return ok('/signups', `Rejected ${name}.`);
      } catch (e) {
        return failed('/signups', e);
      }
    }),
    route('GET', '/nodes', 'admin', async () => {
      const lines = [];
      for (const c of await cloud.store.listClusters())
        lines.push(...verboseZoneLines(c, await cloud.cluster.controller.availability(c.name)));
      return { kind: 'page', page: 'nodes', title: 'Nodes', data: { lines } };
    }),
  ];
}
