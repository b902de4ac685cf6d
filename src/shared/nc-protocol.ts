/**
 * The node controller wire protocol, both ends: how the cluster controller (inside the cloud) and
 * a node controller (eucalyptus-nc) authenticate each other, the actions and their JSON shapes,
 * and the clients each side calls the other with. Requests carry `X-Euca-Date` and
 * `Authorization: EUCA-NC-HMAC-SHA256 <hex>`, the HMAC-SHA256 under the shared 32-byte key of
 * `METHOD\nPATH\nDATE\nsha256hex(BODY)`; more than 5 minutes off or a bad HMAC is refused (403).
 * The same signature covers the node's calls back to the cloud's internal endpoints (images,
 * metadata). undici is loaded here, so only the daemons load this module, never the CLI.
 */
import * as crypto from 'node:crypto';
import { type Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';

export const NC_SERVICE_PATH = '/services/EucalyptusNC';
export const CLOUD_INTERNAL_PATH = '/services/Eucalyptus/internal';
export const AUTH_SCHEME = 'EUCA-NC-HMAC-SHA256';
export const DATE_HEADER = 'x-euca-date';
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const EMPTY_BODY_SHA256 = crypto.createHash('sha256').update('').digest('hex');

// ---------------------------------------------------------------------------------------------
// Signing

/** A new shared key: 32 random bytes, hex (what node-cluster.key holds). */
export function generateSharedKey(): string {
  return crypto.randomBytes(32).toString('hex');
}

/** Reads a shared key as written in a key file: 64 hex digits, surrounding whitespace ignored. */
export function parseSharedKey(text: string): string {
  const key = text.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new Error('the node/cluster key must be 64 hex digits (32 bytes)');
  return key;
}

export function sha256Hex(body: string | Buffer): string {
  return crypto.createHash('sha256').update(body).digest('hex');
}

function mac(key: string, method: string, path: string, date: string, bodySha256: string): string {
  return crypto
    .createHmac('sha256', Buffer.from(key, 'hex'))
    .update(`${method.toUpperCase()}\n${path}\n${date}\n${bodySha256}`)
    .digest('hex');
}

/** The two headers that authenticate a request; `path` is the request target (path and query). */
export function signRequest(
  key: string,
  method: string,
  path: string,
  body: string | Buffer = '',
  now = new Date(),
): Record<string, string> {
  const date = now.toISOString();
  return { 'X-Euca-Date': date, Authorization: `${AUTH_SCHEME} ${mac(key, method, path, date, sha256Hex(body))}` };
}

export interface IncomingSignature {
  method: string;
  /** The request target as received: path and query. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  bodySha256: string;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Checks a request's date window and HMAC (constant-time). */
export function verifyRequest(key: string, req: IncomingSignature, now = Date.now()): Verdict {
  const date = header(req.headers, DATE_HEADER);
  const auth = header(req.headers, 'authorization');
  if (!date || !auth) return { ok: false, reason: 'missing X-Euca-Date or Authorization' };
  const when = Date.parse(date);
  if (Number.isNaN(when)) return { ok: false, reason: 'X-Euca-Date is not a date' };
  if (Math.abs(now - when) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'X-Euca-Date is more than 5 minutes off' };
  const m = new RegExp(`^${AUTH_SCHEME} ([0-9a-f]{64})$`).exec(auth.trim());
  if (!m) return { ok: false, reason: `Authorization is not ${AUTH_SCHEME}` };
  const expected = Buffer.from(mac(key, req.method, req.path, date, req.bodySha256), 'hex');
  if (!crypto.timingSafeEqual(expected, Buffer.from(m[1], 'hex')))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}

function header(headers: IncomingSignature['headers'], name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

// ---------------------------------------------------------------------------------------------
// Actions

export type NcInstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated';

export interface VmTypeSpec {
  name: string;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}

/** The most ports one instance has forwarded from its public address. */
export const MAX_PORT_FORWARDS = 64;

/** A port the instance's security groups open: forwarded to the guest from its public address. */
export interface PortForward {
  protocol: 'tcp' | 'udp';
  port: number;
}

export interface InstanceNetwork {
  mac: string;
  privateIp: string;
  publicIp?: string;
  vlan?: number;
  /** The ports its security groups open (the MANAGED modes), in order. */
  ports?: PortForward[];
}

export interface DescribeResourceResponse {
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  hypervisor: string;
  /** What each instance costs beyond its guest memory (the hypervisor's own), in MiB. */
  overheadMiB?: number;
  instancePath: string;
}

export interface RunInstanceRequest {
  instanceId: string;
  reservationId: string;
  accountId: string;
  imageId: string;
  kernelId?: string;
  ramdiskId?: string;
  platform?: string;
  vmType: VmTypeSpec;
  /** base64 */
  userData?: string;
  keyName?: string;
  publicKey?: string;
  network: InstanceNetwork;
  launchIndex: number;
  /**
   * EBS volumes to link into the instance's folder before it boots; the one marked root is its
   * root disk (an EBS-backed instance: no image is copied for it).
   */
  volumes?: ({ device: string; root?: boolean } & VolumeSource)[];
}

/**
 * A volume the storage controller serves over the network: an NBD export with TLS, whose
 * pre-shared key belongs to this attachment alone. The key itself never travels: both sides derive
 * it from the cluster key and the identity (exportKey).
 */
export interface NbdExport {
  host: string;
  port: number;
  /** The export's name (the volume ID). */
  name: string;
  /** The TLS-PSK identity, made for one attachment. */
  identity: string;
}

/** Where a node finds a volume: its file (on the same host, or storage both mount), or an export. */
export type VolumeSource = { path: string; nbd?: undefined } | { nbd: NbdExport; path?: undefined };

/** An export's pre-shared key (64 hex digits): the cluster key's HMAC of the identity. */
export function exportKey(clusterKey: string, identity: string): string {
  return crypto.createHmac('sha256', Buffer.from(clusterKey, 'hex')).update(`nbd-export\n${identity}`).digest('hex');
}

export interface RunInstanceResponse {
  state: 'pending';
}

export interface NcInstance {
  instanceId: string;
  state: NcInstanceState;
  launchTime: string;
  privateIp: string;
  publicIp?: string;
  /** Why an instance that never ran went to terminated (a failed image download, ...). */
  reason?: string;
}

export interface DescribeInstancesResponse {
  instances: NcInstance[];
}

export interface InstanceRequest {
  instanceId: string;
}

export interface TerminateInstanceResponse {
  instanceId: string;
  previousState: NcInstanceState;
  state: NcInstanceState;
}

export interface RebootInstanceResponse {
  instanceId: string;
}

/** A volume made visible in (or taken out of) an instance's folder under its device name. */
export interface VolumeRequest {
  instanceId: string;
  volumeId: string;
  /** /dev/sdf, /dev/vdb, ... */
  device: string;
  /** AttachVolume: the volume's file, as the storage controller has it... */
  path?: string;
  /** ...or its network export. */
  nbd?: NbdExport;
}

export interface GetConsoleOutputResponse {
  instanceId: string;
  /** base64 */
  output: string;
  timestamp: string;
}

/** An instance's public address and the ports its security groups open, as they are now. */
export interface NetworkRequest {
  instanceId: string;
  publicIp?: string;
  ports: PortForward[];
}

/** Every action: its request and response shapes. */
export interface NcActions {
  DescribeResource: { request: Record<string, never>; response: DescribeResourceResponse };
  RunInstance: { request: RunInstanceRequest; response: RunInstanceResponse };
  DescribeInstances: { request: { instanceIds?: string[] }; response: DescribeInstancesResponse };
  TerminateInstance: { request: InstanceRequest; response: TerminateInstanceResponse };
  RebootInstance: { request: InstanceRequest; response: RebootInstanceResponse };
  GetConsoleOutput: { request: InstanceRequest; response: GetConsoleOutputResponse };
  AttachVolume: { request: VolumeRequest; response: VolumeRequest };
  DetachVolume: { request: VolumeRequest; response: VolumeRequest };
  ConfigureNetwork: { request: NetworkRequest; response: { instanceId: string } };
}
export type NcAction = keyof NcActions;
export const NC_ACTIONS: readonly NcAction[] = [
  'DescribeResource',
  'RunInstance',
  'DescribeInstances',
  'TerminateInstance',
  'RebootInstance',
  'GetConsoleOutput',
  'AttachVolume',
  'DetachVolume',
  'ConfigureNetwork',
];

/** An error answer: `{"Error": {"Code", "Message"}}` with an HTTP status. */
export interface NcErrorBody {
  Error: { Code: string; Message: string };
}

// ---------------------------------------------------------------------------------------------
// Clients

/** The other end could not be reached (refused, timed out, reset). */
export class NodeUnreachable extends Error {
  constructor(
    readonly hostPort: string,
    cause?: unknown,
  ) {
    super(`node controller ${hostPort} is unreachable: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'NodeUnreachable';
  }
}

/** The cloud's internal endpoints could not be reached from a node controller. */
export class CloudUnreachable extends Error {
  constructor(
    readonly hostPort: string,
    cause?: unknown,
  ) {
    super(`the cloud at ${hostPort} is unreachable: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'CloudUnreachable';
  }
}

/** The other end answered with an error document. */
export class NcError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'NcError';
  }
}

export interface ClientOptions {
  connectTimeoutMs?: number;
  /** How long to wait for response headers and between body chunks. */
  timeoutMs?: number;
  connections?: number;
}

/** A keep-alive pool of connections to one origin, signing every request. */
class SignedPool {
  readonly pool: Pool;
  readonly origin: URL;

  constructor(
    baseUrl: string,
    readonly key: string,
    opts: ClientOptions,
    private readonly unreachable: (hostPort: string, cause: unknown) => Error,
  ) {
    this.origin = new URL(baseUrl);
    this.pool = new Pool(this.origin.origin, {
      connections: opts.connections ?? 8,
      connect: { timeout: opts.connectTimeoutMs ?? 3000 },
      headersTimeout: opts.timeoutMs ?? 30_000,
      bodyTimeout: opts.timeoutMs ?? 30_000,
      keepAliveTimeout: 30_000,
    });
  }

  get hostPort(): string {
    return this.origin.host;
  }

  async request(method: 'GET' | 'POST', path: string, body = ''): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...signRequest(this.key, method, path, body) };
    if (method === 'POST') headers['content-type'] = 'application/json';
    try {
      return await this.pool.request({ method, path, headers, body: method === 'POST' ? body : undefined });
    } catch (e) {
      throw this.unreachable(this.hostPort, e);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

async function errorFrom(res: Dispatcher.ResponseData, what: string): Promise<NcError> {
  const text = await res.body.text().catch(() => '');
  try {
    const doc = JSON.parse(text) as NcErrorBody;
    if (doc.Error?.Code) return new NcError(doc.Error.Code, doc.Error.Message, res.statusCode);
  } catch {
    /* not ours */
  }
  return new NcError(
    res.statusCode === 403 ? 'AuthFailure' : 'InternalError',
    `${what} answered HTTP ${res.statusCode}: ${text.slice(0, 200)}`,
    res.statusCode,
  );
}

/** What the cluster controller calls a node controller with. */
export class NodeControllerClient {
  private readonly conn: SignedPool;

  constructor(baseUrl: string, key: string, opts: ClientOptions = {}) {
    this.conn = new SignedPool(baseUrl, key, opts, (hp, e) => new NodeUnreachable(hp, e));
  }

  get hostPort(): string {
    return this.conn.hostPort;
  }

  async call<A extends NcAction>(action: A, request: NcActions[A]['request']): Promise<NcActions[A]['response']> {
    const res = await this.conn.request('POST', NC_SERVICE_PATH, JSON.stringify({ Action: action, ...request }));
    if (res.statusCode !== 200) throw await errorFrom(res, `node controller ${this.hostPort}`);
    try {
      return (await res.body.json()) as NcActions[A]['response'];
    } catch (e) {
      throw new NodeUnreachable(this.hostPort, e);
    }
  }

  describeResource(): Promise<DescribeResourceResponse> {
    return this.call('DescribeResource', {});
  }

  /** A running instance's root disk, streamed (for bundling it). */
  async rootDisk(instanceId: string): Promise<Readable> {
    const res = await this.conn.request('GET', `${NC_SERVICE_PATH}/instances/${instanceId}/root-disk`);
    if (res.statusCode !== 200) throw await errorFrom(res, `node controller ${this.hostPort}`);
    return res.body;
  }
  runInstance(req: RunInstanceRequest): Promise<RunInstanceResponse> {
    return this.call('RunInstance', req);
  }
  describeInstances(instanceIds?: string[]): Promise<DescribeInstancesResponse> {
    return this.call('DescribeInstances', instanceIds ? { instanceIds } : {});
  }
  terminateInstance(instanceId: string): Promise<TerminateInstanceResponse> {
    return this.call('TerminateInstance', { instanceId });
  }
  rebootInstance(instanceId: string): Promise<RebootInstanceResponse> {
    return this.call('RebootInstance', { instanceId });
  }
  getConsoleOutput(instanceId: string): Promise<GetConsoleOutputResponse> {
    return this.call('GetConsoleOutput', { instanceId });
  }
  attachVolume(req: VolumeRequest): Promise<VolumeRequest> {
    return this.call('AttachVolume', req);
  }
  detachVolume(req: VolumeRequest): Promise<VolumeRequest> {
    return this.call('DetachVolume', req);
  }
  configureNetwork(req: NetworkRequest): Promise<{ instanceId: string }> {
    return this.call('ConfigureNetwork', req);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

export interface ImageDownload {
  /** The image bytes; the caller must consume or destroy it. */
  body: Readable;
  /** Content-Length, when the cloud sent one. */
  size?: number;
}

export interface RelayedResponse {
  status: number;
  contentType?: string;
  body: Readable;
}

/** What a node controller calls the cloud's internal endpoints with. */
/** How long a node waits for a front end preparing an image (503 Retry-After) before it gives up. */
const IMAGE_PREPARE_MS = 30 * 60_000;

export class CloudInternalClient {
  private readonly conns: SignedPool[];
  /** The front end that answered last: asked first next time. */
  private current = 0;

  /**
   * `cloudUrl`: the cloud's URL, or several front ends' separated by spaces or commas (CLOUD_URL),
   * asked in turn: when one cannot be reached, the next.
   */
  constructor(cloudUrl: string, key: string, opts: ClientOptions = {}) {
    const urls = cloudUrl.split(/[\s,]+/).filter(Boolean);
    this.conns = urls.map(
      (url) =>
        new SignedPool(
          url,
          key,
          { connections: 4, timeoutMs: 120_000, ...opts },
          (hp, e) => new CloudUnreachable(hp, e),
        ),
    );
  }

  /** GET .../internal/{rest} from the first front end reachable, starting with the last that answered. */
  private async get(rest: string): Promise<Dispatcher.ResponseData> {
    let last: unknown;
    for (let tried = 0; tried < this.conns.length; tried++) {
      const i = (this.current + tried) % this.conns.length;
      const conn = this.conns[i];
      try {
        const res = await conn.request(
          'GET',
          `${conn.origin.pathname.replace(/\/+$/, '')}${CLOUD_INTERNAL_PATH}/${rest}`,
        );
        this.current = i;
        return res;
      } catch (e) {
        if (!(e instanceof CloudUnreachable)) throw e;
        last = e;
      }
    }
    throw last;
  }

  /** GET .../internal/images/{imageId}: the decrypted image, streamed. */
  async image(imageId: string): Promise<ImageDownload> {
    let res = await this.get(`images/${encodeURIComponent(imageId)}`);
    // 503 with Retry-After: a front end preparing the image (unbundling it into its cache); asked
    // again for up to IMAGE_PREPARE_MS.
    for (const until = Date.now() + IMAGE_PREPARE_MS; res.statusCode === 503 && Date.now() < until;) {
      const after = Number(res.headers['retry-after']);
      await res.body.dump();
      await new Promise((r) => setTimeout(r, (Number.isFinite(after) ? Math.min(after, 30) : 5) * 1000));
      res = await this.get(`images/${encodeURIComponent(imageId)}`);
    }
    if (res.statusCode !== 200) throw await errorFrom(res, `the cloud (image ${imageId})`);
    const len = Number(res.headers['content-length']);
    return { body: res.body, size: Number.isFinite(len) ? len : undefined };
  }

  /** GET .../internal/metadata/{instanceId}/latest/{path}: the answer as the cloud gives it. */
  async metadata(instanceId: string, latestPath: string): Promise<RelayedResponse> {
    const res = await this.get(`metadata/${encodeURIComponent(instanceId)}/latest/${latestPath}`);
    const ct = res.headers['content-type'];
    return { status: res.statusCode, contentType: Array.isArray(ct) ? ct[0] : ct, body: res.body };
  }

  async close(): Promise<void> {
    await Promise.all(this.conns.map((c) => c.close()));
  }
}
