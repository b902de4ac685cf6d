/**
 * A bundle made the way the EC2 AMI tools make one: tar -S, gzip, openssl enc, split, and a
 * manifest written here and signed with openssl, for interoperability tests.
 */
import * as crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestIdentity } from './keys';

/** Runs a bash pipeline (failing if any stage fails) and returns its output. */
export function sh(script: string, opts: { input?: Buffer | string; cwd?: string } = {}): Buffer {
  return execFileSync('bash', ['-o', 'pipefail', '-c', script], {
    input: opts.input,
    cwd: opts.cwd,
    maxBuffer: 1 << 28,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** What ec2-bundle-image does, step by step with the same tools, and a manifest signed with openssl. */
export function ec2ToolsBundle(imageFile: string, src: string, id: TestIdentity): string {
  const name = path.basename(imageFile);
  fs.mkdirSync(src);
  const key = crypto.randomBytes(16).toString('hex');
  const iv = crypto.randomBytes(16).toString('hex');
  // tar -S (sparse) with owner 0, the digest of the tar, gzip -9, openssl enc, split.
  const digest = sh(
    `tar -c -h -S --owner 0 --group 0 -C ` +
      `'${path.dirname(imageFile)}' '${name}' | tee '${src}/image.tar' | openssl sha1 -r`,
  )
    .toString()
    .split(' ')[0];
  sh(`gzip -9 < image.tar | openssl enc -e -aes-128-cbc -K ${key} -iv ${iv} | split -b 10M -a 1 -d - '${name}.part.'`, {
    cwd: src,
  });
  fs.rmSync(path.join(src, 'image.tar'));
  const parts = fs
    .readdirSync(src)
    .filter((f) => f.startsWith(`${name}.part.`))
    .sort();
  const wrap = (secret: string, cert: string) =>
    sh(`openssl pkeyutl -encrypt -certin -inkey '${cert}' -pkeyopt rsa_padding_mode:pkcs1`, { input: secret }).toString(
      'hex',
    );
  const sha1 = (f: string) =>
    crypto
      .createHash('sha1')
      .update(fs.readFileSync(path.join(src, f)))
      .digest('hex');
  const bundled = parts.reduce((n, f) => n + fs.statSync(path.join(src, f)).size, 0);
  const mc = `<machine_configuration><architecture>x86_64</architecture><block_device_mapping><mapping><virtual>ami</virtual><device>sda1</device></mapping><mapping><virtual>root</virtual><device>/dev/sda1</device></mapping></block_device_mapping><kernel_id>aki-88aa75e1</kernel_id></machine_configuration>`;
  const img =
    `<image><name>${name}</name><user>${id.accountId}</user><type>machine</type><digest ` +
    `algorithm='SHA1'>${digest}</digest>` +
    `<size>${fs.statSync(imageFile).size}</size><bundled_size>${bundled}</bundled_size>` +
    `<ec2_encrypted_key algorithm='AES-128-CBC'>${wrap(key, id.cloudCert)}</ec2_encrypted_key><user_encrypted_key algorithm='AES-128-CBC'>${wrap(key, id.userCert)}</user_encrypted_key>` +
    `<ec2_encrypted_iv>${wrap(iv, id.cloudCert)}</ec2_encrypted_iv><user_encrypted_iv>${wrap(iv, id.userCert)}</user_encrypted_iv>` +
    `<parts count='${parts.length}'>${parts.map((f, i) => `<part index='${i}'><filename>${f}</filename><digest algorithm='SHA1'>${sha1(f)}</digest></part>`).join('')}</parts></image>`;
  fs.writeFileSync(path.join(src, 'signed.txt'), mc + img);
  const signature = sh(`openssl dgst -sha1 -sign '${id.userKey}' signed.txt`, { cwd: src }).toString('hex');
  fs.rmSync(path.join(src, 'signed.txt'));
  const manifestFile = path.join(src, `${name}.manifest.xml`);
  fs.writeFileSync(
    manifestFile,
    `<?xml version='1.0'?><manifest><version>2007-10-10</version><bundler><name>ec2-ami-tools</name><version>1.5.7</version><release>0</release></bundler>${mc}${img}<signature>${signature}</signature></manifest>`,
  );
  return manifestFile;
}
