/**
 * What the Walrus tests need beside a running cloud: endpoints for our S3 client (any signature
 * version, any credentials, any path prefix), a second account made the way the cloud makes
 * accounts (its SQLite store, opened from the test process: WAL lets both write), unsigned
 * requests as an anonymous user sends them, and a listing of every file under a folder.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { cloudPaths } from '../../src/shared/paths';
import { SqlStore } from '../../src/backend/store/sql-store';
import { cloudDatabase } from '../../src/backend/store/database';
import { resolveEndpoint } from '../../src/cli/config/resolve';
import { S3Client } from '../../src/cli/s3';
import { type TestCloud } from './cloud';

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

export function adminKeys(cloud: TestCloud): Keys {
  return { accessKeyId: cloud.eucarc.EC2_ACCESS_KEY, secretAccessKey: cloud.eucarc.EC2_SECRET_KEY };
}

/** Our S3 client against the cloud, at its S3_URL or another URL (the root path, objectstorage). */
export async function s3Client(
  cloud: TestCloud,
  opts: { sig?: '2' | '4'; keys?: Keys; url?: string } = {},
): Promise<S3Client> {
  const keys = opts.keys ?? adminKeys(cloud);
  const ep = await resolveEndpoint(
    's3',
    {
      'signature-version': opts.sig ?? '4',
      url: opts.url,
      'access-key': keys.accessKeyId,
      'secret-key': keys.secretAccessKey,
    },
    { env: cloud.env, ini: new Map(), commandName: 'test' },
  );
  return new S3Client(ep);
}

/** A new account with one user and an access key, created in the cloud's own store. */
export async function createAccount(cloud: TestCloud, name: string): Promise<Keys & { accountId: string }> {
  const store = await SqlStore.open(cloudDatabase(cloudPaths(cloud.dataDir)));
  try {
    return await store.transaction(async () => {
      const account = await store.createAccount(name);
      const user = await store.createUser(account.id, 'admin');
      const key = await store.createAccessKey(user.id);
      return { accountId: account.id, accessKeyId: key.id, secretAccessKey: key.secret };
    });
  } finally {
    await store.close();
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request as given (unsigned, or signed by the caller): how an anonymous user (a browser,
 * curl) reaches an object. `localAddress` sends it from another loopback address, on a fresh
 * connection.
 */
export function rawRequest(
  port: number,
  method: string,
  rawPath: string,
  headers: Record<string, string | number> = {},
  body?: Buffer | string,
  opts: { host?: string; localAddress?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const agent = opts.localAddress ? false : undefined;
    const req = http.request(
      { host: opts.host ?? '127.0.0.1', port, method, path: rawPath, headers, localAddress: opts.localAddress, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every file under dir, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  (function walk(d: string) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  })(dir);
  return out.sort();
}
