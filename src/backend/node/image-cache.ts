/**
 * The node's image cache, INSTANCE_PATH/cache/<imageId>: each image (machine image, kernel or
 * ramdisk) is downloaded from the cloud once, streamed to a temp file beside its final name,
 * checked against the announced length, fsynced and renamed, so a cached file is always whole.
 * Concurrent runs of one image share a single download. A start removes what an interrupted
 * download left.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ImageDownload } from '../../shared/nc-protocol';

const TEMP_PREFIX = '.download-';

export class ImageCache {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    readonly dir: string,
    private readonly fetchImage: (imageId: string) => Promise<ImageDownload>,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of fs.readdirSync(dir))
      if (name.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(dir, name), { force: true });
  }

  /** The cached file of an image, downloading it first if needed. */
  get(imageId: string): Promise<string> {
    if (!/^e[mkr]i-[0-9A-F]{8}$/i.test(imageId)) return Promise.reject(new Error(`not an image ID: ${imageId}`));
    const file = path.join(this.dir, imageId);
    const pending = this.inFlight.get(imageId);
    if (pending) return pending;
    if (fs.existsSync(file)) return Promise.resolve(file);
    const p = this.download(imageId, file).finally(() => this.inFlight.delete(imageId));
    this.inFlight.set(imageId, p);
    return p;
  }

  private async download(imageId: string, file: string): Promise<string> {
    const tmp = path.join(this.dir, `${TEMP_PREFIX}${imageId}-${process.pid}-${Date.now()}`);
    try {
      const { body, size } = await this.fetchImage(imageId);
      const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      await pipeline(body, out);
      const got = fs.statSync(tmp).size;
      if (size !== undefined && got !== size)
        throw new Error(`image ${imageId} arrived short: ${got} of ${size} bytes`);
      const fd = fs.openSync(tmp, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
      return file;
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }
}
