/**
 * Bundles on disk: the image file checked before anything is made of it, parts written into a
 * folder (and all taken back when the bundle fails), parts and manifests read back from a folder.
 * The streaming code in ./pipeline and ./unbundle knows nothing of files beyond these.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { CliError } from '../errors';
import type { ImageType } from './manifest';
import type { PartSink } from './parts';

/** Instance-store images: the root device is limited to 10 GiB (Eucalyptus and EC2). */
export const IMAGE_SIZE_LIMIT = 10 * 2 ** 30;

/** The image's size, once it is known to be a readable regular file within the limit. */
export function checkImageFile(file: string, imageType: ImageType): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      'NoSuchFile',
      code === 'ENOENT' ? `image file does not exist: ${file}` : `cannot read the image file ${file}: ${code}`,
    );
  }
  if (!st.isFile()) throw new CliError('InvalidParameterValue', `the image is not a regular file: ${file}`);
  if (imageType === 'machine' && st.size > IMAGE_SIZE_LIMIT) {
    throw new CliError(
      'ImageTooLarge',
      `the image is ${st.size} bytes; instance-store images are limited to 10 GiB (${IMAGE_SIZE_LIMIT} bytes)`,
    );
  }
  return st.size;
}

/** Creates the folder if needed; refuses a path that is something else. */
export function ensureFolder(dir: string, what: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(
      'InvalidParameterValue',
      `cannot create the ${what} folder ${dir}: ${(e as NodeJS.ErrnoException).code}`,
    );
  }
  if (!fs.statSync(dir).isDirectory())
    throw new CliError('InvalidParameterValue', `the ${what} is not a folder: ${dir}`);
}

/** A sink writing parts into a folder, remembering them so a failed bundle can take them back. */
export function folderSink(dir: string): { sink: PartSink; removeAll(): Promise<void> } {
  const written: string[] = [];
  let writing: Promise<unknown> = Promise.resolve();
  return {
    async sink(name, data) {
      const file = path.join(dir, name);
      written.push(file);
      writing = fs.promises.writeFile(file, data);
      try {
        await writing;
      } catch (e) {
        written.pop(); // not ours: whatever is at that path was not written by this bundle
        throw new CliError(
          'WriteFailed',
          `cannot write bundle part ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
    },
    async removeAll() {
      // A write still in flight (the bundle was interrupted) must land before it is removed.
      await writing.catch(() => undefined);
      for (const f of written) fs.rmSync(f, { force: true });
    },
  };
}

/** Opens parts in a folder; a manifest's part names are taken as plain file names there. */
export function folderPartReader(dir: string): (name: string) => Readable {
  return (name) => {
    const file = path.join(dir, path.basename(name));
    const stream = fs.createReadStream(file);
    return stream;
  };
}

export function readManifestFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      'NoSuchFile',
      code === 'ENOENT' ? `manifest file does not exist: ${file}` : `cannot read the manifest file ${file}: ${code}`,
    );
  }
}

/** Where an image named in a manifest goes inside `dir`: never outside it, whatever the name. */
export function imageOutputPath(dir: string, imageName: string): string {
  const base = path.basename(imageName);
  if (!base || base === '.' || base === '..')
    throw new CliError('InvalidManifest', `the manifest names no usable image file: ${JSON.stringify(imageName)}`);
  return path.join(dir, base);
}
