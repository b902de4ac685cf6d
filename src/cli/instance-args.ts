/**
 * Argument forms the instance commands share: the instance count (`N` or `MIN-MAX`), user data
 * given inline or from a file (base64-encoded for the Query API, at most 16 KiB as EC2 allows),
 * and security groups given by name or by sg- id.
 */
import * as fs from 'node:fs';
import { UsageError, CliError } from '../shared/errors';
import { type Params } from './query';

export const MAX_USER_DATA = 16 * 1024;

export function instanceCount(text: string): { MinCount: number; MaxCount: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`-n/--instance-count must have the form N or MIN-MAX: ${text}`);
  let [min, max] = [Number(m[1]), Number(m[2] ?? m[1])];
  if (min < 1 || max < 1) throw new UsageError('-n/--instance-count: instance counts must be positive');
  if (min > max) [min, max] = [max, min];
  return { MinCount: min, MaxCount: max };
}

export function userData(
  inline: string | undefined,
  force: string | undefined,
  file: string | undefined,
): string | undefined {
  let data: Buffer | undefined;
  if (inline !== undefined) {
    if (fs.existsSync(inline))
      throw new UsageError(
        `-d/--user-data: "${inline}" is a file; use -f/--user-data-file to send its contents, or ` +
          `--user-data-force to send the name itself`,
      );
    data = Buffer.from(inline);
  } else if (force !== undefined) data = Buffer.from(force);
  else if (file !== undefined) {
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new CliError('FileNotFound', `cannot read user data file ${file}: ${(e as NodeJS.ErrnoException).code}`);
    }
  }
  if (data && data.length > MAX_USER_DATA)
    throw new CliError(
      'InvalidParameterValue',
      `user data is ${data.length} bytes; at most ${MAX_USER_DATA} (16 KiB) are allowed`,
    );
  return data?.toString('base64');
}

export function securityGroups(groups: string[] | undefined): Params {
  const ids = (groups ?? []).filter((g) => g.startsWith('sg-'));
  const names = (groups ?? []).filter((g) => !g.startsWith('sg-'));
  return { SecurityGroupId: ids.length ? ids : undefined, SecurityGroup: names.length ? names : undefined };
}
