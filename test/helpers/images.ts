/**
 * A registered, available machine image for tests that need one: a small disk image (or a given
 * file) bundled, uploaded and registered with the real commands, then waited on until Walrus has
 * decrypted it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runOk, tempDir } from './cli';

export async function registerTestImage(
  env: Record<string, string>,
  name = `test-${randomBytes(3).toString('hex')}.img`,
  registerArgs: string[] = [],
  size = 2 * 1024 * 1024 + 256 * 1024,
  bundleArgs: string[] = [],
): Promise<string> {
  const work = tempDir('euca-test-image-');
  const file = path.join(work, name);
  fs.writeFileSync(
    file,
    Buffer.concat([randomBytes(Math.min(size, 256 * 1024)), Buffer.alloc(Math.max(0, size - 256 * 1024))]),
  );
  try {
    return await registerImageFile(env, file, registerArgs, bundleArgs);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Bundles, uploads and registers a file as the real commands do; waits until it is available. */
export async function registerImageFile(
  env: Record<string, string>,
  file: string,
  registerArgs: string[] = [],
  bundleArgs: string[] = [],
): Promise<string> {
  const work = tempDir('euca-test-bundle-');
  const name = path.basename(file);
  await runOk('euca-bundle-image', ['-i', file, '-d', work, ...bundleArgs], env);
  const bucket = `images-${randomBytes(3).toString('hex')}`;
  await runOk('euca-upload-bundle', ['-b', bucket, '-m', path.join(work, `${name}.manifest.xml`)], env);
  fs.rmSync(work, { recursive: true, force: true });
  const id = (await runOk('euca-register', [`${bucket}/${name}.manifest.xml`, ...registerArgs], env))
    .split('\t')[1]
    .trim();
  for (let i = 0; i < 400; i++) {
    const state = (await runOk('euca-describe-images', [id], env)).split('\t')[4];
    if (state === 'available') return id;
    if (state === 'failed') throw new Error(`${id} failed to register`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} did not become available`);
}
