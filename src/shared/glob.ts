/**
 * Wildcard patterns as IAM policies, EC2 filters and S3 CORS rules write them: `*` any run of
 * characters (none included), `?` any one character, everything else itself. Matched without
 * regular expressions: the pattern is cut at its stars into segments, the first anchored at the
 * start, the last at the end, and each one between found leftmost after the one before (by
 * String.indexOf when it has no `?`). Nothing is ever tried twice, so a hostile pattern
 * (`*a*a*a*a*b`) costs one pass over the value per segment, never exponential time; callers
 * bound how many patterns a request may bring.
 */

/** One character of a segment: a code unit to compare, or ANY for `?`. */
const ANY = -1;

export interface GlobOptions {
  ignoreCase?: boolean;
  /** A character that makes the next one literal (`${*}` in policies is kept as escape + `*`). */
  escape?: string;
}

interface Compiled {
  /** Segments between stars; a pattern without stars is one segment matched whole. */
  segments: number[][];
  /** Each segment as text when it has no `?` (found with indexOf), else undefined. */
  literal: (string | undefined)[];
  starred: boolean;
}

function compile(pattern: string, opts: GlobOptions): Compiled {
  const p = opts.ignoreCase ? pattern.toLowerCase() : pattern;
  const segments: number[][] = [[]];
  let starred = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === opts.escape && i + 1 < p.length) segments[segments.length - 1].push(p.charCodeAt(++i));
    else if (c === '*') {
      starred = true;
      segments.push([]);
    } else segments[segments.length - 1].push(c === '?' ? ANY : p.charCodeAt(i));
  }
  const literal = segments.map((seg) =>
    seg.includes(ANY) ? undefined : seg.map((c) => String.fromCharCode(c)).join(''),
  );
  return { segments, literal, starred };
}

/** Whether a segment matches the value at a position (the caller checks it fits). */
function matchesAt(seg: number[], value: string, at: number): boolean {
  for (let j = 0; j < seg.length; j++) if (seg[j] !== ANY && seg[j] !== value.charCodeAt(at + j)) return false;
  return true;
}

const cache = new Map<string, Compiled>();

function compiled(pattern: string, opts: GlobOptions): Compiled {
  const key = `${opts.ignoreCase ? 'i' : 's'}${opts.escape ?? ''}\u0001${pattern}`;
  let c = cache.get(key);
  if (!c) {
    c = compile(pattern, opts);
    if (cache.size > 5000) cache.clear();
    cache.set(key, c);
  }
  return c;
}

export function globMatch(pattern: string, value: string, opts: GlobOptions = {}): boolean {
  const { segments, literal, starred } = compiled(pattern, opts);
  const v = opts.ignoreCase ? value.toLowerCase() : value;
  const first = segments[0];
  if (!starred) return first.length === v.length && matchesAt(first, v, 0);
  const last = segments[segments.length - 1];
  if (first.length + last.length > v.length) return false;
  if (!matchesAt(first, v, 0) || !matchesAt(last, v, v.length - last.length)) return false;
  let pos = first.length;
  const end = v.length - last.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const seg = segments[s];
    let found = -1;
    const text = literal[s];
    if (text !== undefined) {
      found = v.indexOf(text, pos);
      if (found + seg.length > end) found = -1;
    } else {
      for (let at = pos; at + seg.length <= end; at++) {
        if (matchesAt(seg, v, at)) {
          found = at;
          break;
        }
      }
    }
    if (found < 0) return false;
    pos = found + seg.length;
  }
  return true;
}
