/**
 * Real guests for a test: the bootable test image (scripts/build-test-image.mjs, built once into
 * .cache/test-image from Debian's packages) registered as a kernel, a ramdisk and a root image
 * through the real commands, and ssh into an instance with its key pair.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, runOk } from './cli';
import { registerImageFile } from './images';

const exec = promisify(execFile);

export const TEST_IMAGE_DIR = path.join(ROOT, '.cache', 'test-image');

/** Builds the test image (once; a second call finds it built) and answers its folder. */
export async function testImage(): Promise<{ kernel: string; ramdisk: string; root: string }> {
  await exec(process.execPath, [path.join(ROOT, 'scripts', 'build-test-image.mjs'), TEST_IMAGE_DIR], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    kernel: path.join(TEST_IMAGE_DIR, 'vmlinuz'),
    ramdisk: path.join(TEST_IMAGE_DIR, 'initrd.img'),
    root: path.join(TEST_IMAGE_DIR, 'root.img'),
  };
}

/** The test image's kernel, ramdisk and root registered as seed 000 does it: eki, eri, emi. */
export async function registerBootableImage(
  env: Record<string, string>,
  work: string,
): Promise<{ eki: string; eri: string; emi: string }> {
  const image = await testImage();
  // Copies under names of their own: the bundles are named after the files.
  const copy = (from: string, name: string) => {
    const to = path.join(work, name);
    fs.copyFileSync(from, to);
    return to;
  };
  const eki = await registerImageFile(env, copy(image.kernel, 'vmlinuz-test'), [], ['--kernel', 'true']);
  const eri = await registerImageFile(env, copy(image.ramdisk, 'initrd-test.img'), [], ['--ramdisk', 'true']);
  const emi = await registerImageFile(env, copy(image.root, 'root-test.img'), [], ['--kernel', eki, '--ramdisk', eri]);
  return { eki, eri, emi };
}

const SSH_OPTIONS = [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  'ConnectTimeout=5',
  '-o',
  'LogLevel=ERROR',
];

/** `ssh -i KEY root@ADDRESS COMMAND`, as the seed logs in; resolves with what it printed. */
export async function ssh(key: string, address: string, command: string, input?: Buffer): Promise<string> {
  const child = execFile('ssh', [...SSH_OPTIONS, '-i', key, `root@${address}`, command], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input) child.stdin!.end(input);
  else child.stdin!.end();
  return new Promise((resolve, reject) => {
    let out = Buffer.alloc(0);
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out = Buffer.concat([out, d])));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve(out.toString()) : reject(new Error(`ssh ${command}: exit ${code}: ${err.trim()}`)),
    );
  });
}

/** Retries ssh until the guest answers (its sshd is up), up to timeoutMs. */
export async function waitForSsh(key: string, address: string, timeoutMs = 120_000): Promise<number> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      await ssh(key, address, 'true');
      return Date.now() - start;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`no ssh to ${address} within ${timeoutMs} ms: ${(last as Error)?.message}`);
}

/** The INSTANCE line's fields of euca-describe-instances for one instance. */
export async function instanceLine(env: Record<string, string>, id: string): Promise<string[]> {
  const out = await runOk('euca-describe-instances', [id], env);
  const line = out.split('\n').find((l) => l.startsWith('INSTANCE\t'));
  if (!line) throw new Error(`no INSTANCE line for ${id}: ${out}`);
  return line.split('\t');
}

/** Waits until the instance is in this state; answers its INSTANCE line. */
export async function waitForState(
  env: Record<string, string>,
  id: string,
  state: string,
  timeoutMs = 120_000,
): Promise<string[]> {
  const start = Date.now();
  for (;;) {
    const f = await instanceLine(env, id);
    if (f[5] === state) return f;
    if (Date.now() - start > timeoutMs) throw new Error(`${id} is ${f[5]}, not ${state}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
