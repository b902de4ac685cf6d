/**
 * Reading an HTTP request as the signature schemes see it: headers by lower-case name with
 * repeats joined by ',', and the query string decoded into pairs in arrival order.
 */
import type { IncomingMessage } from 'node:http';

export function lowerHeaders(rawHeaders: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const k = rawHeaders[i].toLowerCase();
    out[k] = k in out ? `${out[k]},${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function decodeQuery(search: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
  }
  return out;
}

export function splitUrl(req: Pick<IncomingMessage, 'url'>): { rawPath: string; query: [string, string][] } {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  return { rawPath: q < 0 ? rawUrl : rawUrl.slice(0, q), query: decodeQuery(q < 0 ? '' : rawUrl.slice(q)) };
}
