/**
 * The S3 (Walrus) REST client: path-style requests below the service URL, signed with Signature
 * V4 or, for Eucalyptus 3 and older, the V2 `Authorization: AWS key:signature` header. S3 error
 * documents become CliErrors. Commands never see HTTP.
 */
import { createHmac } from 'node:crypto';
import { rfc3986, s3StringToSignV2 } from './auth/sigv2';
import { signV4 } from './auth/sigv4';
import { Endpoint } from './config/resolve';
import { CliError, oneLine } from './errors';
import { HttpResponse, send } from './http';
import { parseXml, XmlNode } from './xml';

export interface S3Request {
  method: string;
  bucket?: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export class S3Client {
  constructor(private readonly endpoint: Endpoint) {}

  /** The path of a bucket or object below the service path, each key segment encoded. */
  resourcePath(bucket?: string, key?: string): string {
    const base = this.endpoint.url.pathname.replace(/\/+$/, '');
    if (!bucket) return `${base}/`;
    const keyPath = key === undefined ? '' : '/' + key.split('/').map(rfc3986).join('/');
    return `${base}/${rfc3986(bucket)}${keyPath}`;
  }

  async request(r: S3Request): Promise<HttpResponse> {
    const ep = this.endpoint;
    const path = this.resourcePath(r.bucket, r.key);
    const qs = Object.entries(r.query ?? {})
      .map(([k, v]) => (v === '' ? rfc3986(k) : `${rfc3986(k)}=${rfc3986(v)}`))
      .join('&');
    const url = new URL(`${ep.url.origin}${path}${qs ? '?' + qs : ''}`);
    const headers: Record<string, string> = { 'User-Agent': 'euca2ools-ts', ...(r.headers ?? {}) };
    const req = { method: r.method, url, headers, body: r.body };
    if (ep.signatureVersion === 4) {
      signV4(req, ep, 's3', ep.region);
    } else {
      headers.Date = new Date().toUTCString();
      const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      const sts = s3StringToSignV2(r.method, lower, path, r.query ?? {}, headers.Date);
      headers.Authorization = `AWS ${ep.accessKeyId}:${createHmac('sha1', ep.secretAccessKey).update(sts, 'utf8').digest('base64')}`;
    }
    const res = await send(req, { debug: ep.debug });
    if (res.status >= 300) {
      let doc: XmlNode = {};
      try {
        doc = parseXml(res.body);
      } catch {
        /* not XML */
      }
      const e = doc.Error;
      if (e?.Code) throw new CliError(String(e.Code), oneLine(String(e.Message ?? '')), res.status);
      throw new CliError(`HTTP${res.status}`, `${url.origin}${path} answered ${res.status}`, res.status);
    }
    return res;
  }

  async listBuckets(): Promise<{ owner: XmlNode; buckets: XmlNode[] }> {
    const doc = parseXml((await this.request({ method: 'GET' })).body).ListAllMyBucketsResult ?? {};
    const b = doc.Buckets?.Bucket;
    return { owner: doc.Owner ?? {}, buckets: b === undefined ? [] : Array.isArray(b) ? b : [b] };
  }
}
