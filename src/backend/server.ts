/**
 * The cloud's HTTP front: routes the Eucalyptus service paths to EC2, Walrus and Euare, reads
 * bodies within limits, logs one line per request (never a secret), and makes sure that whatever
 * happens inside, the client gets an AWS error document and never a stack trace.
 */
import * as http from 'node:http';
import { Authenticator } from './auth/verify';
import { CloudContext } from './context';
import { ec2Service } from './ec2';
import { ServiceError } from './errors';
import { iamService } from './iam';
import * as ids from './ids';
import { handleQuery, QueryService, queryError, Reply } from './query-service';
import { lowerHeaders, splitUrl } from './request';
import { handleS3, s3Error } from './s3';

/** Query bodies beyond this are refused (AWS's own Query limit is in the same range). */
export const MAX_QUERY_BODY = 1024 * 1024;

type Route = { kind: 'query'; service: QueryService } | { kind: 's3'; prefix: string };

const ROUTES: [string, Route][] = [
  ['/services/Eucalyptus', { kind: 'query', service: ec2Service }],
  ['/services/compute', { kind: 'query', service: ec2Service }],
  ['/services/Euare', { kind: 'query', service: iamService }],
  ['/services/Walrus', { kind: 's3', prefix: '/services/Walrus' }],
  ['/services/objectstorage', { kind: 's3', prefix: '/services/objectstorage' }],
];

function route(path: string): Route | undefined {
  for (const [prefix, r] of ROUTES) if (path === prefix || path.startsWith(prefix + '/')) return r;
  return undefined;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new ServiceError('RequestEntityTooLarge', `The request body exceeds the maximum of ${limit} bytes`, 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface ServerLog {
  (line: string): void;
}

export function createCloudServer(cloud: CloudContext, log: ServerLog): http.Server {
  const auth = new Authenticator(cloud.store);

  async function serve(req: http.IncomingMessage): Promise<Reply> {
    const { rawPath, query } = splitUrl(req);
    const headers = lowerHeaders(req.rawHeaders);
    const method = req.method ?? 'GET';
    const r = route(rawPath);
    if (!r) {
      return s3Error(new ServiceError('NotFound', `No service is served at ${rawPath.slice(0, 200)}`, 404), rawPath.slice(0, 200), ids.requestId());
    }
    if (r.kind === 'query') {
      let body: Buffer;
      try {
        body = await readBody(req, MAX_QUERY_BODY);
      } catch (e) {
        if (e instanceof ServiceError) return queryError(r.service, e, ids.requestId());
        throw e;
      }
      return handleQuery(r.service, cloud, auth, { method, rawPath, query, headers, body });
    }
    const reply = handleS3(cloud, auth, { method, rawPath, resourcePath: rawPath.slice(r.prefix.length) || '/', query, headers });
    req.resume();
    return reply;
  }

  return http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    serve(req)
      .catch((e: Error) => {
        log(`internal error on ${req.method} ${(req.url ?? '').split('?')[0]}: ${e.stack ?? e.message}`);
        return s3Error(new ServiceError('InternalError', 'We encountered an internal error. Please try again.', 500), '', ids.requestId());
      })
      .then((reply) => {
        if (!res.headersSent) {
          res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(reply.body) });
          res.end(req.method === 'HEAD' ? undefined : reply.body);
        }
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log(`${req.method} ${(req.url ?? '').split('?')[0]} ${reply.action ?? '-'} ${reply.status} ${ms.toFixed(1)}ms`);
      });
  });
}
