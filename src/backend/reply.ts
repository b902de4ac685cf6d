/**
 * What a service hands the HTTP front to send: a status, headers, and a body that is either a
 * document in memory or a stream (object data). Writing it takes care of HEAD (headers only),
 * Content-Length, and a stream that fails half-way (the connection is cut, since the status has
 * gone already).
 */
import type * as http from 'node:http';
import { pipeline, type Readable } from 'node:stream';

export interface Reply {
  status: number;
  contentType?: string;
  body?: string | Buffer;
  stream?: Readable;
  /** Further response headers; a Content-Length here wins (HEAD of an object, streams). */
  headers?: Record<string, string>;
  /** For the access log. */
  action?: string;
}

export function writeReply(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.contentType) headers['Content-Type'] = reply.contentType;
  const hasLength = Object.keys(headers).some((k) => k.toLowerCase() === 'content-length');
  if (!hasLength && !reply.stream)
    headers['Content-Length'] = String(reply.body === undefined ? 0 : Buffer.byteLength(reply.body));
  res.writeHead(reply.status, headers);
  if (req.method === 'HEAD' || reply.status === 304 || reply.status === 204) {
    reply.stream?.destroy();
    res.end();
    return;
  }
  if (reply.stream) {
    pipeline(reply.stream, res, (err) => {
      if (err) res.destroy();
    });
    return;
  }
  res.end(reply.body);
}
