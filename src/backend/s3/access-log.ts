/**
 * Server access logging, as S3 does it: a bucket's owner names a target bucket of theirs and a
 * key prefix (PUT ?logging), and every request on the bucket becomes a line of S3's log format
 * (owner, bucket, time, remote IP, requester, request ID, operation, key, request line, status,
 * error code, bytes sent, object size, times, referer, user agent, version ID, host ID, signature
 * version, cipher, authentication type, host, TLS version). Lines wait in memory and are delivered
 * every few seconds, and when the cloud stops, as objects named PREFIXYYYY-mm-DD-HH-MM-SS-UNIQUE
 * in the target bucket, owned by its owner. Like S3's, delivery is best effort: a line of a
 * request served just before a crash may be lost; the request itself is not affected.
 */
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../errors';
import { malformed, parseXmlBody, s3Answer, text } from './documents';
import type { Walrus } from './walrus';

/** Where a bucket's access log goes (?logging), as kept. */
export interface LoggingTarget {
  targetBucket: string;
  targetPrefix: string;
}

/** How often waiting lines are delivered. */
export const LOG_DELIVERY_MS = 5000;

export function parseLogging(body: Buffer): LoggingTarget | undefined {
  const root = parseXmlBody(body).BucketLoggingStatus;
  if (root === undefined) throw malformed();
  const enabled = root?.LoggingEnabled;
  if (!enabled) return undefined;
  const targetBucket = text(enabled.TargetBucket);
  if (!targetBucket) throw malformed();
  if (enabled.TargetGrants !== undefined && enabled.TargetGrants !== '')
    throw new ServiceError(
      'NotImplemented',
      'TargetGrants are not implemented by this cloud: the log is its owner’s',
      501,
    );
  return { targetBucket, targetPrefix: text(enabled.TargetPrefix) ?? '' };
}

export const loggingDocument = (t: LoggingTarget | undefined) =>
  s3Answer('GetBucketLogging', 'BucketLoggingStatus', {
    ...(t ? { LoggingEnabled: { TargetBucket: t.targetBucket, TargetPrefix: t.targetPrefix } } : {}),
  });

/** One served request, as the log tells it. */
export interface AccessEntry {
  bucket: string;
  time: Date;
  remoteIp?: string;
  /** The requester's canonical ID (its account); undefined: anonymous. */
  requester?: string;
  requestId: string;
  hostId: string;
  /** S3's operation name: REST.GET.OBJECT, REST.PUT.ACL, ... */
  operation: string;
  key?: string;
  requestLine: string;
  status: number;
  errorCode?: string;
  bytesSent?: number;
  objectSize?: number;
  totalMs: number;
  referer?: string;
  userAgent?: string;
  versionId?: string;
  signatureVersion?: string;
  authType?: string;
  host?: string;
}

const field = (v: string | number | undefined) => (v === undefined || v === '' ? '-' : String(v));
/** A quoted field: "-" when absent, as S3 writes an absent referer or user agent. */
const quoted = (v: string | undefined) => `"${(v ?? '-').replace(/"/g, '\\"')}"`;

/** [06/Feb/2019:00:00:38 +0000], as S3 writes the time. */
function logTime(t: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `[${p(t.getUTCDate())}/${months[t.getUTCMonth()]}/${t.getUTCFullYear()}:` +
    `${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} +0000]`
  );
}

/** One line of S3's server access log format. */
export function logLine(owner: string, e: AccessEntry): string {
  return [
    owner,
    e.bucket,
    logTime(e.time),
    field(e.remoteIp),
    field(e.requester),
    e.requestId,
    e.operation,
    field(e.key === undefined ? undefined : encodeURIComponent(e.key).replace(/%2F/g, '/')),
    quoted(e.requestLine),
    e.status,
    field(e.errorCode),
    field(e.bytesSent),
    field(e.objectSize),
    Math.round(e.totalMs),
    '-',
    quoted(e.referer),
    quoted(e.userAgent),
    field(e.versionId),
    e.hostId,
    field(e.signatureVersion),
    '-',
    field(e.authType),
    field(e.host),
    '-',
    '-',
    '-',
  ].join(' ');
}

/** The log's object key for a delivery at `t`: PREFIX + YYYY-mm-DD-HH-MM-SS- + a unique part. */
const logKey = (prefix: string, t: Date) =>
  `${prefix}${t.toISOString().slice(0, 19).replace(/[T:]/g, '-')}-${randomBytes(8).toString('hex').toUpperCase()}`;

/** The access logs of Walrus's buckets: lines gathered per target, delivered now and then. */
export class AccessLogs {
  private waiting = new Map<string, { target: LoggingTarget; owner: string; lines: string[] }>();

  constructor(private readonly walrus: Walrus) {}

  /** Notes a served request, if its bucket logs. Never fails the request. */
  async record(entry: AccessEntry): Promise<void> {
    try {
      const b = await this.walrus.store.findBucket(entry.bucket);
      const target = b && (await this.walrus.store.bucketConfig<LoggingTarget>(b.id, 'logging'));
      if (!b || !target) return;
      const at = `${b.ownerAccountId}\0${target.targetBucket}\0${target.targetPrefix}`;
      const batch = this.waiting.get(at) ?? { target, owner: b.ownerAccountId, lines: [] };
      batch.lines.push(logLine(b.ownerAccountId, entry));
      this.waiting.set(at, batch);
    } catch {
      // A log line is not worth a failed request.
    }
  }

  /** Delivers what waits: one object per target; returns how many lines went out. */
  async deliver(now = new Date()): Promise<number> {
    const batches = [...this.waiting.values()];
    this.waiting = new Map();
    let delivered = 0;
    for (const { target, owner, lines } of batches) {
      const body = Buffer.from(lines.join('\n') + '\n');
      if (await this.walrus.deliverLog(target.targetBucket, owner, logKey(target.targetPrefix, now), body))
        delivered += lines.length;
    }
    return delivered;
  }

  /** Delivers every LOG_DELIVERY_MS; the returned stop delivers what is left. */
  start(log: (line: string) => void, everyMs = LOG_DELIVERY_MS): () => Promise<void> {
    const run = () =>
      this.deliver().catch((e: Error) => {
        log(`walrus access log delivery failed: ${e.message}`);
        return 0;
      });
    const timer = setInterval(() => void run(), everyMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await run();
    };
  }
}

/** The operation a request is, in the log's words: REST.METHOD.RESOURCE. */
export function logOperation(method: string, key: string | undefined, query: [string, string][]): string {
  const names = new Map([
    ['acl', 'ACL'],
    ['tagging', 'TAGGING'],
    ['uploads', 'UPLOADS'],
    ['uploadId', 'UPLOAD'],
    ['versioning', 'VERSIONING'],
    ['versions', 'VERSIONS'],
    ['policy', 'BUCKETPOLICY'],
    ['cors', 'CORS'],
    ['lifecycle', 'LIFECYCLE'],
    ['logging', 'LOGGING_STATUS'],
    ['location', 'LOCATION'],
    ['encryption', 'ENCRYPTION'],
    ['delete', 'MULTI_OBJECT_DELETE'],
  ]);
  const sub = query.map(([k]) => names.get(k)).find((n) => n !== undefined);
  return `REST.${method}.${sub ?? (key === undefined ? 'BUCKET' : 'OBJECT')}`;
}
