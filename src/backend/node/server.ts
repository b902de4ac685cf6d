/**
 * The node controller's HTTP face. POST /services/EucalyptusNC takes the cluster controller's
 * signed JSON actions (lib/nc-protocol) and turns them into hypervisor driver calls; GET
 * /latest/... stands for 169.254.169.254 for an instance asking from its own private address
 * (metadata.ts; the other way in is each instance's own channel).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import { pipeline } from 'node:stream/promises';
import {
  type DescribeResourceResponse,
  type PortForward,
  EMPTY_BODY_SHA256,
  NC_ACTIONS,
  NC_SERVICE_PATH,
  type NcAction,
  type NcErrorBody,
  sha256Hex,
  verifyRequest,
} from '../../shared/nc-protocol';
import { PAIR_ACTION, type SealedKey } from '../../shared/node-pairing';
import { type NodeSettings } from './conf';
import type { NodePairing } from './pairing';
import { DriverError, type HypervisorDriver } from './hypervisor';
import { volumeSource } from './volume-links';
import { instanceAt, latestPath, type MetadataRelay } from './metadata';

const MAX_BODY = 256 * 1024;

export interface NodeServerDeps {
  settings: NodeSettings;
  /** The cluster key, once paired (until then only Pair is answered). */
  pairing: NodePairing;
  driver: HypervisorDriver;
  /** Answers an instance's metadata request (metadata.ts). */
  metadata: MetadataRelay;
  log(line: string): void;
}

/** Cores, memory and disk: the machine's, unless MAX_CORES / MAX_MEM / MAX_DISK say otherwise. */
export async function describeResource(
  settings: NodeSettings,
  driver: Pick<HypervisorDriver, 'name' | 'overheadMiB'>,
): Promise<DescribeResourceResponse> {
  let diskGiB = settings.maxDiskGiB;
  if (diskGiB === undefined) {
    const st = await fs.promises.statfs(settings.instancePath);
    diskGiB = Math.floor((st.bavail * st.bsize) / 1024 ** 3);
  }
  return {
    cores: settings.maxCores ?? os.cpus().length,
    memoryMiB: settings.maxMemMiB ?? Math.floor(os.totalmem() / 1024 ** 2),
    diskGiB,
    hypervisor: driver.name,
    overheadMiB: driver.overheadMiB,
    instancePath: settings.instancePath,
  };
}

function send(res: http.ServerResponse, status: number, doc: unknown): void {
  const body = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { Error: { Code: code, Message: message } } satisfies NcErrorBody);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new DriverError('RequestTooLarge', `request bodies are limited to ${MAX_BODY} bytes`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The ports of a ConfigureNetwork request, each checked (TCP or UDP, 1-65535). */
function portsOf(value: unknown): PortForward[] {
  if (!Array.isArray(value)) throw new DriverError('InvalidParameterValue', 'ports must be a list');
  return value.map((p: { protocol?: unknown; port?: unknown }) => {
    if (
      (p?.protocol !== 'tcp' && p?.protocol !== 'udp') ||
      !Number.isInteger(p.port) ||
      (p.port as number) < 1 ||
      (p.port as number) > 65535
    )
      throw new DriverError('InvalidParameterValue', `not a TCP or UDP port: ${JSON.stringify(p)}`);
    return { protocol: p.protocol, port: p.port as number };
  });
}

export function createNodeServer(deps: NodeServerDeps): http.Server {
  const { driver } = deps;

  const actions: Record<NcAction, (p: any) => Promise<unknown>> = {
    DescribeResource: () => describeResource(deps.settings, driver),
    RunInstance: async (p) => {
      await driver.run(p);
      return { state: 'pending' };
    },
    DescribeInstances: async (p) => {
      const ids: string[] | undefined = Array.isArray(p.instanceIds) ? p.instanceIds : undefined;
      const all = driver.list();
      return { instances: ids ? all.filter((i) => ids.includes(i.instanceId)) : all };
    },
    TerminateInstance: async (p) => {
      const previousState = await driver.terminate(String(p.instanceId));
      return { instanceId: p.instanceId, previousState, state: driver.state(p.instanceId)?.state ?? 'terminated' };
    },
    RebootInstance: async (p) => {
      await driver.reboot(String(p.instanceId));
      return { instanceId: p.instanceId };
    },
    AttachVolume: async (p) => {
      await driver.attachVolume(String(p.instanceId), String(p.device), volumeSource(p));
      return { instanceId: p.instanceId, volumeId: p.volumeId, device: p.device };
    },
    DetachVolume: async (p) => {
      await driver.detachVolume(String(p.instanceId), String(p.device));
      return { instanceId: p.instanceId, volumeId: p.volumeId, device: p.device };
    },
    ConfigureNetwork: async (p) => {
      await driver.configureNetwork(String(p.instanceId), p.publicIp, portsOf(p.ports));
      return { instanceId: p.instanceId };
    },
    GetConsoleOutput: async (p) => {
      const out = await driver.consoleOutput(String(p.instanceId));
      return { instanceId: p.instanceId, output: out.toString('base64'), timestamp: new Date().toISOString() };
    },
  };

  async function serviceCall(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, 405, 'MethodNotAllowed', `${NC_SERVICE_PATH} takes POST`);
    const body = await readBody(req);
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(body.toString('utf8'));
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
    } catch {
      return sendError(res, 400, 'MalformedRequest', 'the body must be a JSON object');
    }
    // Pairing is the one request not signed with the key: it brings the key, sealed with the token.
    if (doc.Action === PAIR_ACTION) {
      deps.pairing.pair(doc.Key as SealedKey);
      return send(res, 200, { paired: true });
    }
    const key = deps.pairing.key;
    if (!key)
      return sendError(
        res,
        403,
        'NotPaired',
        'this node controller has not been paired with a cluster (euca_conf --addnode)',
      );
    const verdict = verifyRequest(key, {
      method: 'POST',
      path: req.url!,
      headers: req.headers,
      bodySha256: sha256Hex(body),
    });
    if (!verdict.ok) return sendError(res, 403, 'AuthFailure', verdict.reason);
    const action = doc.Action as NcAction;
    if (!NC_ACTIONS.includes(action))
      return sendError(res, 400, 'InvalidAction', `unknown action: ${String(doc.Action)}`);
    send(res, 200, await actions[action](doc));
  }

  /** GET {NC_SERVICE_PATH}/instances/{id}/root-disk, signed: the root disk's bytes, streamed. */
  async function rootDisk(req: http.IncomingMessage, res: http.ServerResponse, instanceId: string): Promise<void> {
    const key = deps.pairing.key;
    if (!key) return sendError(res, 403, 'NotPaired', 'this node controller has not been paired with a cluster');
    const verdict = verifyRequest(key, {
      method: 'GET',
      path: req.url!,
      headers: req.headers,
      bodySha256: EMPTY_BODY_SHA256,
    });
    if (!verdict.ok) return sendError(res, 403, 'AuthFailure', verdict.reason);
    const file = await driver.rootDisk(instanceId);
    const size = (await fs.promises.stat(file)).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    await pipeline(fs.createReadStream(file), res);
  }

  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://nc');
    const asker =
      latestPath(req.url ?? '/') !== undefined ? instanceAt(driver.list(), req.socket.remoteAddress) : undefined;
    const disk = new RegExp(`^${NC_SERVICE_PATH}/instances/(i-[0-9A-F]{8})/root-disk$`).exec(url.pathname);
    const work =
      url.pathname === NC_SERVICE_PATH
        ? serviceCall(req, res)
        : disk && req.method === 'GET'
          ? rootDisk(req, res, disk[1])
          : asker
            ? deps.metadata(asker.instanceId, req, res)
            : Promise.resolve(sendError(res, 404, 'NotFound', `nothing at ${url.pathname}`));
    work.catch((e: Error) => {
      if (res.headersSent) return void res.destroy(e);
      if (e instanceof DriverError) return sendError(res, e.status, e.code, e.message);
      const unreachable = e.name === 'CloudUnreachable';
      if (!unreachable) deps.log(`internal error: ${e.stack ?? e.message}`);
      sendError(res, unreachable ? 502 : 500, unreachable ? 'CloudUnreachable' : 'InternalError', e.message);
    });
  });
}
