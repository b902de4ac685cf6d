/**
 * One HTTP exchange, with --debug tracing (secrets redacted). Built on node:http rather than
 * undici: undici costs about 60 ms to load, a third of a command's whole budget, and a CLI makes a
 * single request per run, so connection pooling buys nothing here. (The daemons, which are long
 * lived and talk to each other repeatedly, are where undici belongs.)
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { CliError } from './errors';
import { redactBody, redactHeader, redactQuery } from './redact';

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface SendOptions {
  debug?: boolean;
  timeoutMs?: number;
}

function trace(lines: string[]): void {
  process.stderr.write(lines.map((l) => `[debug] ${l}`).join('\n') + '\n');
}

function traceRequest(req: HttpRequest): void {
  const lines = [`request: ${req.method} ${redactQuery(req.url.toString())}`];
  for (const [k, v] of Object.entries(req.headers)) lines.push(`  ${k}: ${redactHeader(k, v)}`);
  if (req.body !== undefined && req.body.length) lines.push(`  body: ${redactBody(Buffer.isBuffer(req.body) && req.body.length > 4096 ? `<${req.body.length} bytes>` : req.body.toString())}`);
  trace(lines);
}

function traceResponse(res: HttpResponse): void {
  const lines = [`response: ${res.status}`];
  for (const [k, v] of Object.entries(res.headers)) lines.push(`  ${k}: ${String(v)}`);
  const ct = String(res.headers['content-type'] ?? '');
  if (res.body.length) lines.push(`  body: ${/xml|json|text/.test(ct) || res.body.length < 4096 ? redactBody(res.body.toString('utf8')) : `<${res.body.length} bytes>`}`);
  trace(lines);
}

export function send(req: HttpRequest, opts: SendOptions = {}): Promise<HttpResponse> {
  if (opts.debug) traceRequest(req);
  const mod = req.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = mod.request(
      req.url,
      { method: req.method, headers: req.headers, timeout: opts.timeoutMs ?? 120_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new CliError('ConnectionError', `connection to ${req.url.origin} broke: ${e.message}`)));
        res.on('end', () => {
          const out = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
          if (opts.debug) traceResponse(out);
          resolve(out);
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', (e: NodeJS.ErrnoException) =>
      reject(new CliError('ConnectionError', `could not connect to ${req.url.origin}${req.url.pathname}: ${e.code ?? e.message}`)),
    );
    r.end(req.body);
  });
}
