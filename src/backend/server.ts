/**
 * The cloud's HTTP front: routes the Eucalyptus service paths to EC2 and Euare (Query, bodies
 * read within a limit) and everything else to Walrus (S3, path-style under /services/Walrus,
 * /services/objectstorage or the root path, bodies streamed to the handler), logs one line per
 * request (never a secret), passes /services/Eucalyptus/internal/ to the cluster's endpoints for
 * node controllers, and makes sure that whatever happens inside, the client gets an AWS
 * error document and never a stack trace.
 */
import * as http from 'node:http';
import { Authenticator } from './auth/verify';
import { handleInternal, INTERNAL_PREFIX } from './cluster/internal';
import { type CloudContext } from './context';
import { ec2Service } from './ec2';
import { ServiceError } from './errors';
import { iamService } from './iam';
import * as ids from './ids';
import { s3Gate } from './iam/enforce';
import type { Principal } from './store/types';
import { handleQuery, type QueryService, queryError } from './query-service';
import { type Reply, writeReply } from './reply';
import { lowerHeaders, splitUrl } from './request';
import { handleS3, s3Error } from './s3';

/** Query bodies beyond this are refused (AWS's own Query limit is in the same range). */
export const MAX_QUERY_BODY = 1024 * 1024;
/** A Query body must have arrived this long after its headers (REQUEST_BODY_TIMEOUT, seconds). */
export const DEFAULT_BODY_TIMEOUT_S = 30;
/** Requests not yet authenticated whose bodies one source address may have on the way at once. */
export const MAX_UNAUTHENTICATED_PER_SOURCE = 64;
/** Headers must have arrived this long after a request starts; an idle connection is closed after IDLE_TIMEOUT_MS. */
const HEADERS_TIMEOUT_MS = 60_000;
const IDLE_TIMEOUT_MS = 300_000;

type Route = { kind: 'query'; service: QueryService } | { kind: 's3'; prefix: string };

/** The service paths, which take priority; any other path is S3 at the root (s3cmd and friends). */
function router(ec2: QueryService, iam: QueryService): (path: string) => Route {
  const routes: [string, Route][] = [
    ['/services/Eucalyptus', { kind: 'query', service: ec2 }],
    ['/services/compute', { kind: 'query', service: ec2 }],
    ['/services/Euare', { kind: 'query', service: iam }],
    ['/services/Walrus', { kind: 's3', prefix: '/services/Walrus' }],
    ['/services/objectstorage', { kind: 's3', prefix: '/services/objectstorage' }],
  ];
  const rootS3: Route = { kind: 's3', prefix: '' };
  return (path) => {
    for (const [prefix, r] of routes) if (path === prefix || path.startsWith(prefix + '/')) return r;
    return rootS3;
  };
}

/** Reads a whole body of at most `limit` bytes that must have arrived within `timeoutMs`. */
async function readBody(req: AsyncIterable<Buffer>, limit: number, timeoutMs: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ServiceError(
            'RequestTimeout',
            'Your socket connection to the server was not read from or written to within the timeout period.',
            408,
          ),
        ),
      timeoutMs,
    );
  });
  late.catch(() => undefined);
  const reading = (async () => {
    try {
      for await (const c of req) {
        size += c.length;
        if (size > limit)
          throw new ServiceError(
            'RequestEntityTooLarge',
            `The request body exceeds the maximum of ${limit} bytes`,
            413,
          );
        chunks.push(c);
      }
    } catch (e) {
      // The client went away mid-body: its mistake, not the server's.
      if (e instanceof ServiceError) throw e;
      throw new ServiceError('IncompleteBody', 'The request body ended before the length its headers announced', 400);
    }
    return Buffer.concat(chunks);
  })();
  // Whichever loses the race settles unobserved.
  reading.catch(() => undefined);
  try {
    return await Promise.race([reading, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How many not-yet-authenticated requests each source address has in flight. */
class SourceLimiter {
  private readonly counts = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** Takes a place for the source, or returns false when it has none left. */
  enter(source: string): boolean {
    const n = this.counts.get(source) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(source, n + 1);
    return true;
  }

  leave(source: string): void {
    const n = (this.counts.get(source) ?? 1) - 1;
    if (n <= 0) this.counts.delete(source);
    else this.counts.set(source, n);
  }
}

export interface ServerLog {
  (line: string): void;
}

export function createCloudServer(cloud: CloudContext, log: ServerLog): http.Server {
  const route = router(ec2Service(cloud.ec2), iamService(cloud.identityService));
  const auth = new Authenticator(cloud.store, Date.now, { region: cloud.conf.SIGNATURE_REGION || undefined });
  const bodyTimeoutMs = (Number(cloud.conf.REQUEST_BODY_TIMEOUT) || DEFAULT_BODY_TIMEOUT_S) * 1000;
  const unauthenticated = new SourceLimiter(MAX_UNAUTHENTICATED_PER_SOURCE);

  /**
   * A Query request's body, read only after what its headers can prove has been checked (a V4
   * signature: service, date, key, and the signature itself when the payload hash is declared).
   * A request with nothing to check before (V2, signed inside its form body) is read in a
   * bounded time and, per source address, a bounded number at once.
   */
  async function queryBody(
    protocol: QueryService['protocol'],
    req: http.IncomingMessage,
    body: AsyncIterable<Buffer>,
    signed: { method: string; rawPath: string; query: [string, string][]; headers: Record<string, string> },
  ): Promise<{ data: Buffer; sender?: Principal }> {
    const sender = await auth.checkHeaders(protocol, signed);
    const source = sender ? undefined : (req.socket.remoteAddress ?? '');
    if (source !== undefined && !unauthenticated.enter(source))
      throw new ServiceError(
        'SlowDown',
        'Too many unauthenticated requests from your address at once; try again later.',
        503,
      );
    try {
      return { data: await readBody(body, MAX_QUERY_BODY, bodyTimeoutMs), sender };
    } finally {
      if (source !== undefined) unauthenticated.leave(source);
    }
  }

  /** `expectsContinue`: the client sent Expect: 100-continue and waits before sending its body. */
  async function serve(req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean): Promise<Reply> {
    const { rawPath, query } = splitUrl(req);
    const headers = lowerHeaders(req.rawHeaders);
    const method = req.method ?? 'GET';
    const origin = { sourceIp: req.socket.remoteAddress, secure: 'encrypted' in req.socket };
    // Node controllers' own endpoints, signed with the node key rather than an access key.
    if (rawPath.startsWith(INTERNAL_PREFIX)) return handleInternal(cloud, { method, rawPath, headers });
    const r = route(rawPath);
    // Sent when a handler starts reading the body: a request refused before that never uploads it.
    const body = (async function* () {
      if (expectsContinue) res.writeContinue();
      yield* req as AsyncIterable<Buffer>;
    })();
    if (r.kind === 'query') {
      let read: { data: Buffer; sender?: Principal };
      try {
        read = await queryBody(r.service.protocol, req, body, { method, rawPath, query, headers });
      } catch (e) {
        if (e instanceof ServiceError) return queryError(r.service, e, ids.requestId());
        throw e;
      }
      return handleQuery(r.service, cloud, auth, {
        method,
        rawPath,
        query,
        headers,
        body: read.data,
        origin,
        sender: read.sender,
      });
    }
    const s3Request = {
      method,
      rawPath,
      resourcePath: rawPath.slice(r.prefix.length) || '/',
      query,
      headers,
      body,
      origin,
    };
    return handleS3(cloud.walrus, auth, s3Request, s3Gate(cloud, origin));
  }

  const onRequest = (expectsContinue: boolean) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = process.hrtime.bigint();
    void serve(req, res, expectsContinue)
      .catch((e: Error) => {
        log(`internal error on ${req.method} ${(req.url ?? '').split('?')[0]}: ${e.stack ?? e.message}`);
        return s3Error(
          new ServiceError('InternalError', 'We encountered an internal error. Please try again.', 500),
          '',
          ids.requestId(),
        );
      })
      .then((reply) => {
        if (!res.headersSent) {
          // A body left unread (refused early, or failed half-way) is not worth reading to its end.
          if (!req.complete) reply = { ...reply, headers: { ...(reply.headers ?? {}), Connection: 'close' } };
          try {
            writeReply(req, res, reply);
          } catch (e) {
            // A header the answer cannot carry (a stored value no parser would have let in) ends
            // this answer, not the daemon's attention to the socket.
            log(
              `internal error: cannot answer ${req.method} ${(req.url ?? '').split('?')[0]}: ${(e as Error).message}`,
            );
            reply.stream?.destroy();
            res.destroy();
          }
        }
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log(`${req.method} ${(req.url ?? '').split('?')[0]} ${reply.action ?? '-'} ${reply.status} ${ms.toFixed(1)}ms`);
      });
  };

  const server = http.createServer(onRequest(false));
  server.on('checkContinue', onRequest(true));
  // An Expect other than 100-continue is served as if it were absent (S3 does), not refused with 417.
  server.on('checkExpectation', onRequest(false));
  // Node gives a whole request 5 minutes by default; a 5 GiB PUT on a slow link needs longer.
  // Slow senders are bounded otherwise: headers within HEADERS_TIMEOUT_MS, a Query body within
  // REQUEST_BODY_TIMEOUT, and no connection idle for longer than IDLE_TIMEOUT_MS.
  server.requestTimeout = 0;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.timeout = IDLE_TIMEOUT_MS;
  return server;
}
