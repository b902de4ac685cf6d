/**
 * Instance metadata (http://169.254.169.254/latest/...) served only to the instance it is about.
 * No request names an instance: the node knows who asks from how the request reaches it.
 *   - The per-instance channel: a Unix socket in the instance's folder (metadata.sock, 0600),
 *     which the hypervisor connects the guest's 169.254.169.254 to. What comes through it is
 *     that instance asking.
 *   - The node's own port, from an instance's private address (a guest on a bridge in the
 *     MANAGED modes): the instance whose address it is.
 * Either way the node names the instance to the cloud's internal endpoint (signed with the
 * cluster key) and relays the answer.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { NcInstance } from '../../shared/nc-protocol';
import type { NodePairing } from './pairing';

export const METADATA_SOCKET = 'metadata.sock';
/** Connections one instance may hold open to its metadata at once; more are closed at once. */
export const MAX_METADATA_CONNECTIONS = 8;
/** An idle metadata connection is closed after this long (each holds a relay process under QEMU). */
export const METADATA_IDLE_MS = 10_000;

/** The path after /latest/ (with the query), or undefined when the request is not for /latest. */
export function latestPath(url: string): string | undefined {
  const u = new URL(url, 'http://169.254.169.254');
  const m = /^\/latest(?:\/(.*))?$/.exec(u.pathname);
  return m ? (m[1] ?? '') + u.search : undefined;
}

function notFound(res: http.ServerResponse, message: string): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end(`${message}\n`);
}

/** Answers one instance's metadata request by relaying it to the cloud. */
export type MetadataRelay = (instanceId: string, req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export function metadataRelay(
  pairing: NodePairing,
  state: (instanceId: string) => NcInstance | undefined,
): MetadataRelay {
  return async (instanceId, req, res) => {
    const rest = req.method === 'GET' ? latestPath(req.url ?? '/') : undefined;
    if (rest === undefined) return notFound(res, 'metadata is at GET /latest/');
    const inst = state(instanceId);
    if (!inst || inst.state === 'terminated') return notFound(res, `no instance ${instanceId} on this node`);
    const answer = await pairing.cloud().metadata(instanceId, rest);
    res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
    await pipeline(answer.body, res);
  };
}

/** The instance whose private address a request comes from, if any. */
export function instanceAt(instances: NcInstance[], remoteAddress: string | undefined): NcInstance | undefined {
  const ip = (remoteAddress ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return instances.find((i) => i.state !== 'terminated' && i.privateIp === ip);
}

/** Each instance's own metadata channel: a Unix socket that answers for that instance only. */
export class MetadataChannels {
  private readonly servers = new Map<string, http.Server>();

  constructor(
    private readonly relay: MetadataRelay,
    private readonly log: (line: string) => void,
  ) {}

  async open(instanceId: string, socketPath: string): Promise<void> {
    this.close(instanceId);
    fs.rmSync(socketPath, { force: true });
    const server = http.createServer({ requestTimeout: METADATA_IDLE_MS }, (req, res) => {
      this.relay(instanceId, req, res).catch((e: Error) => {
        if (res.headersSent) return void res.destroy(e);
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`metadata unavailable: ${e.message}\n`);
      });
    });
    // A guest cannot hold more than a few connections (each a process of QEMU's), nor keep one idle.
    server.maxConnections = MAX_METADATA_CONNECTIONS;
    server.setTimeout(METADATA_IDLE_MS, (socket) => socket.destroy());
    server.keepAliveTimeout = 1000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => resolve());
      });
      fs.chmodSync(socketPath, 0o600);
      this.servers.set(instanceId, server);
    } catch (e) {
      this.log(`${instanceId}: no metadata channel at ${socketPath}: ${(e as Error).message}`);
    }
  }

  close(instanceId: string): void {
    this.servers.get(instanceId)?.close();
    this.servers.delete(instanceId);
  }

  closeAll(): void {
    for (const id of [...this.servers.keys()]) this.close(id);
  }
}
