/**
 * Instance metadata, as an instance reads it at http://169.254.169.254/latest/: meta-data/ (one
 * name a line, folders ending in "/") and user-data. The node controller relays an instance's
 * requests; the answers come from the instance's record here.
 */
import { type Instance } from './store';

type Tree = { [name: string]: string | Tree | undefined };

function metaData(i: Instance, publicKey: string | undefined): Tree {
  return {
    'ami-id': i.imageId,
    'ami-launch-index': String(i.launchIndex),
    'ami-manifest-path': undefined,
    'block-device-mapping': { ami: 'sda1', root: '/dev/sda1', ephemeral0: 'sda2', swap: 'sda3' },
    hostname: i.privateIp,
    'instance-id': i.id,
    'instance-type': i.instanceType,
    'kernel-id': i.kernelId,
    'local-hostname': i.privateIp,
    'local-ipv4': i.privateIp,
    placement: { 'availability-zone': i.zone },
    'public-hostname': i.publicIp,
    'public-ipv4': i.publicIp,
    'public-keys':
      publicKey && i.keyName ? { [`0=${i.keyName}`]: undefined, '0': { 'openssh-key': publicKey } } : undefined,
    'ramdisk-id': i.ramdiskId,
    'reservation-id': i.reservationId,
    'security-groups': i.groupName,
  };
}

function listing(tree: Tree): string {
  return Object.entries(tree)
    .filter(([name, v]) => v !== undefined || name.includes('='))
    .filter(([name]) => name !== '0' || !Object.keys(tree).some((k) => k.startsWith('0=')))
    .map(([name, v]) => (typeof v === 'object' ? `${name}/` : name))
    .join('\n');
}

/** The answer to GET /latest/<path> for an instance, or undefined for "404 Not Found". */
export function instanceMetadata(i: Instance, path: string, publicKey?: string): string | undefined {
  const parts = path.replace(/^\/+/, '').split('/').filter(Boolean);
  if (parts[0] === 'user-data') return i.userData ? Buffer.from(i.userData, 'base64').toString('utf8') : undefined;
  if (parts[0] !== 'meta-data') return parts.length ? undefined : 'meta-data/\nuser-data';
  let node: string | Tree | undefined = metaData(i, publicKey);
  for (const p of parts.slice(1)) node = typeof node === 'object' ? node[p] : undefined;
  if (node === undefined) return undefined;
  return typeof node === 'object' ? listing(node) : node;
}
