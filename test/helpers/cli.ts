/**
 * Running the real commands the way a user does: the build's folder of symlinks named after every
 * command in package.json "bin", all pointing at bin/euca2ools.js, put first on PATH.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** dist/bin, where the build links every command name to bin/euca2ools.js. */
export function commandsDir(): string {
  return path.join(ROOT, 'dist', 'bin');
}

/** An environment with none of the user's EUCA/EC2/AWS settings: only what the test gives. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(EC2_|AWS_|EUCA|EUARE_|S3_|EUCALYPTUS_|FORCE_COLOR$|NO_COLOR$)/.test(k)) continue;
    env[k] = v;
  }
  env.PATH = `${commandsDir()}${path.delimiter}${env.PATH ?? ''}`;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: Record<string, string>, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Runs a command that must succeed, and returns its stdout. */
export async function runOk(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  const r = await run(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The folders tempDir made: removed when the test file's process ends (KEEP_TEST_DIRS=1 keeps them). */
const madeDirs: string[] = [];
process.once('exit', () => {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const dir of madeDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Still in use (a mount a failed test left behind): kept, as KEEP_TEST_DIRS would.
    }
  }
});

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}
