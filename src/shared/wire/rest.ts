/**
 * Reading S3 REST requests by their service model: the members an operation's model places in
 * the path, the query string and the headers become its typed input (scripts/wire/generate.mjs →
 * s3.ts, s3-model.ts). Integers and booleans are checked as S3 checks them; timestamps stay the
 * text sent (a condition header with a date S3 cannot read is ignored, as S3 ignores it); a
 * `headers` map gathers every header under its prefix (`x-amz-meta-`), keyed by the rest of
 * the name. Parameters an operation does not define are left alone, as S3 leaves them: SDKs add
 * their own (`x-id=GetObject`).
 */
import { WireError } from './query';

/** How a member is read: string, integer, boolean, timestamp, prefixed header map, comma list. */
export type RestKind = 's' | 'i' | 'b' | 't' | 'm' | 'l';
export type RestLocation = 'uri' | 'querystring' | 'header' | 'headers';

/** Each operation's members: where each is (location, name there) and how it reads. */
export type RestModel = Record<string, Record<string, [RestLocation, string, RestKind]>>;

export interface RestRequest {
  /** The path's labels, decoded: {Bucket}, {Key}. */
  uri: Record<string, string | undefined>;
  query: ReadonlyMap<string, string>;
  /** Header names in lower case, as Node gives them. */
  headers: Readonly<Record<string, string | undefined>>;
}

const invalid = (message: string) => new WireError('InvalidArgument', message, 400);

function read(kind: RestKind, name: string, v: string): unknown {
  switch (kind) {
    case 'i':
      if (!/^\d{1,10}$/.test(v)) throw invalid(`Provided ${name} not an integer or within integer range`);
      return Number(v);
    case 'b':
      if (!/^(true|false)$/i.test(v.trim())) throw invalid(`Provided ${name} not true or false`);
      return v.trim().toLowerCase() === 'true';
    case 'l':
      return v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return v;
  }
}

/** Reads `req` as operation `op` of `model`: only the members the operation defines. */
export function parseRest<T>(model: RestModel, op: string, req: RestRequest): T {
  const members = model[op];
  if (!members) throw new Error(`no S3 operation ${op} in the model`);
  const input: Record<string, unknown> = {};
  for (const [member, [location, name, kind]] of Object.entries(members)) {
    if (location === 'headers') {
      const prefix = name.toLowerCase();
      const found = Object.entries(req.headers).filter(([h, v]) => h.startsWith(prefix) && v !== undefined);
      if (found.length) input[member] = Object.fromEntries(found.map(([h, v]) => [h.slice(prefix.length), v]));
      continue;
    }
    const v =
      location === 'uri'
        ? req.uri[name]
        : location === 'querystring'
          ? req.query.get(name)
          : req.headers[name.toLowerCase()];
    // An empty integer parameter (max-keys=) is as if unsent, as S3 takes it.
    if (v === undefined || (kind === 'i' && v === '')) continue;
    input[member] = read(kind, name, v);
  }
  return input as T;
}
