/**
 * One HTTP exchange, with --debug tracing (secrets redacted). Built on node:http rather than
 * undici: undici costs about 60 ms to load, a third of a command's whole budget, and a CLI makes a
 * single request per run, so connection pooling buys nothing here. (The daemons, which are long
 * lived and talk to each other repeatedly, are where undici belongs.) Bodies may be streams both
 * ways, for object data; `path` sends a request path exactly as given (a WHATWG URL would fold
 * S3 keys like `a/../b`).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError } from '../shared/errors';
import { redactBody, redactHeader, redactQuery } from './redact';

export type HttpBody = string | Buffer | Readable | AsyncIterable<Buffer>;

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: HttpBody;
  /** The path and query to send verbatim; url's own when absent. */
  path?: string;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface StreamingResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

export interface SendOptions {
  debug?: boolean;
  timeoutMs?: number;
}

function trace(lines: string[]): void {
  process.stderr.write(lines.map((l) => `[debug] ${l}`).join('\n') + '\n');
}

const inMemory = (body: HttpBody | undefined): body is string | Buffer =>
  typeof body === 'string' || Buffer.isBuffer(body);

function traceRequest(req: HttpRequest): void {
  const target = req.path ? `${req.url.origin}${req.path}` : req.url.toString();
  const lines = [`request: ${req.method} ${redactQuery(target)}`];
  for (const [k, v] of Object.entries(req.headers)) lines.push(`  ${k}: ${redactHeader(k, v)}`);
  if (req.body !== undefined && !inMemory(req.body)) lines.push('  body: <stream>');
  else if (req.body !== undefined && req.body.length)
    lines.push(
      `  body: ${redactBody(Buffer.isBuffer(req.body) && req.body.length > 4096 ? `<${req.body.length} bytes>` : req.body.toString())}`,
    );
  trace(lines);
}

function traceResponse(status: number, headers: http.IncomingHttpHeaders, body?: Buffer): void {
  const lines = [`response: ${status}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`  ${k}: ${String(v)}`);
  const ct = String(headers['content-type'] ?? '');
  if (body === undefined) lines.push('  body: <stream>');
  else if (body.length)
    lines.push(
      `  body: ${/xml|json|text/.test(ct) || body.length < 4096 ? redactBody(body.toString('utf8')) : `<${body.length} bytes>`}`,
    );
  trace(lines);
}

/** Sends the request and resolves when the response headers are in; the body is left to read. */
export function sendStreaming(req: HttpRequest, opts: SendOptions = {}): Promise<StreamingResponse> {
  if (opts.debug) traceRequest(req);
  const mod = req.url.protocol === 'https:' ? https : http;
  const where = `${req.url.origin}${req.url.pathname}`;
  return new Promise((resolve, reject) => {
    const r = mod.request(
      {
        protocol: req.url.protocol,
        hostname: req.url.hostname.replace(/^\[|\]$/g, ''),
        port: req.url.port || undefined,
        path: req.path ?? req.url.pathname + req.url.search,
        method: req.method,
        headers: req.headers,
        timeout: opts.timeoutMs ?? 120_000,
      },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', (e: NodeJS.ErrnoException) =>
      reject(new CliError('ConnectionError', `could not connect to ${where}: ${e.code ?? e.message}`)),
    );
    if (req.body === undefined || inMemory(req.body)) {
      r.end(req.body);
    } else {
      const body = req.body;
      pipeline(body instanceof Readable ? body : Readable.from(body), r).catch((e: Error) => r.destroy(e));
    }
  });
}

export async function send(req: HttpRequest, opts: SendOptions = {}): Promise<HttpResponse> {
  const res = await sendStreaming(req, opts);
  const chunks: Buffer[] = [];
  try {
    for await (const c of res.body) chunks.push(c as Buffer);
  } catch (e) {
    throw new CliError('ConnectionError', `connection to ${req.url.origin} broke: ${(e as Error).message}`);
  }
  const out = { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
  if (opts.debug) traceResponse(out.status, out.headers, out.body);
  return out;
}

/** Traces a streamed response's status and headers (its body is the caller's). */
export function traceStreamingResponse(res: StreamingResponse): void {
  traceResponse(res.status, res.headers);
}
