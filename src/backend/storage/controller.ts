/**
 * The storage controller: volumes as sparse files, one folder per availability zone
 * (var/lib/eucalyptus/volumes/<zone>/<vol-id>), and snapshots in Walrus. A snapshot copies its
 * volume into the `eucalyptus-snapshots` bucket in 4 MiB chunks (`snap-id/<offset>`), leaving out
 * the chunks that are all zeros, and reports progress as it goes; a volume made from a snapshot
 * writes the stored chunks back into a new sparse file, so it holds exactly the snapshot's bytes,
 * in whichever zone it is made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { CloudBuckets } from '../s3/cloud-buckets';
import type { VolumeSource } from '../../shared/nc-protocol';
import type { VolumeExports } from './exports';

export const SNAPSHOT_BUCKET = 'eucalyptus-snapshots';
export const CHUNK = 4 * 1024 * 1024;
export const GiB = 1024 ** 3;

export class StorageController {
  constructor(
    readonly dir: string,
    /** The cloud's own buckets in Walrus, where snapshots are kept. */
    private readonly buckets: CloudBuckets,
    /** With VOLUME_EXPORT="nbd": volumes reach nodes as network exports, not by their file's path. */
    readonly exports?: VolumeExports,
  ) {}

  /** Where a volume's file is. */
  volumePath(zone: string, volumeId: string): string {
    return path.join(this.dir, zone, volumeId);
  }

  /**
   * Where a node finds a volume for one attachment (named by the caller, e.g. the instance and the
   * attachment's time): its file's path, or its export made for that attachment.
   */
  async sourceFor(zone: string, volumeId: string, attachment: string): Promise<VolumeSource> {
    const file = this.volumePath(zone, volumeId);
    if (!this.exports) return { path: file };
    return { nbd: await this.exports.export(volumeId, file, attachment) };
  }

  /** The volume reaches no node any more (detached): its export, if any, ends. */
  async endExport(volumeId: string): Promise<void> {
    await this.exports?.unexport(volumeId);
  }

  /** A new, empty (sparse) volume. */
  async create(zone: string, volumeId: string, sizeGiB: number): Promise<string> {
    const file = this.volumePath(zone, volumeId);
    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const fh = await fs.promises.open(file, 'wx', 0o600);
    try {
      await fh.truncate(sizeGiB * GiB);
    } finally {
      await fh.close();
    }
    return file;
  }

  async remove(zone: string, volumeId: string): Promise<void> {
    await fs.promises.rm(this.volumePath(zone, volumeId), { force: true });
  }

  /** Writes a stream into a volume from its start (an imported disk image). Returns the bytes written. */
  async fill(zone: string, volumeId: string, data: Readable, onProgress?: (bytes: number) => void): Promise<number> {
    const fh = await fs.promises.open(this.volumePath(zone, volumeId), 'r+');
    let offset = 0;
    try {
      for await (const piece of data as AsyncIterable<Buffer>) {
        if (!isZero(piece)) await fh.write(piece, 0, piece.length, offset);
        offset += piece.length;
        onProgress?.(offset);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    return offset;
  }

  /** Copies a volume into Walrus, chunk by chunk; reports progress in percent. */
  async snapshot(
    zone: string,
    volumeId: string,
    snapshotId: string,
    onProgress: (percent: number) => void,
  ): Promise<void> {
    const fh = await fs.promises.open(this.volumePath(zone, volumeId), 'r');
    try {
      const size = (await fh.stat()).size;
      const buf = Buffer.alloc(CHUNK);
      for (let offset = 0; offset < size; offset += CHUNK) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, size - offset), offset);
        const piece = buf.subarray(0, bytesRead);
        if (!isZero(piece)) await this.buckets.store(SNAPSHOT_BUCKET, chunkKey(snapshotId, offset), Buffer.from(piece));
        onProgress(Math.floor(((offset + bytesRead) * 100) / size));
      }
    } finally {
      await fh.close();
    }
  }

  /** Fills a new volume with a snapshot's stored chunks. */
  async restore(zone: string, volumeId: string, snapshotId: string): Promise<void> {
    const fh = await fs.promises.open(this.volumePath(zone, volumeId), 'r+');
    try {
      for (const offset of await this.chunkOffsets(snapshotId)) {
        let at = offset;
        for await (const piece of (await this.buckets.open(
          SNAPSHOT_BUCKET,
          chunkKey(snapshotId, offset),
        )) as AsyncIterable<Buffer>) {
          await fh.write(piece, 0, piece.length, at);
          at += piece.length;
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await this.buckets.removeUnder(SNAPSHOT_BUCKET, `${snapshotId}/`);
  }

  private async chunkOffsets(snapshotId: string): Promise<number[]> {
    const prefix = `${snapshotId}/`;
    const offsets: number[] = [];
    for await (const o of this.buckets.objects(SNAPSHOT_BUCKET, prefix))
      offsets.push(parseInt(o.key.slice(prefix.length), 16));
    return offsets;
  }
}

/** A chunk's key: the snapshot, then its offset in hex, zero-padded so keys sort by offset. */
const chunkKey = (snapshotId: string, offset: number) => `${snapshotId}/${offset.toString(16).padStart(12, '0')}`;

const ZEROS = Buffer.alloc(CHUNK);

/** Whether a piece is all zeros (compared natively, a chunk's worth at a time). */
function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i += CHUNK) {
    const part = b.subarray(i, Math.min(b.length, i + CHUNK));
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}
