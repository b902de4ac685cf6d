/**
 * The AWS Query protocol client for EC2 and IAM (Euare): one send() that form-encodes the action
 * and its parameters, signs (V4 by default, V2 when the endpoint asks), traces under --debug,
 * parses the XML answer and turns AWS error documents into CliErrors. Commands never see HTTP.
 */
import { signQueryV2, rfc3986 } from '../shared/auth/sigv2';
import { signV4 } from '../shared/auth/sigv4';
import { type Endpoint } from './config/resolve';
import { CliError, oneLine } from '../shared/errors';
import { type HttpResponse, send } from './http';
import { parseXml, type XmlNode } from './xml';

export type ParamValue = string | number | boolean | undefined | null | ParamValue[] | { [k: string]: ParamValue };
export type Params = Record<string, ParamValue>;

/** Flattens lists and structures the Query way: `Name.1`, `Filter.1.Name`, `Filter.1.Value.1`. */
export function flattenParams(params: Params, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(params)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) value.forEach((v, i) => flattenParams({ [String(i + 1)]: v }, name, out));
    else if (typeof value === 'object') flattenParams(value, name, out);
    else out[name] = String(value);
  }
  return out;
}

export function encodeForm(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

const IAM_VERSION = '2010-05-08';

export class QueryClient {
  constructor(private readonly endpoint: Endpoint) {}

  get version(): string {
    return this.endpoint.service === 'iam' ? IAM_VERSION : this.endpoint.apiVersion!;
  }

  /** Sends `action`, signed, and returns the HTTP answer as it came. */
  async send(action: string, params: Params = {}): Promise<HttpResponse> {
    const ep = this.endpoint;
    let fields = flattenParams({ Action: action, Version: this.version, ...params });
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'User-Agent': 'euca2ools-ts',
    };
    const path = ep.url.pathname || '/';
    if (ep.signatureVersion === 2) fields = signQueryV2('POST', ep.url.host, path, fields, ep);
    const body = encodeForm(fields);
    const req = { method: 'POST', url: ep.url, headers, body };
    if (ep.signatureVersion === 4) signV4(req, ep, ep.service, ep.region, { declareHash: true });
    return send(req, { debug: ep.debug });
  }

  /** Sends `action` and returns the response element's content (`<ActionResponse>`'s children). */
  async call(action: string, params: Params = {}): Promise<XmlNode> {
    const ep = this.endpoint;
    const res = await this.send(action, params);
    const text = res.body.toString('utf8');
    let doc: XmlNode;
    try {
      doc = parseXml(text);
    } catch {
      doc = {};
    }
    if (res.status >= 400 || doc.Response?.Errors || doc.ErrorResponse) {
      const err = doc.Response?.Errors?.Error ?? doc.ErrorResponse?.Error ?? doc.Error;
      const e = Array.isArray(err) ? err[0] : err;
      if (e?.Code) throw new CliError(String(e.Code), oneLine(String(e.Message ?? '')), res.status);
      throw new CliError(
        `HTTP${res.status}`,
        `${ep.url.toString()} answered ${res.status} ${oneLine(text).slice(0, 200)}`,
        res.status,
      );
    }
    const response = doc[`${action}Response`];
    if (!response)
      throw new CliError(
        'InvalidResponse',
        `${ep.url.toString()} did not answer ${action} with a ${action}Response document`,
      );
    return (response[`${action}Result`] ?? response) as XmlNode;
  }
}
