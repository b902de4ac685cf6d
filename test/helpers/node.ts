/**
 * A real node controller for a test (`eucalyptus-nc start --foreground` on a free port with a
 * temporary data dir and key), and a small fake cloud serving the internal endpoints a node
 * controller calls (images, metadata) as the contract describes, checking their signatures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CLOUD_INTERNAL_PATH, EMPTY_BODY_SHA256, generateSharedKey, verifyRequest } from '../../src/shared/nc-protocol';
import { nodeAddress, nodePaths } from '../../src/shared/node-paths';
import { cleanEnv, commandsDir, tempDir } from './cli';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FakeCloud {
  url: string;
  key: string;
  images: Map<string, Buffer>;
  /** How many times each image was downloaded. */
  downloads: Map<string, number>;
  /** What the metadata endpoint answers, by instance ID and path after latest/. */
  metadata: Map<string, string>;
  refused: number;
  close(): Promise<void>;
}

export async function startFakeCloud(key = generateSharedKey(), delayMs = 150): Promise<FakeCloud> {
  const fake: FakeCloud = {
    key,
    images: new Map(),
    downloads: new Map(),
    metadata: new Map(),
    refused: 0,
    url: '',
    close: async () => undefined,
  };
  const answer = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const verdict = verifyRequest(key, {
      method: req.method!,
      path: req.url!,
      headers: req.headers,
      bodySha256: EMPTY_BODY_SHA256,
    });
    if (!verdict.ok) {
      fake.refused++;
      res.writeHead(403).end(verdict.reason);
      return;
    }
    const image = new RegExp(`^${CLOUD_INTERNAL_PATH}/images/([a-z]+-[0-9A-F]{8})$`).exec(req.url!);
    const meta = new RegExp(`^${CLOUD_INTERNAL_PATH}/metadata/(i-[0-9A-F]{8})/latest/(.*)$`).exec(req.url!);
    if (image && fake.images.has(image[1])) {
      fake.downloads.set(image[1], (fake.downloads.get(image[1]) ?? 0) + 1);
      await sleep(delayMs); // long enough for a second run of the same image to arrive meanwhile
      const bytes = fake.images.get(image[1])!;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      // In pieces, as a large image would arrive.
      for (let i = 0; i < bytes.length; i += 256 * 1024) res.write(bytes.subarray(i, i + 256 * 1024));
      res.end();
    } else if (meta && fake.metadata.has(`${meta[1]}/${meta[2]}`)) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(fake.metadata.get(`${meta[1]}/${meta[2]}`));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  };
  const server = http.createServer((req, res) => void answer(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  return fake;
}

export interface TestNode {
  dataDir: string;
  url: string;
  keyFile: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a node controller with the given eucalyptus.conf settings written before its first start;
 * without a key it starts unpaired, with a pairing token in its keys folder.
 */
export async function startNode(
  cloudUrl: string,
  key: string | undefined,
  conf: Record<string, string> = {},
  dataDir = tempDir('euca-nc-'),
): Promise<TestNode> {
  const paths = nodePaths(dataDir);
  fs.mkdirSync(path.dirname(paths.conf), { recursive: true });
  fs.writeFileSync(
    paths.conf,
    Object.entries({ HYPERVISOR: 'simulated', ...conf })
      .map(([k, v]) => `${k}="${v}"\n`)
      .join(''),
  );
  const keyFile = key === undefined ? paths.keyFile : path.join(dataDir, 'test.key');
  if (key !== undefined) fs.writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  const child: ChildProcess = spawn(
    path.join(commandsDir(), 'eucalyptus-nc'),
    [
      'start',
      '--foreground',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--cloud-url',
      cloudUrl,
      ...(key === undefined ? [] : ['--key-file', keyFile]),
    ],
    { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 400 && !fs.existsSync(paths.pidFile); i++) {
    if (child.exitCode !== null) throw new Error(`node controller exited: ${output}`);
    await sleep(25);
  }
  const addr = nodeAddress(paths);
  if (!addr) throw new Error(`node controller did not start: ${output}`);
  return {
    dataDir,
    url: `http://${addr.host}:${addr.port}`,
    keyFile,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Polls until check() returns something, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * GET /latest/<p> as the instance itself asks it: through its own metadata channel, the socket
 * its node keeps in its folder (INSTANCE_PATH/<account>/<instance>/metadata.sock).
 */
export function instanceMetadata(
  nodeDataDir: string,
  instanceId: string,
  p: string,
): Promise<{ status: number; body: string }> {
  const root = nodePaths(nodeDataDir).defaultInstancePath;
  const account = fs.readdirSync(root).find((a) => fs.existsSync(path.join(root, a, instanceId)));
  if (!account) throw new Error(`no folder for ${instanceId} under ${root}`);
  const socketPath = path.join(root, account, instanceId, 'metadata.sock');
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path: `/latest/${p}` }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}
