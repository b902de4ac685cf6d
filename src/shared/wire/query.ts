/**
 * Reading AWS Query requests (EC2's and IAM's) by their service model: a request's flat
 * parameters (`Filter.1.Name`, `UserName`, `Users.member.1`) become the typed input the
 * operation's shape says, and a parameter the operation does not define is refused — by
 * construction, since only what the shape reaches is read. The shapes are generated from AWS's
 * own models (scripts/wire/generate.mjs → ec2.ts, iam.ts).
 *
 * EC2 lists are flattened (`Name.N`, the member's locationName capitalized); IAM's ('query'
 * protocol) are `Name.member.N`. Timestamps stay the ISO 8601 text sent (checked), blobs base64.
 */
import { CliError } from '../errors';

/** A shape, compactly: a scalar's kind, a list's member, a structure's members, a map's key and value. */
export type ShapeSpec =
  | 's' // string
  | 'i' // integer, long
  | 'f' // float, double
  | 'b' // boolean
  | 't' // timestamp
  | 'B' // blob (base64)
  | ['l', string, boolean?] // list: member shape; flattened (EC2 always is)
  | ['o', Record<string, [string, string]>, string[]?] // structure: member → [wire key, shape]; required
  | ['m', string, string]; // map: key shape, value shape

export interface WireModel {
  protocol: 'ec2' | 'query';
  /** Each operation's input shape (none: it takes no parameters). */
  operations: Record<string, string | null>;
  shapes: Record<string, ShapeSpec>;
}

/** A request that does not fit its operation's shape, as the service answers it. */
export class WireError extends CliError {}

/** What every Query request carries besides its operation's input: the action, version and signature. */
export const COMMON_QUERY_PARAMS = new Set([
  'Action',
  'Version',
  'AWSAccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'Timestamp',
  'Expires',
  'SecurityToken',
]);

const INDEX = /^[1-9]\d{0,8}$/;

/**
 * For every prefix of a key that an index follows (`Filter` and `Filter.1.Value` in
 * `Filter.1.Value.2`), the indices sent after it, in order: built once per request, in time
 * linear in its keys, so that a request of many items costs no more than it is long.
 */
function listIndex(keys: string[]): Map<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const k of keys) {
    const parts = k.split('.');
    let prefix = parts[0];
    for (let i = 1; i < parts.length; prefix += '.' + parts[i++]) {
      if (!INDEX.test(parts[i])) continue;
      let s = sets.get(prefix);
      if (!s) sets.set(prefix, (s = new Set()));
      s.add(parts[i]);
    }
  }
  const out = new Map<string, string[]>();
  for (const [p, s] of sets)
    out.set(
      p,
      [...s].sort((a, b) => Number(a) - Number(b)),
    );
  return out;
}

export interface Parsed<T> {
  input: T;
  /** Parameters the operation does not define (besides the common ones). */
  unknown: string[];
}

/** Reads `params` as operation `op` of `model`; throws WireError for a value of the wrong kind. */
export function parseQuery<T = Record<string, unknown>>(
  model: WireModel,
  op: string,
  params: Record<string, string>,
  extraCommon: ReadonlySet<string> = new Set(),
): Parsed<T> {
  const keys = Object.keys(params).filter((k) => !COMMON_QUERY_PARAMS.has(k) && !extraCommon.has(k));
  const used = new Set<string>();
  const lists = listIndex(keys);
  const indices = (prefix: string) => lists.get(prefix) ?? [];
  const shapeName = model.operations[op];
  const read = (shape: string, key: string): unknown => {
    const spec = model.shapes[shape];
    if (typeof spec === 'string') {
      const v = params[key];
      if (v === undefined) return undefined;
      used.add(key);
      return scalar(spec, v, key);
    }
    switch (spec[0]) {
      case 'o': {
        const out: Record<string, unknown> = {};
        for (const [member, [wire, s]] of Object.entries(spec[1])) {
          const v = read(s, key ? `${key}.${wire}` : wire);
          if (v !== undefined) out[member] = v;
        }
        return key && !Object.keys(out).length ? undefined : out;
      }
      case 'l': {
        const base = model.protocol === 'query' && !spec[2] ? `${key}.member` : key;
        const items = indices(base).map((n) => read(spec[1], `${base}.${n}`));
        return items.length ? items : undefined;
      }
      case 'm': {
        const base = model.protocol === 'query' ? `${key}.entry` : key;
        const out: Record<string, unknown> = {};
        for (const n of indices(base)) {
          const k = read(spec[1], `${base}.${n}.key`);
          if (typeof k === 'string') out[k] = read(spec[2], `${base}.${n}.value`);
        }
        return Object.keys(out).length ? out : undefined;
      }
    }
  };
  const input = (shapeName ? read(shapeName, '') : {}) as T;
  return { input, unknown: keys.filter((k) => !used.has(k)) };
}

function scalar(kind: string, v: string, key: string): unknown {
  const bad = (what: string) =>
    new WireError('InvalidParameterValue', `Value (${v}) for parameter ${key} is invalid. ${what}`);
  switch (kind) {
    case 'i':
      if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw bad('It is a whole number.');
      return Number(v);
    case 'f':
      if (v.trim() === '' || !Number.isFinite(Number(v))) throw bad('It is a number.');
      return Number(v);
    case 'b':
      if (!/^(true|false)$/i.test(v)) throw bad('It is true or false.');
      return v.toLowerCase() === 'true';
    case 't':
      if (Number.isNaN(Date.parse(v)) && !/^\d+(\.\d+)?$/.test(v)) throw bad('It is an ISO 8601 time.');
      return v;
    default:
      return v;
  }
}
