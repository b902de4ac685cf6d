/**
 * Bucket versioning. A bucket is unversioned until its owner turns versioning on; after that it is
 * Enabled or Suspended, never unversioned again. With versioning Enabled, every write makes a new
 * version with its own id and keeps the one it replaces as noncurrent, and a DELETE without a
 * version id adds a delete marker instead of removing anything; Suspended writes and deletes the
 * `null` version, replacing whatever null version there was. A DELETE naming a version removes
 * that version for good; when it was the newest, the next newest becomes current again.
 *
 * These are the steps Walrus takes inside its transactions; each returns the data files no
 * version refers to any more, which Walrus removes once the transaction has committed.
 */
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../errors';
import { malformed, parseXmlBody, s3Answer, text } from './documents';
import { checkRemovable } from './object-lock';
import { type ObjectRecord, type VersionRecord, type WalrusStore } from './store';

export type VersioningStatus = 'Enabled' | 'Suspended';

export const NULL_VERSION = 'null';

/** The version id a GET or DELETE names: 'null' names the null version. */
export const versionIdOf = (v: { versionId?: string }) => v.versionId ?? NULL_VERSION;

/**
 * A version id: 32 URL-safe characters, none of them `-` (an id starting with one reads as an
 * option to command-line tools: `aws s3api ... --version-id -8Ee...`), as S3's use `.` and `_`.
 */
export const newVersionId = () => randomBytes(24).toString('base64url').replace(/-/g, '.');

export function parseVersioning(body: Buffer): VersioningStatus {
  const root = parseXmlBody(body).VersioningConfiguration;
  if (root === undefined || typeof root !== 'object') throw malformed();
  if (text(root.MfaDelete) === 'Enabled')
    throw new ServiceError('InvalidRequest', 'MFA delete needs MFA devices, which this cloud does not have.');
  const status = text(root.Status);
  if (status !== 'Enabled' && status !== 'Suspended') throw malformed();
  return status;
}

export function versioningDocument(status: VersioningStatus | undefined): string {
  return s3Answer('GetBucketVersioning', 'VersioningConfiguration', { Status: status });
}

export interface Removal {
  /** Data files no version refers to any more. */
  files: string[];
  /** The version the DELETE made (a delete marker) or removed. */
  versionId?: string;
  deleteMarker: boolean;
}

export class ObjectVersions {
  constructor(private readonly store: WalrusStore) {}

  async status(bucketId: string): Promise<VersioningStatus | undefined> {
    return this.store.bucketConfig<VersioningStatus>(bucketId, 'versioning');
  }

  /** Before a new current version is stored: gives it its id, moves aside or drops what it replaces. */
  async makeRoom(record: ObjectRecord): Promise<string[]> {
    const status = await this.status(record.bucketId);
    if (status === 'Enabled') {
      record.versionId = newVersionId();
      await this.store.retireCurrent(record.bucketId, record.key);
      return [];
    }
    record.versionId = undefined;
    if (status === undefined) return [];
    // Suspended: the new object is the null version; a current version with an id is kept.
    const current = await this.store.findObject(record.bucketId, record.key);
    if (current?.versionId !== undefined) await this.store.retireCurrent(record.bucketId, record.key);
    return this.dropNoncurrentNull(record.bucketId, record.key);
  }

  /** DELETE without a version id. */
  async deleteKey(bucketId: string, key: string, ownerAccountId: string): Promise<Removal> {
    const status = await this.status(bucketId);
    if (status === undefined) {
      const file = await this.store.deleteObject(bucketId, key);
      return { files: file ? [file] : [], deleteMarker: false };
    }
    const files: string[] = [];
    let versionId = NULL_VERSION;
    if (status === 'Enabled') {
      await this.store.retireCurrent(bucketId, key);
      versionId = newVersionId();
    } else {
      const current = await this.store.findObject(bucketId, key);
      if (current?.versionId !== undefined) await this.store.retireCurrent(bucketId, key);
      else if (current) files.push((await this.store.deleteObject(bucketId, key))!);
      files.push(...(await this.dropNoncurrentNull(bucketId, key)));
    }
    await this.store.addDeleteMarker(bucketId, key, versionId, ownerAccountId, new Date().toISOString());
    return { files, versionId, deleteMarker: true };
  }

  /**
   * DELETE of one version: gone for good, unless Object Lock protects it (a GOVERNANCE retention
   * yields to `bypass`); if it was the newest, the next newest becomes current.
   */
  async deleteVersion(bucketId: string, key: string, versionId: string, bypass = false): Promise<Removal> {
    const found = await this.find(bucketId, key, versionId);
    if (!found) return { files: [], versionId, deleteMarker: false };
    checkRemovable(found.lock, bypass);
    const file = await (found.current
      ? this.store.deleteObject(bucketId, key)
      : this.store.deleteNoncurrent(bucketId, key, versionId));
    if (!(await this.store.findObject(bucketId, key))) {
      const newest = await this.store.newestNoncurrent(bucketId, key);
      if (newest && !newest.deleteMarker) await this.store.restoreCurrent(newest);
    }
    return { files: file ? [file] : [], versionId, deleteMarker: found.deleteMarker };
  }

  /** A version by id ('null' for the null version), current or not. */
  async find(bucketId: string, key: string, versionId: string): Promise<VersionRecord | undefined> {
    const current = await this.store.findObject(bucketId, key);
    if (current && versionIdOf(current) === versionId)
      return { ...current, deleteMarker: false, current: true, latest: true, id: '' };
    return this.store.findNoncurrent(bucketId, key, versionId);
  }

  /** The delete marker a key's latest version is, if it is one. */
  async latestDeleteMarker(bucketId: string, key: string): Promise<VersionRecord | undefined> {
    if (await this.store.findObject(bucketId, key)) return undefined;
    const newest = await this.store.newestNoncurrent(bucketId, key);
    return newest?.deleteMarker ? newest : undefined;
  }

  private async dropNoncurrentNull(bucketId: string, key: string): Promise<string[]> {
    const file = await this.store.deleteNoncurrent(bucketId, key, NULL_VERSION);
    return file ? [file] : [];
  }
}
