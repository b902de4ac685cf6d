/**
 * The cloud's internal endpoints for node controllers, under /services/Eucalyptus/internal/,
 * signed with the node key (internal-auth): GET images/{id} streams an available image's
 * decrypted bytes from this front end's image cache (unbundled again from Walrus when missing);
 * GET metadata/{instanceId}/latest/{path} answers an instance's metadata request, relayed by its
 * node controller. Plain-text bodies; 403 for a bad signature, 404 for what does not exist.
 */
import * as fs from 'node:fs';
import type { CloudContext } from '../context';
import type { Reply } from '../reply';
import { instanceMetadata as metadataOf } from '../ec2/instances/metadata';
import { EMPTY_BODY_SHA256, verifyRequest } from '../../shared/nc-protocol';
import { loadOrCreateNodeKey } from './internal-auth';

export const INTERNAL_PREFIX = '/services/Eucalyptus/internal/';

/** How long an image request waits for its unbundling before the node is told to ask again. */
const FILL_WAIT_MS = 20_000;

/**
 * An instance's metadata at `path` (e.g. `meta-data/instance-id`, `user-data`), or undefined if the
 * instance or the path does not exist.
 */
export async function instanceMetadata(
  cloud: CloudContext,
  instanceId: string,
  path: string,
): Promise<string | Buffer | undefined> {
  const instance = await cloud.instances.get(instanceId);
  if (!instance || instance.state === 'terminated') return undefined;
  const publicIp = (await cloud.compute.publicAddressOf(instance.id)) ?? instance.publicIp;
  const key = instance.keyName
    ? (await cloud.keypairs.get(instance.accountId, instance.keyName))?.publicKeyOpenSsh
    : undefined;
  return metadataOf({ ...instance, publicIp }, path, key);
}

const text = (status: number, body: string): Reply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body + '\n',
  action: 'Internal',
});

export interface InternalRequest {
  method: string;
  rawPath: string;
  headers: Record<string, string>;
}

export async function handleInternal(cloud: CloudContext, req: InternalRequest): Promise<Reply> {
  const key = loadOrCreateNodeKey(cloud.paths.keysDir);
  const verdict = verifyRequest(key, {
    method: req.method,
    path: req.rawPath,
    headers: req.headers,
    bodySha256: EMPTY_BODY_SHA256,
  });
  if (!verdict.ok) return text(403, `Forbidden: ${verdict.reason}`);
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method not allowed');
  const rest = req.rawPath.slice(INTERNAL_PREFIX.length).split('/').map(decodeURIComponent);

  if (rest[0] === 'images' && rest.length === 2) {
    const image = /^e[mkr]i-[0-9A-Fa-f]{8}$/.test(rest[1]) ? await cloud.images.get(rest[1]) : undefined;
    const filling = image?.state === 'available' ? cloud.ec2.images.imageFile(image) : undefined;
    // An image this front end must unbundle first may take longer than a node waits for an answer:
    // it is told to ask again (the unbundling goes on).
    const file = await Promise.race([
      filling,
      new Promise<'later'>((r) => setTimeout(r, FILL_WAIT_MS, 'later').unref()),
    ]);
    if (file === 'later')
      return { ...text(503, `Image ${rest[1]} is being prepared`), headers: { 'Retry-After': '5' } };
    if (!file) return text(404, `No available image ${rest[1]}`);
    const size = fs.statSync(file).size;
    return {
      status: 200,
      contentType: 'application/octet-stream',
      stream: fs.createReadStream(file),
      headers: { 'Content-Length': String(size) },
      action: 'Internal',
    };
  }
  if (rest[0] === 'metadata' && rest.length >= 3 && rest[2] === 'latest') {
    const body = await instanceMetadata(cloud, rest[1], rest.slice(3).join('/'));
    if (body === undefined) return text(404, `No metadata for ${rest[1]} at ${rest.slice(2).join('/')}`);
    return { status: 200, contentType: 'text/plain', body, action: 'Internal' };
  }
  return text(404, 'Not found');
}
