/**
 * Cross-origin resource sharing for buckets: the CORSConfiguration document (up to 100 rules of
 * allowed origins, methods and headers, exposed headers and a max age), and how a request from a
 * browser is answered: an OPTIONS preflight gets the Access-Control-* headers of the first rule
 * that allows its origin, method and headers (or 403), and an ordinary request with an Origin
 * gets them added to its reply.
 */
import type { CORSRuleXml } from '../../shared/wire/s3';
import { ServiceError } from '../errors';
import { wildcardMatch } from '../iam/policy/evaluate';
import { list, malformed, parseXmlBody, s3Answer, text } from './documents';

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
export const MAX_CORS_RULES = 100;

const strings = (v: unknown) => list(v).map((x) => (text(x) ?? '').trim());

export function parseCors(body: Buffer): CorsRule[] {
  const root = parseXmlBody(body).CORSConfiguration;
  if (!root || typeof root !== 'object') throw malformed();
  const rules = list(root.CORSRule).map((r): CorsRule => {
    const rule: CorsRule = {
      id: text(r.ID),
      allowedOrigins: strings(r.AllowedOrigin),
      allowedMethods: strings(r.AllowedMethod),
      allowedHeaders: strings(r.AllowedHeader),
      exposeHeaders: strings(r.ExposeHeader),
    };
    if (!rule.allowedOrigins.length || !rule.allowedMethods.length) throw malformed();
    for (const m of rule.allowedMethods) {
      if (!METHODS.includes(m))
        throw new ServiceError(
          'InvalidRequest',
          `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`,
        );
    }
    for (const o of rule.allowedOrigins) {
      if (o.split('*').length > 2)
        throw new ServiceError('InvalidRequest', `AllowedOrigin "${o}" can not have more than one wildcard.`);
    }
    if (r.MaxAgeSeconds !== undefined) {
      const age = Number(text(r.MaxAgeSeconds));
      if (!Number.isInteger(age) || age < 0) throw malformed();
      rule.maxAgeSeconds = age;
    }
    return rule;
  });
  if (rules.length === 0 || rules.length > MAX_CORS_RULES) throw malformed();
  return rules;
}

export function corsDocument(rules: CorsRule[]): string {
  const rule = (r: CorsRule): CORSRuleXml => ({
    ID: r.id,
    AllowedOrigin: r.allowedOrigins,
    AllowedMethod: r.allowedMethods,
    AllowedHeader: r.allowedHeaders.length ? r.allowedHeaders : undefined,
    ExposeHeader: r.exposeHeaders.length ? r.exposeHeaders : undefined,
    MaxAgeSeconds: r.maxAgeSeconds,
  });
  return s3Answer('GetBucketCors', 'CORSConfiguration', { CORSRule: rules.map(rule) });
}

/** The first rule allowing an origin, a method and every requested header. */
export function matchCors(
  rules: CorsRule[],
  origin: string,
  method: string,
  headers: string[] = [],
): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      r.allowedMethods.includes(method) &&
      headers.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a, h, true))),
  );
}

/** The Access-Control-* headers a matching rule gives a response to `origin`. */
export function corsHeaders(rule: CorsRule, origin: string, requestHeaders?: string[]): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const out: Record<string, string> = {
    'Access-Control-Allow-Origin': anyOrigin ? '*' : origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
    Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) out['Access-Control-Allow-Credentials'] = 'true';
  if (requestHeaders?.length) out['Access-Control-Allow-Headers'] = requestHeaders.join(', ');
  if (rule.exposeHeaders.length) out['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) out['Access-Control-Max-Age'] = String(rule.maxAgeSeconds);
  return out;
}

export const corsForbidden = () =>
  new ServiceError(
    'AccessForbidden',
    'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, ' +
      'request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted ' +
      "by the resource's CORS spec.",
    403,
  );

/** The header names of Access-Control-Request-Headers, lowercased. */
export const requestedHeaders = (header: string | undefined) =>
  (header ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
