/**
 * Reading AWS Query parameters back into lists and structures: `Name.1`, `Name.2`, and
 * `Filter.1.Name` / `Filter.1.Value.1`. The inverse of lib/query's flattenParams.
 */
import { globMatch } from '../lib/glob';
import { missingParameter } from './errors';

export function listParam(params: Record<string, string>, name: string): string[] {
  const out: [number, string][] = [];
  const prefix = name + '.';
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(prefix)) continue;
    const n = Number(k.slice(prefix.length));
    if (Number.isInteger(n) && n > 0) out.push([n, v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export function requireParam(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw missingParameter(name);
  return v;
}

export interface Filter {
  name: string;
  values: string[];
}

export function filtersParam(params: Record<string, string>): Filter[] {
  const byIndex = new Map<number, Filter>();
  for (const [k, v] of Object.entries(params)) {
    const m = /^Filter\.(\d+)\.(Name|Value\.(\d+))$/.exec(k);
    if (!m) continue;
    const f = byIndex.get(+m[1]) ?? { name: '', values: [] };
    if (m[2] === 'Name') f.name = v;
    else f.values.push(v);
    byIndex.set(+m[1], f);
  }
  return [...byIndex.values()].filter((f) => f.name);
}

/** Glob match as EC2 filters use it: `*` any run, `?` one character, `\*` and `\?` themselves. */
const matches = (pattern: string, value: string) => globMatch(pattern, value, { escape: '\\' });

/** Keeps the records every filter matches; `fields` maps a filter name to a record's values. */
export function applyFilters<T>(records: T[], filters: Filter[], fields: Record<string, (r: T) => string | string[] | undefined>): T[] {
  return records.filter((r) =>
    filters.every((f) => {
      const get = fields[f.name];
      if (!get) return true;
      const vals = ([] as (string | undefined)[]).concat(get(r)).filter((v): v is string => v !== undefined);
      return f.values.some((p) => vals.some((v) => matches(p, v)));
    }),
  );
}
