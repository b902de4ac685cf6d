/**
 * What actions do with the requests their wire model read (src/shared/wire): the members they
 * need, EC2 filters and their limits.
 */
import { globMatch } from '../shared/glob';
import { invalidParameter, missingParameter, ServiceError } from './errors';

export interface Filter {
  name: string;
  values: string[];
}

/** What one request may filter by, as EC2 bounds it: filters, values in all, a value's length. */
export const FILTER_LIMITS = { filters: 50, values: 200, valueLength: 1024 };

/** A request's filters as its model reads them (Filter.N.Name, Filter.N.Value.M), within EC2's limits. */
export function filtersOf(list: { Name?: string; Values?: string[] }[] | undefined): Filter[] {
  const filters = list ?? [];
  const tooMany = (what: string) =>
    new ServiceError('FilterLimitExceeded', `The request uses too many filters or filter values: ${what}`);
  if (filters.length > FILTER_LIMITS.filters) throw tooMany(`at most ${FILTER_LIMITS.filters} filters`);
  const values = filters.flatMap((f) => f.Values ?? []);
  if (values.length > FILTER_LIMITS.values) throw tooMany(`at most ${FILTER_LIMITS.values} values`);
  if (values.some((v) => v.length > FILTER_LIMITS.valueLength))
    throw tooMany(`a value is at most ${FILTER_LIMITS.valueLength} characters`);
  return filters.filter((f) => f.Name).map((f) => ({ name: f.Name!, values: f.Values ?? [] }));
}

/** Glob match as EC2 filters use it: `*` any run, `?` one character, `\*` and `\?` themselves. */
const matches = (pattern: string, value: string) => globMatch(pattern, value, { escape: '\\' });

/**
 * Keeps the records every filter matches; `fields` maps a filter name to a record's values. A
 * filter the action does not have is refused, as EC2 refuses it: a mistyped name must never
 * select everything.
 */
export function applyFilters<T>(
  records: T[],
  filters: Filter[],
  fields: Record<string, (r: T) => string | string[] | undefined>,
): T[] {
  const unknown = filters.find((f) => !Object.hasOwn(fields, f.name));
  if (unknown) throw new ServiceError('InvalidParameterValue', `The filter '${unknown.name}' is invalid`);
  return records.filter((r) =>
    filters.every((f) => {
      const get = fields[f.name];
      const vals = ([] as (string | undefined)[]).concat(get(r)).filter((v): v is string => v !== undefined);
      return f.values.some((p) => vals.some((v) => matches(p, v)));
    }),
  );
}

/**
 * Filters of features this cloud has not (VPC, network interfaces, ...): documented names that
 * match nothing here, so that they select nothing instead of being refused as unknown.
 */
export function matchingNothing<T>(...names: string[]): Record<string, (r: T) => undefined> {
  return Object.fromEntries(names.map((name) => [name, () => undefined]));
}

/**
 * One page of a describe's answer, as EC2 pages (MaxResults between `min` and 1000, NextToken an
 * opaque cursor this cloud gave). MaxResults with explicit IDs is refused, as EC2 refuses it.
 */
export function pageOf<T>(
  items: T[],
  q: { maxResults?: number; nextToken?: string; ids?: string[] },
  min = 5,
): { items: T[]; nextToken?: string } {
  const max = q.maxResults;
  if (max !== undefined && q.ids?.length)
    throw new ServiceError('InvalidParameterCombination', 'The parameter MaxResults cannot be used with explicit IDs');
  if (max !== undefined && (!Number.isInteger(max) || max < min || max > 1000))
    throw invalidParameter('MaxResults', String(max), `It is between ${min} and 1000.`);
  let start = 0;
  if (q.nextToken) {
    start = Number(Buffer.from(q.nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      throw invalidParameter('NextToken', q.nextToken, 'It is not a token this cloud gave.');
  }
  const end = max === undefined ? items.length : start + max;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined,
  };
}

/** A member an action needs, or MissingParameter naming it as the request would. */
export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}
