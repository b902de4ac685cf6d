/**
 * One page of a listing, the way S3 lists: entries in key byte order below a prefix, after a
 * marker, with keys that contain the delimiter after the prefix rolled up into common prefixes,
 * and at most max-keys entries and common prefixes together. Runs on indexed range scans: a
 * common prefix is passed over with one seek past everything it covers, so a page costs about
 * max-keys rows however many keys share a prefix. Objects and multipart uploads both list this way.
 */
import type { KeyRange } from './store';

export interface ListQuery {
  prefix: string;
  delimiter?: string;
  /** Start after this key (and, for uploads, this upload id of it). */
  after?: { key: string; id?: string };
  maxKeys: number;
}

export interface ListPage<T> {
  entries: T[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last entry key or common prefix returned: where the next page starts. */
  next?: { key: string; id?: string };
}

export type Scan<T> = (range: KeyRange, limit: number) => Promise<T[]>;

/** The smallest byte string greater than every string that starts with b; undefined if none. */
export function successor(b: Buffer): Buffer | undefined {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = Buffer.from(b.subarray(0, end));
  out[end - 1]++;
  return out;
}

const BATCH = 1000;

export async function listPage<T extends { key: string; id?: string }>(
  scan: Scan<T>,
  q: ListQuery,
): Promise<ListPage<T>> {
  // max-keys=0 asks for nothing: an empty page, not a truncated one (as S3 answers).
  if (q.maxKeys <= 0) return { entries: [], commonPrefixes: [], truncated: false };
  const prefix = Buffer.from(q.prefix, 'utf8');
  const delimiter = q.delimiter ? Buffer.from(q.delimiter, 'utf8') : undefined;
  const below = prefix.length ? successor(prefix) : undefined;
  let cursor: KeyRange = { from: prefix, inclusive: true, below };
  if (q.after) {
    const after = Buffer.from(q.after.key, 'utf8');
    if (Buffer.compare(after, prefix) >= 0) {
      cursor = { from: after, inclusive: false, afterId: q.after.id, below };
      // A marker that is itself a common prefix (the previous page's last item) skips all it covers.
      if (delimiter && after.subarray(0, prefix.length).equals(prefix)) {
        const i = after.indexOf(delimiter, prefix.length);
        if (i >= 0 && i + delimiter.length === after.length) {
          const next = successor(after);
          if (!next) return { entries: [], commonPrefixes: [], truncated: false };
          cursor = { from: next, inclusive: true, below };
        }
      }
    }
  }

  const out: ({ entry: T } | { prefix: Buffer })[] = [];
  let done = false;
  while (!done && out.length <= q.maxKeys) {
    const limit = Math.min(BATCH, q.maxKeys + 1 - out.length);
    const rows = await scan(cursor, limit);
    done = rows.length < limit;
    for (const row of rows) {
      const key = Buffer.from(row.key, 'utf8');
      const i = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (i >= 0) {
        const common = key.subarray(0, i + delimiter!.length);
        out.push({ prefix: common });
        const next = successor(common);
        // The rest of this batch may lie under the same prefix: seek past it and scan again.
        done = !next;
        if (next) cursor = { from: next, inclusive: true, below };
        break;
      }
      out.push({ entry: row });
      cursor = { from: key, inclusive: false, afterId: row.id, below };
    }
  }

  const truncated = out.length > q.maxKeys;
  if (truncated) out.pop();
  const last = out[out.length - 1];
  const page: ListPage<T> = {
    entries: out.flatMap((o) => ('entry' in o ? [o.entry] : [])),
    commonPrefixes: out.flatMap((o) => ('prefix' in o ? [o.prefix.toString('utf8')] : [])),
    truncated,
  };
  if (last)
    page.next = 'entry' in last ? { key: last.entry.key, id: last.entry.id } : { key: last.prefix.toString('utf8') };
  return page;
}
