/**
 * Independent answers from OpenSSH and OpenSSL, to check the cloud's keys against: EC2's two
 * fingerprints computed with the openssl command line, and ssh-keygen's reading of a private key.
 */
import { execFileSync } from 'node:child_process';

const sh = (script: string, ...args: string[]) =>
  execFileSync('bash', ['-c', script, 'sh', ...args], { encoding: 'utf8' });

/** SHA1 of the private key in PKCS#8 DER, as `openssl sha1 -c` prints it. */
export function opensslPrivateFingerprint(keyFile: string): string {
  return sh('openssl pkcs8 -topk8 -nocrypt -in "$1" -outform DER | openssl sha1 -c', keyFile)
    .trim()
    .split(/\s+/)
    .pop()!;
}

/** MD5 of an OpenSSH public key's DER SubjectPublicKeyInfo. */
export function opensslPublicFingerprint(pubFile: string): string {
  return sh('ssh-keygen -e -m PKCS8 -f "$1" | openssl pkey -pubin -outform DER | openssl md5 -c', pubFile)
    .trim()
    .split(/\s+/)
    .pop()!;
}

/** `ssh-keygen -y`: the OpenSSH public key of a private key file. */
export function sshPublicKeyOf(keyFile: string): string {
  return sh('ssh-keygen -y -f "$1"', keyFile).trim();
}

/** A fresh RSA key pair made by ssh-keygen: `file` (private) and `file.pub`. */
export function sshKeygen(file: string, bits = 2048): void {
  sh(`ssh-keygen -q -t rsa -b ${bits} -N '' -C test@example -f "$1"`, file);
}
