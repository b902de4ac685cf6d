/**
 * Which backend holds Walrus's object bytes, as eucalyptus.conf says: WALRUS_BACKEND="files" (the
 * default: the data dir's var/lib/eucalyptus/walrus) or "s3", an S3 service such as Ceph's RADOS
 * Gateway that several front ends share: WALRUS_S3_ENDPOINT (http://host:port), WALRUS_S3_BUCKET
 * (default walrus), WALRUS_S3_ACCESS_KEY, WALRUS_S3_SECRET_KEY, WALRUS_S3_REGION (default
 * us-east-1). A conf holding the secret key is made readable by its owner alone.
 */
import * as fs from 'node:fs';
import { CliError } from '../../shared/errors';
import type { CloudPaths } from '../../shared/paths';
import type { ObjectBytes } from './object-bytes';
import { S3ObjectBytes } from './s3-object-bytes';
import { ObjectFiles } from './storage';

const bad = (setting: string, why: string) =>
  new CliError('InvalidConfiguration', `eucalyptus.conf: ${setting} ${why}`);

export function objectBytesFor(paths: CloudPaths, conf: Record<string, string>): ObjectBytes {
  const kind = (conf.WALRUS_BACKEND || 'files').toLowerCase();
  if (kind === 'files') return new ObjectFiles(paths.walrusDir);
  if (kind !== 's3') throw bad('WALRUS_BACKEND', `"${conf.WALRUS_BACKEND}" is not a backend; use files or s3`);
  const need = (setting: string) => {
    const v = conf[setting]?.trim();
    if (!v) throw bad(setting, 'must be set when WALRUS_BACKEND is s3');
    return v;
  };
  const endpoint = need('WALRUS_S3_ENDPOINT');
  if (!/^https?:\/\/[^/]+/.test(endpoint)) throw bad('WALRUS_S3_ENDPOINT', `"${endpoint}" is not an http(s) URL`);
  const bucket = conf.WALRUS_S3_BUCKET?.trim() || 'walrus';
  const secretAccessKey = need('WALRUS_S3_SECRET_KEY');
  if (fs.existsSync(paths.conf) && (fs.statSync(paths.conf).mode & 0o077) !== 0) fs.chmodSync(paths.conf, 0o600);
  return new S3ObjectBytes({
    endpoint,
    bucket,
    accessKeyId: need('WALRUS_S3_ACCESS_KEY'),
    secretAccessKey,
    region: conf.WALRUS_S3_REGION?.trim() || 'us-east-1',
  });
}
