/**
 * How an instance's folder holds its volumes, under each one's device name (`vdb`, or `root` for
 * an EBS root): a link to the volume's file (on this host, or on storage the node mounts), or, for
 * a volume the storage controller exports over the network, a folder `<name>.nbd` holding the
 * export (export.json) and its TLS pre-shared key (keys.psk, 0600, as QEMU's tls-creds-psk reads
 * it), derived from the cluster key. A machine host opens either (DiskSource).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportKey, type NbdExport, type VolumeSource } from '../../shared/nc-protocol';
import { writeSecretFile } from '../../shared/files';
import { DriverError } from './hypervisor';

/** What a machine host opens as a disk: a file, or an NBD export with the folder of its key. */
export type DiskSource = { file: string; nbd?: undefined } | { nbd: NbdExport; keysDir: string; file?: undefined };

const nbdDir = (dir: string, name: string) => path.join(dir, `${name}.nbd`);

/** Puts a volume into the instance's folder as `name`; an attachment point (`device`) in use is refused. */
export async function linkVolume(
  dir: string,
  name: string,
  source: VolumeSource,
  clusterKey: () => string,
  device = name,
): Promise<void> {
  const inUse = () => new DriverError('InvalidParameterValue', `Attachment point ${device} is already in use`);
  if (source.path !== undefined) {
    if (fs.existsSync(nbdDir(dir, name))) throw inUse();
    await fs.promises.symlink(source.path, path.join(dir, name)).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EEXIST' ? inUse() : e;
    });
    return;
  }
  if (fs.existsSync(path.join(dir, name))) throw inUse();
  const { nbd } = source;
  const key = exportKey(clusterKey(), nbd.identity);
  await fs.promises.mkdir(nbdDir(dir, name), { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'EEXIST' ? inUse() : e;
  });
  try {
    writeSecretFile(path.join(nbdDir(dir, name), 'keys.psk'), `${nbd.identity}:${key}\n`);
    // Written last: a folder holding export.json is a whole one (diskOf).
    await fs.promises.writeFile(path.join(nbdDir(dir, name), 'export.json'), JSON.stringify(nbd), { mode: 0o600 });
  } catch (e) {
    await fs.promises.rm(nbdDir(dir, name), { recursive: true, force: true });
    throw e;
  }
}

/** Takes the volume `name` out of the instance's folder, however it was held. */
export async function unlinkVolume(dir: string, name: string): Promise<void> {
  await fs.promises.rm(path.join(dir, name), { force: true });
  await fs.promises.rm(nbdDir(dir, name), { recursive: true, force: true });
}

/** The volume (or disk) `name` of the instance's folder, as a machine host opens it. */
export function diskOf(dir: string, name: string): DiskSource | undefined {
  const exported = path.join(nbdDir(dir, name), 'export.json');
  if (fs.existsSync(exported))
    return { nbd: JSON.parse(fs.readFileSync(exported, 'utf8')) as NbdExport, keysDir: nbdDir(dir, name) };
  const file = path.join(dir, name);
  return fs.existsSync(file) || isLink(file) ? { file } : undefined;
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** How a source reads in the log: its file, or where it is exported. */
export function describeSource(source: VolumeSource): string {
  return source.path ?? `nbd://${source.nbd.host}:${source.nbd.port}/${source.nbd.name}`;
}

/** Where a request says a volume is: an absolute path, or an NBD export, each checked. */
export function volumeSource(p: { path?: unknown; nbd?: Partial<Record<keyof NbdExport, unknown>> }): VolumeSource {
  if (typeof p.path === 'string' && path.isAbsolute(p.path)) return { path: p.path };
  const n = p.nbd;
  const text = (v: unknown, chars = /^[\w.-]{1,255}$/) => typeof v === 'string' && chars.test(v);
  if (
    n &&
    text(n.host, /^[\w.:[\]-]{1,255}$/) &&
    text(n.name) &&
    text(n.identity) &&
    Number.isInteger(n.port) &&
    (n.port as number) > 0 &&
    (n.port as number) < 65536
  )
    return {
      nbd: { host: n.host as string, port: n.port as number, name: n.name as string, identity: n.identity as string },
    };
  throw new DriverError('InvalidParameterValue', "a volume is given by its file's absolute path or its NBD export");
}
