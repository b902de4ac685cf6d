/**
 * From a request to what policies are evaluated against: the IAM action name (`ec2:RunInstances`,
 * `iam:CreateUser`, `s3:GetObject`) and the ARNs of the resources it touches (`*` when the action
 * names none). Pure functions of the request's service, action (or, for S3, method and path),
 * its input as the action's wire model read it (src/shared/wire: what is authorized is what the
 * action acts on, read once) and the requester's account id.
 *
 * ARN forms, as Eucalyptus uses them:
 *   arn:aws:ec2::ACCOUNT:instance/i-12345678   image/emi-..., securitygroup/NAME, keypair/NAME,
 *   volume/vol-..., snapshot/snap-..., address/IP, vmtype/m1.small, availabilityzone/ZONE
 *   arn:aws:iam::ACCOUNT:user/PATH/NAME        group/PATH/NAME
 *   arn:aws:s3:::bucket   arn:aws:s3:::bucket/key
 */
export interface Authorization {
  action: string;
  resources: string[];
}

export type Params = Record<string, string | undefined>;

/** A request's typed input (an EC2 or IAM request shape of src/shared/wire). */
export type RequestInput = object;

export const ec2Arn = (accountId: string, type: string, id: string) => `arn:aws:ec2::${accountId}:${type}/${id}`;

/** `/path/` + name as IAM writes it in ARNs (path defaults to `/`). */
export const iamArn = (
  accountId: string,
  type: 'user' | 'group' | 'role' | 'instance-profile',
  name: string,
  path = '/',
) =>
  `arn:aws:iam::${accountId}:${type}${path.startsWith('/') ? path : '/' + path}${path.endsWith('/') ? '' : '/'}${name}`;

export const s3Arn = (bucket: string, key?: string) => `arn:aws:s3:::${bucket}${key !== undefined ? '/' + key : ''}`;

/** The names or ids an input gives in these members, each a string or a list of them. */
function namesIn(input: RequestInput, ...members: string[]): string[] {
  const values = input as Record<string, unknown>;
  return members.flatMap((m) => {
    const v = values[m];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
    return typeof v === 'string' && v !== '' ? [v] : [];
  });
}

/** The ARN resource type of an EC2 resource id, by its prefix. */
export function ec2TypeOf(id: string): string | undefined {
  if (/^i-/.test(id)) return 'instance';
  if (/^[aek]mi-|^eri-|^eki-|^ari-|^aki-/.test(id)) return 'image';
  if (/^vol-/.test(id)) return 'volume';
  if (/^snap-/.test(id)) return 'snapshot';
  if (/^sg-/.test(id)) return 'securitygroup';
  return undefined;
}

const INSTANCE_ACTIONS = new Set([
  'TerminateInstances',
  'RebootInstances',
  'StopInstances',
  'StartInstances',
  'GetConsoleOutput',
  'GetPasswordData',
  'DescribeInstanceAttribute',
  'ModifyInstanceAttribute',
  'ResetInstanceAttribute',
  'MonitorInstances',
  'UnmonitorInstances',
  'BundleInstance',
  'CreateImage',
  'ConfirmProductInstance',
]);
const IMAGE_ACTIONS = new Set([
  'DeregisterImage',
  'DescribeImageAttribute',
  'ModifyImageAttribute',
  'ResetImageAttribute',
]);
const SNAPSHOT_ACTIONS = new Set([
  'DeleteSnapshot',
  'DescribeSnapshotAttribute',
  'ModifySnapshotAttribute',
  'ResetSnapshotAttribute',
]);
const VOLUME_ACTIONS = new Set([
  'DeleteVolume',
  'AttachVolume',
  'DetachVolume',
  'CreateSnapshot',
  'EnableVolumeIO',
  'DescribeVolumeAttribute',
  'ModifyVolumeAttribute',
]);
const GROUP_ACTIONS = new Set([
  'CreateSecurityGroup',
  'DeleteSecurityGroup',
  'AuthorizeSecurityGroupIngress',
  'RevokeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'RevokeSecurityGroupEgress',
]);
const KEYPAIR_ACTIONS = new Set(['CreateKeyPair', 'DeleteKeyPair', 'ImportKeyPair']);
const ADDRESS_ACTIONS = new Set(['ReleaseAddress', 'AssociateAddress', 'DisassociateAddress']);

/**
 * A resource's one name in ARNs, from the stored record however the request named it: a
 * security group's stored name whether named by GroupName or GroupId, a key pair's stored name.
 * Undefined when there is no such resource (its ARN then names it as the request does).
 */
export type Ec2Canonical = (type: string, nameOrId: string) => string | undefined;

/** An EC2 Query request: `ec2:<Action>` and the ARNs of its resources. */
/**
 * What an EC2 request also asks of the caller's policies, besides its own action: a stopped
 * instance given a new type, kernel or ramdisk (ModifyInstanceAttribute) runs with them when it
 * starts, so the caller must be allowed to launch with them (ec2:RunInstances on those
 * resources), as a launch would be checked: a type a policy denies at launch is denied here too.
 */
export function impliedEc2Requests(action: string, input: RequestInput): { action: string; input: RequestInput }[] {
  if (action !== 'ModifyInstanceAttribute') return [];
  const asked = input as Record<string, { Value?: unknown } | string | undefined>;
  const value = (member: string, attribute: string) => {
    const v = (asked[member] as { Value?: unknown } | undefined)?.Value;
    if (typeof v === 'string') return v;
    return asked.Attribute === attribute && typeof asked.Value === 'string' ? asked.Value : undefined;
  };
  const launch = {
    InstanceType: value('InstanceType', 'instanceType'),
    KernelId: value('Kernel', 'kernel'),
    RamdiskId: value('Ramdisk', 'ramdisk'),
  };
  return Object.values(launch).some((v) => v !== undefined) ? [{ action: 'RunInstances', input: launch }] : [];
}

export function ec2Authorization(
  action: string,
  input: RequestInput,
  accountId: string,
  canonical: Ec2Canonical = () => undefined,
): Authorization {
  const arn = (type: string, id: string) => ec2Arn(accountId, type, canonical(type, id) ?? id);
  const resources: string[] = [];
  const add = (type: string, ids: string[]) => {
    for (const id of ids) resources.push(arn(type, id));
  };
  const names = (...members: string[]) => namesIn(input, ...members);
  if (action === 'RunInstances') {
    const { Placement } = input as { Placement?: RequestInput };
    add('image', names('ImageId'));
    // A launch is of m1.small unless it says; the check a change implies (impliedEc2Requests) names its own.
    add('vmtype', names('InstanceType').length || !names('ImageId').length ? names('InstanceType') : ['m1.small']);
    add('keypair', names('KeyName'));
    add('securitygroup', names('SecurityGroups', 'SecurityGroupIds'));
    add('availabilityzone', Placement ? namesIn(Placement, 'AvailabilityZone') : []);
    add('image', names('KernelId', 'RamdiskId'));
  } else if (INSTANCE_ACTIONS.has(action)) {
    add('instance', names('InstanceId', 'InstanceIds'));
  } else if (IMAGE_ACTIONS.has(action)) {
    add('image', names('ImageId'));
  } else if (SNAPSHOT_ACTIONS.has(action)) {
    add('snapshot', names('SnapshotId'));
  } else if (VOLUME_ACTIONS.has(action)) {
    add('volume', names('VolumeId'));
    if (action === 'AttachVolume' || action === 'DetachVolume') add('instance', names('InstanceId'));
  } else if (action === 'CreateVolume') {
    add('snapshot', names('SnapshotId'));
    add('availabilityzone', names('AvailabilityZone'));
  } else if (GROUP_ACTIONS.has(action)) {
    add('securitygroup', names('GroupName', 'GroupId'));
  } else if (KEYPAIR_ACTIONS.has(action)) {
    add('keypair', names('KeyName'));
  } else if (ADDRESS_ACTIONS.has(action)) {
    add('address', names('PublicIp'));
    if (action === 'AssociateAddress') add('instance', names('InstanceId'));
  } else if (action === 'CreateTags' || action === 'DeleteTags') {
    for (const id of names('Resources')) {
      const type = ec2TypeOf(id);
      if (type) resources.push(arn(type, id));
    }
  }
  return { action: `ec2:${action}`, resources: resources.length ? resources : ['*'] };
}

/** A user or group as the store holds it: its stored name (case kept) and path. */
export interface IamEntity {
  name: string;
  path: string;
}

export interface IamOptions {
  /** The requester's own user name, for the actions that default to the caller (CreateAccessKey, ...). */
  callerUserName?: string;
  /**
   * Finds a user or group of the account as the store holds it (names compare as the store
   * does, without case for groups): ARNs are built from the stored name and path, so that every
   * spelling of a name is one resource.
   */
  find?: (type: 'user' | 'group', name: string) => IamEntity | undefined;
}

/**
 * What each Euare action acts on: the entity its ARN names (`caller`: UserName, or the caller
 * when absent). The parameters an action takes are its wire model's (src/shared/wire/iam.ts).
 */
type IamTarget = 'user' | 'group' | 'caller' | 'none';

const IAM_TARGETS: Record<string, IamTarget> = {
  CreateAccount: 'none',
  DeleteAccount: 'none',
  ListAccounts: 'none',
  CreateAccountAlias: 'none',
  DeleteAccountAlias: 'none',
  ListAccountAliases: 'none',
  GetAccountSummary: 'none',
  GetUser: 'caller',
  CreateUser: 'user',
  DeleteUser: 'user',
  UpdateUser: 'user',
  ListUsers: 'none',
  CreateGroup: 'group',
  DeleteGroup: 'group',
  UpdateGroup: 'group',
  ListGroups: 'none',
  AddUserToGroup: 'group',
  RemoveUserFromGroup: 'group',
  GetGroup: 'group',
  ListGroupsForUser: 'user',
  PutUserPolicy: 'user',
  GetUserPolicy: 'user',
  ListUserPolicies: 'user',
  DeleteUserPolicy: 'user',
  PutGroupPolicy: 'group',
  GetGroupPolicy: 'group',
  ListGroupPolicies: 'group',
  DeleteGroupPolicy: 'group',
  CreateAccessKey: 'caller',
  DeleteAccessKey: 'caller',
  UpdateAccessKey: 'caller',
  ListAccessKeys: 'caller',
  CreateLoginProfile: 'user',
  UpdateLoginProfile: 'user',
  DeleteLoginProfile: 'user',
  GetLoginProfile: 'user',
  UploadSigningCertificate: 'caller',
  CreateSigningCertificate: 'caller',
  DeleteSigningCertificate: 'caller',
  UpdateSigningCertificate: 'caller',
  ListSigningCertificates: 'caller',
};

/** An IAM (Euare) request: `iam:<Action>` and the ARN of the user or group it acts on. */
export function iamAuthorization(
  action: string,
  input: RequestInput,
  accountId: string,
  opts: IamOptions = {},
): Authorization {
  const params = input as Params;
  const target = IAM_TARGETS[action] ?? 'none';
  /** The entity's ARN from its stored record; one being created (or not found) as the request names it. */
  const arnOf = (type: 'user' | 'group', name: string, givenPath?: string) => {
    const found = givenPath === undefined ? opts.find?.(type, name) : undefined;
    return iamArn(accountId, type, found?.name ?? name, found?.path ?? givenPath ?? '/');
  };
  const creating = action === 'CreateUser' || action === 'CreateGroup';
  const resources: string[] = [];
  let type: 'user' | 'group' | undefined;
  let name: string | undefined;
  if (target === 'group') [type, name] = ['group', params.GroupName];
  else if (target === 'user' || (target === 'caller' && params.UserName)) [type, name] = ['user', params.UserName];
  else if (target === 'caller' && opts.callerUserName) [type, name] = ['user', opts.callerUserName];
  if (type && name) resources.push(arnOf(type, name, creating ? (params.Path ?? '/') : undefined));
  // A rename or move is allowed only on both sides of it (seed 000, "Modify a Group").
  if ((action === 'UpdateGroup' || action === 'UpdateUser') && type && name) {
    const current = opts.find?.(type, name) ?? { name, path: '/' };
    const newName = (type === 'group' ? params.NewGroupName : params.NewUserName) || current.name;
    if (newName !== current.name || params.NewPath)
      resources.push(iamArn(accountId, type, newName, params.NewPath || current.path));
  }
  return { action: `iam:${action}`, resources: resources.length ? resources : ['*'] };
}

export interface S3Request {
  method: string;
  /** The path-style path, `/bucket/key` (URL-decoded); `/` lists the buckets. */
  path: string;
  /** The query's parameters (subresources: acl, location, uploads, uploadId, versionId, ...). */
  query?: Params;
  /** The bucket, for a virtual-hosted request: the path is then just `/key`. */
  bucket?: string;
  /**
   * A permission an operation needs besides its own (s3:BypassGovernanceRetention), asked on the
   * same resource: this action instead of the one the method and path name.
   */
  action?: string;
  /** The request's headers (names lower-cased), for the condition keys they bring. */
  headers?: Record<string, string>;
  /** How the request was authenticated, when its headers and query do not say: 'POST' for a form. */
  authType?: 'POST';
}

const has = (q: Params, k: string) => Object.prototype.hasOwnProperty.call(q, k);

/** The subresource operations, by method, for buckets and for objects. */
const BUCKET_SUB: Record<string, Record<string, string>> = {
  GET: {
    acl: 'GetBucketAcl',
    policy: 'GetBucketPolicy',
    location: 'GetBucketLocation',
    versioning: 'GetBucketVersioning',
    logging: 'GetBucketLogging',
    lifecycle: 'GetLifecycleConfiguration',
    cors: 'GetBucketCORS',
    tagging: 'GetBucketTagging',
    website: 'GetBucketWebsite',
    notification: 'GetBucketNotification',
    requestPayment: 'GetBucketRequestPayment',
    versions: 'ListBucketVersions',
    uploads: 'ListBucketMultipartUploads',
    encryption: 'GetEncryptionConfiguration',
    ownershipControls: 'GetBucketOwnershipControls',
    publicAccessBlock: 'GetBucketPublicAccessBlock',
    policyStatus: 'GetBucketPolicyStatus',
    'object-lock': 'GetBucketObjectLockConfiguration',
    accelerate: 'GetAccelerateConfiguration',
    analytics: 'GetAnalyticsConfiguration',
    inventory: 'GetInventoryConfiguration',
    metrics: 'GetMetricsConfiguration',
    'intelligent-tiering': 'GetIntelligentTieringConfiguration',
    replication: 'GetReplicationConfiguration',
  },
  PUT: {
    acl: 'PutBucketAcl',
    policy: 'PutBucketPolicy',
    versioning: 'PutBucketVersioning',
    logging: 'PutBucketLogging',
    lifecycle: 'PutLifecycleConfiguration',
    cors: 'PutBucketCORS',
    tagging: 'PutBucketTagging',
    website: 'PutBucketWebsite',
    notification: 'PutBucketNotification',
    requestPayment: 'PutBucketRequestPayment',
    encryption: 'PutEncryptionConfiguration',
    ownershipControls: 'PutBucketOwnershipControls',
    publicAccessBlock: 'PutBucketPublicAccessBlock',
    'object-lock': 'PutBucketObjectLockConfiguration',
    accelerate: 'PutAccelerateConfiguration',
    analytics: 'PutAnalyticsConfiguration',
    inventory: 'PutInventoryConfiguration',
    metrics: 'PutMetricsConfiguration',
    'intelligent-tiering': 'PutIntelligentTieringConfiguration',
    replication: 'PutReplicationConfiguration',
  },
  DELETE: {
    policy: 'DeleteBucketPolicy',
    lifecycle: 'PutLifecycleConfiguration',
    cors: 'PutBucketCORS',
    tagging: 'PutBucketTagging',
    website: 'DeleteBucketWebsite',
    encryption: 'PutEncryptionConfiguration',
    ownershipControls: 'PutBucketOwnershipControls',
    publicAccessBlock: 'PutBucketPublicAccessBlock',
    analytics: 'PutAnalyticsConfiguration',
    inventory: 'PutInventoryConfiguration',
    metrics: 'PutMetricsConfiguration',
    'intelligent-tiering': 'PutIntelligentTieringConfiguration',
    replication: 'PutReplicationConfiguration',
  },
};

/** An S3 (Walrus) request: `s3:<Operation>` and `arn:aws:s3:::bucket[/key]`. */
export function s3Authorization(req: S3Request): Authorization {
  const method = req.method.toUpperCase();
  const q = req.query ?? {};
  let path = req.path.startsWith('/') ? req.path.slice(1) : req.path;
  let bucket = req.bucket;
  if (!bucket) {
    const slash = path.indexOf('/');
    bucket = slash < 0 ? path : path.slice(0, slash);
    path = slash < 0 ? '' : path.slice(slash + 1);
  }
  const key = path === '' ? undefined : path;
  if (!bucket) return { action: 's3:ListAllMyBuckets', resources: ['arn:aws:s3:::*'] };
  const op = (name: string, k = key) => ({ action: `s3:${name}`, resources: [s3Arn(bucket!, k)] });
  if (req.action) return op(req.action);
  if (key === undefined) {
    const sub = BUCKET_SUB[method === 'HEAD' ? 'GET' : method];
    if (sub) for (const [name, operation] of Object.entries(sub)) if (has(q, name)) return op(operation);
    switch (method) {
      case 'GET':
      case 'HEAD':
        return op('ListBucket');
      case 'PUT':
        return op('CreateBucket');
      case 'DELETE':
        return op('DeleteBucket');
      case 'POST':
        return has(q, 'delete') ? op('DeleteObject', '*') : op('PutObject', '*');
    }
    return op(`${method}Bucket`);
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (has(q, 'acl')) return op(q.versionId ? 'GetObjectVersionAcl' : 'GetObjectAcl');
      if (has(q, 'tagging')) return op(q.versionId ? 'GetObjectVersionTagging' : 'GetObjectTagging');
      if (has(q, 'uploadId')) return op('ListMultipartUploadParts');
      if (has(q, 'torrent')) return op('GetObjectTorrent');
      if (has(q, 'attributes')) return op(q.versionId ? 'GetObjectVersionAttributes' : 'GetObjectAttributes');
      if (has(q, 'retention')) return op('GetObjectRetention');
      if (has(q, 'legal-hold')) return op('GetObjectLegalHold');
      return op(q.versionId ? 'GetObjectVersion' : 'GetObject');
    case 'PUT':
      if (has(q, 'acl')) return op(q.versionId ? 'PutObjectVersionAcl' : 'PutObjectAcl');
      if (has(q, 'tagging')) return op(q.versionId ? 'PutObjectVersionTagging' : 'PutObjectTagging');
      if (has(q, 'retention')) return op('PutObjectRetention');
      if (has(q, 'legal-hold')) return op('PutObjectLegalHold');
      return op('PutObject');
    case 'POST':
      return op('PutObject');
    case 'DELETE':
      if (has(q, 'uploadId')) return op('AbortMultipartUpload');
      if (has(q, 'tagging')) return op(q.versionId ? 'DeleteObjectVersionTagging' : 'DeleteObjectTagging');
      return op(q.versionId ? 'DeleteObjectVersion' : 'DeleteObject');
  }
  return op(`${method}Object`);
}

export type ServiceRequest =
  | { service: 'ec2'; action: string; input: RequestInput; accountId: string; canonical?: Ec2Canonical }
  | {
      service: 'iam';
      action: string;
      input: RequestInput;
      accountId: string;
      /** The account an administrator acts in (Euare's DelegateAccount). */
      delegateAccount?: string;
      options?: IamOptions;
    }
  | ({ service: 's3' } & S3Request);

/** Any service's request to its action and resources. */
export function authorizationFor(req: ServiceRequest): Authorization {
  switch (req.service) {
    case 'ec2':
      return ec2Authorization(req.action, req.input, req.accountId, req.canonical);
    case 'iam':
      return iamAuthorization(req.action, req.input, req.accountId, req.options);
    case 's3':
      return s3Authorization(req);
  }
}
