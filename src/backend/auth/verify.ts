/**
 * Verifies who sent a request. Every request to every service is signed, by one of: Signature V4
 * in the Authorization header or in a presigned query; Signature V2 in Query parameters (EC2,
 * Euare); the S3 V2 `Authorization: AWS key:signature` header or presigned V2 query. The secret
 * comes from the store; the answer is the principal the request acts as. Failures are the AWS
 * errors each service uses.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hmacBase64, queryStringToSignV2, s3StringToSignV2, type V2Method } from '../../shared/auth/sigv2';
import { ServiceError } from '../errors';
import { type CloudStore, type Principal } from '../store/types';
import { canonicalRequest, sha256Hex, signature, signingKey, type V4Request, wireBytes } from './sigv4';

export type Protocol = 'ec2' | 'iam' | 's3';

export interface IncomingSigned {
  method: string;
  rawPath: string;
  /** Decoded query-string parameters in arrival order. */
  query: [string, string][];
  headers: Record<string, string>;
  /** Query (EC2/IAM) parameters: the query string and the form body together. */
  params?: Record<string, string>;
  body?: Buffer;
}

/**
 * What a SigV4 Authorization header leaves for the body: signed aws-chunked payloads chain each
 * chunk's signature from the request's own (the seed), with the same key, date and scope.
 */
export interface SeedSignature {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

/** An S3 request's verified sender (undefined: anonymous) and, for SigV4 headers, the seed. */
export interface VerifiedS3 {
  principal?: Principal;
  seed?: SeedSignature;
}

const SKEW_MS = 15 * 60 * 1000;
/** A presigned URL (V4 X-Amz-Expires, V2 Expires) lives at most a week, as AWS's. */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

interface V4Header {
  secret: string;
  principal: Principal;
  /** DATE, REGION, SERVICE, aws4_request. */
  scopeParts: string[];
  signedHeaders: string[];
  signature: string;
  amzDate: string;
}

export interface AuthenticatorOptions {
  /** The region signatures must be scoped to; any region when unset. */
  region?: string;
}

const codes = {
  ec2: {
    unknownKey: 'AuthFailure',
    missing: 'AuthFailure',
    badSig: 'SignatureDoesNotMatch',
    expired: 'RequestExpired',
    expiredStatus: 400,
  },
  iam: {
    unknownKey: 'InvalidClientTokenId',
    missing: 'MissingAuthenticationToken',
    badSig: 'SignatureDoesNotMatch',
    expired: 'RequestExpired',
    expiredStatus: 400,
  },
  s3: {
    unknownKey: 'InvalidAccessKeyId',
    missing: 'AccessDenied',
    badSig: 'SignatureDoesNotMatch',
    expired: 'RequestTimeTooSkewed',
    expiredStatus: 403,
  },
} as const;

const hashMismatch = () =>
  new ServiceError(
    'XAmzContentSHA256Mismatch',
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
    400,
  );

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseAmzDate(s: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

export class Authenticator {
  constructor(
    private readonly store: CloudStore,
    private readonly now: () => number = Date.now,
    private readonly options: AuthenticatorOptions = {},
  ) {}

  private async principalFor(
    protocol: Protocol,
    accessKeyId: string,
  ): Promise<{ secret: string; principal: Principal }> {
    const found = await this.store.findAccessKey(accessKeyId);
    if (!found || found.key.status !== 'Active' || !found.enabled) {
      const msg =
        protocol === 'ec2'
          ? 'AWS was not able to validate the provided access credentials'
          : protocol === 'iam'
            ? 'The security token included in the request is invalid'
            : 'The AWS Access Key Id you provided does not exist in our records.';
      throw new ServiceError(codes[protocol].unknownKey, msg, protocol === 'ec2' ? 401 : 403);
    }
    return { secret: found.key.secret, principal: found.principal };
  }

  private checkSkew(protocol: Protocol, at: number | undefined, what: string): void {
    if (at === undefined || Number.isNaN(at))
      throw new ServiceError(
        protocol === 's3' ? 'AccessDenied' : 'MissingParameter',
        `The request must contain a valid ${what}`,
        protocol === 's3' ? 403 : 400,
      );
    if (Math.abs(this.now() - at) > SKEW_MS) {
      throw new ServiceError(
        codes[protocol].expired,
        `Request timestamp ${new Date(at).toISOString()} is more than 15 minutes away from the server's ` +
          `time ${new Date(this.now()).toISOString()}`,
        codes[protocol].expiredStatus,
      );
    }
  }

  private badSignature(protocol: Protocol): ServiceError {
    return new ServiceError(
      codes[protocol].badSig,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret ' +
        'Access Key and signing method.',
      403,
    );
  }

  /** Returns the principal, or undefined for an anonymous request (S3 only decides later). */
  async authenticate(protocol: Protocol, req: IncomingSigned): Promise<Principal | undefined> {
    const auth = req.headers.authorization;
    const q = new Map(req.query);
    if (auth?.startsWith('AWS4-HMAC-SHA256')) return (await this.v4Header(protocol, req, auth)).principal;
    if (q.has('X-Amz-Signature') || q.has('X-Amz-Algorithm')) return this.v4Presigned(protocol, req, q);
    if (protocol === 's3') {
      if (auth?.startsWith('AWS ')) return this.s3V2Header(req, auth);
      if (q.has('Signature') && q.has('AWSAccessKeyId')) return this.s3V2Presigned(req, q);
      if (auth) throw new ServiceError('InvalidArgument', 'Unsupported Authorization Type', 400);
      return undefined;
    }
    if (req.params?.Signature !== undefined || req.params?.AWSAccessKeyId !== undefined)
      return this.queryV2(protocol, req);
    throw new ServiceError(
      codes[protocol].missing,
      'Request is missing Authentication Token',
      protocol === 'ec2' ? 401 : 403,
    );
  }

  /**
   * Authenticates a browser-form POST by its fields (names lower-cased): the policy document
   * signed with Signature V4 (x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature) or
   * V2 (AWSAccessKeyId, signature); undefined when the form is anonymous (no policy, no signature).
   * The policy's own expiration bounds it, not the clock skew of headers.
   */
  async verifyPostPolicy(fields: Record<string, string>, host: string): Promise<Principal | undefined> {
    const policy = fields.policy;
    const missing = (name: string) =>
      new ServiceError(
        'InvalidArgument',
        `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
      );
    if (fields['x-amz-signature'] !== undefined || fields['x-amz-algorithm'] !== undefined) {
      if (fields['x-amz-algorithm'] !== 'AWS4-HMAC-SHA256')
        throw new ServiceError('InvalidArgument', 'Only AWS4-HMAC-SHA256 is supported for x-amz-algorithm');
      for (const name of ['x-amz-credential', 'x-amz-date', 'x-amz-signature', 'policy'])
        if (fields[name] === undefined) throw missing(name);
      const [accessKeyId, ...scope] = fields['x-amz-credential'].split('/');
      if (!accessKeyId || scope.length !== 4 || scope[3] !== 'aws4_request')
        throw new ServiceError('InvalidArgument', 'Invalid argument: x-amz-credential');
      this.checkScope('s3', scope, fields['x-amz-date'], 'InvalidArgument', host);
      const { secret, principal } = await this.principalFor('s3', accessKeyId);
      const expected = createHmac('sha256', signingKey(secret, scope[0], scope[1], scope[2]))
        .update(policy!)
        .digest('hex');
      if (!equal(expected, fields['x-amz-signature'])) throw this.badSignature('s3');
      return principal;
    }
    if (fields.signature !== undefined || fields.awsaccesskeyid !== undefined || policy !== undefined) {
      for (const name of ['awsaccesskeyid', 'signature', 'policy'])
        if (fields[name] === undefined) throw missing(name === 'awsaccesskeyid' ? 'AWSAccessKeyId' : name);
      const { secret, principal } = await this.principalFor('s3', fields.awsaccesskeyid);
      const expected = createHmac('sha1', secret).update(policy!).digest('base64');
      if (!equal(expected, fields.signature)) throw this.badSignature('s3');
      return principal;
    }
    return undefined;
  }

  /** Authenticates an S3 request, keeping what verifying a signed aws-chunked body needs. */
  async verifyS3(req: IncomingSigned): Promise<VerifiedS3> {
    const auth = req.headers.authorization;
    if (auth?.startsWith('AWS4-HMAC-SHA256')) return this.v4Header('s3', req, auth);
    return { principal: await this.authenticate('s3', req) };
  }

  /**
   * Checks what the headers alone can prove, before a body is read: a well-formed V4
   * Authorization header for this service, a fresh date and a known, active key; and when the
   * header declares the payload's hash, the signature itself (the body must then hash to it).
   * Requests signed otherwise (V2 in a form body) are checked once their body is read. Returns
   * the sender when it is proven before the body (a V4 signature verified over a declared hash):
   * the body then only has to hash to it (bodyMatches).
   */
  async checkHeaders(protocol: Protocol, req: IncomingSigned): Promise<Principal | undefined> {
    const auth = req.headers.authorization;
    if (!auth?.startsWith('AWS4-HMAC-SHA256')) return undefined;
    const header = await this.parseV4Header(protocol, req, auth);
    const declared = req.headers['x-amz-content-sha256'];
    if (!declared || !/^[0-9a-f]{64}$/i.test(declared)) return undefined;
    this.verifyV4Header(protocol, req, header, declared.toLowerCase());
    return header.principal;
  }

  /** The sender checkHeaders proved, once the body has arrived and hashes to what was signed. */
  bodyMatches(req: IncomingSigned, sender: Principal): Principal {
    if (sha256Hex(req.body ?? '') !== req.headers['x-amz-content-sha256']?.toLowerCase()) throw hashMismatch();
    return sender;
  }

  /** The fields of a V4 Authorization header, checked for form, scope, date and key. */
  private async parseV4Header(protocol: Protocol, req: IncomingSigned, auth: string): Promise<V4Header> {
    const fields = Object.fromEntries(
      auth
        .slice('AWS4-HMAC-SHA256'.length)
        .split(',')
        .map((p) => p.trim().split('=', 2) as [string, string]),
    );
    const credential = fields.Credential ?? '';
    const [accessKeyId, ...scopeParts] = credential.split('/');
    const signedHeaders = (fields.SignedHeaders ?? '').split(';').filter(Boolean);
    if (
      !accessKeyId ||
      scopeParts.length !== 4 ||
      scopeParts[3] !== 'aws4_request' ||
      !signedHeaders.length ||
      !fields.Signature
    ) {
      throw new ServiceError(
        protocol === 's3' ? 'AuthorizationHeaderMalformed' : 'IncompleteSignature',
        'The Authorization header is malformed',
        400,
      );
    }
    if (!signedHeaders.includes('host')) throw this.badSignature(protocol);
    const at = parseAmzDate(req.headers['x-amz-date']) ?? (req.headers.date ? Date.parse(req.headers.date) : undefined);
    this.checkSkew(protocol, at, 'X-Amz-Date or Date header');
    // Signed with a Date header alone, the request's time in the string to sign is that date's.
    const amzDate = req.headers['x-amz-date'] ?? new Date(at!).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    this.checkScope(
      protocol,
      scopeParts,
      amzDate,
      protocol === 's3' ? 'AuthorizationHeaderMalformed' : 'SignatureDoesNotMatch',
      req.headers.host ?? '',
    );
    const { secret, principal } = await this.principalFor(protocol, accessKeyId);
    return { secret, principal, scopeParts, signedHeaders, signature: fields.Signature, amzDate };
  }

  /**
   * A credential scope (DATE/REGION/SERVICE/aws4_request) must name this service, the day the
   * request was signed and, when the cloud is configured with a signing region, that region.
   */
  private checkScope(
    protocol: Protocol,
    [date, region, service]: string[],
    amzDate: string,
    code: string,
    host: string,
  ): void {
    const wrong = (what: string) =>
      new ServiceError(code, `Credential should be scoped to ${what}`, code === 'SignatureDoesNotMatch' ? 403 : 400);
    // boto 2 and other older clients name the service after the endpoint's first label (`127`
    // for 127.0.0.1, `cloud` for cloud.example.com) unless told otherwise: accepted as well.
    const legacy = host
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '')
      .split(/[.:]/)[0];
    if (service !== protocol && service !== legacy) throw wrong(`correct service: '${protocol}'`);
    if (date !== amzDate.slice(0, 8)) throw wrong(`a valid date: '${amzDate.slice(0, 8)}'`);
    if (this.options.region !== undefined && region !== this.options.region)
      throw wrong(`a valid region: '${this.options.region}'`);
  }

  private verifyV4Header(protocol: Protocol, req: IncomingSigned, h: V4Header, payloadHash: string): SeedSignature {
    const v4: V4Request = {
      method: req.method,
      rawPath: req.rawPath,
      query: req.query,
      headers: req.headers,
      payloadHash,
      s3: protocol === 's3',
    };
    const scope = h.scopeParts.join('/');
    const expected = signature(h.secret, scope, h.amzDate, canonicalRequest(v4, h.signedHeaders));
    if (!equal(expected, h.signature)) throw this.badSignature(protocol);
    const [date, region, service] = h.scopeParts;
    return {
      signingKey: signingKey(h.secret, date, region, service),
      amzDate: h.amzDate,
      scope,
      seedSignature: expected,
    };
  }

  private async v4Header(
    protocol: Protocol,
    req: IncomingSigned,
    auth: string,
  ): Promise<{ principal: Principal; seed: SeedSignature }> {
    const header = await this.parseV4Header(protocol, req, auth);
    const declared = req.headers['x-amz-content-sha256'];
    let payloadHash: string;
    if (protocol === 's3') {
      // S3 bodies are streamed: the payload reader checks them against this declared hash (or
      // each chunk's signature) as they arrive.
      if (!declared)
        throw new ServiceError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
      payloadHash = declared;
    } else {
      // A Query body is here whole: what was signed is the hash of what was received.
      payloadHash = sha256Hex(req.body ?? '');
      if (declared !== undefined && declared.toLowerCase() !== payloadHash) throw hashMismatch();
    }
    return { principal: header.principal, seed: this.verifyV4Header(protocol, req, header, payloadHash) };
  }

  private async v4Presigned(protocol: Protocol, req: IncomingSigned, q: Map<string, string>): Promise<Principal> {
    const [accessKeyId, ...scopeParts] = (q.get('X-Amz-Credential') ?? '').split('/');
    const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
    const amzDate = q.get('X-Amz-Date');
    const at = parseAmzDate(amzDate);
    const expires = Number(q.get('X-Amz-Expires') ?? '900');
    const malformed = (msg: string) =>
      new ServiceError(protocol === 's3' ? 'AuthorizationQueryParametersError' : 'IncompleteSignature', msg, 400);
    if (
      q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
      !accessKeyId ||
      scopeParts.length !== 4 ||
      scopeParts[3] !== 'aws4_request' ||
      !signedHeaders.length ||
      !q.get('X-Amz-Signature') ||
      at === undefined ||
      !Number.isFinite(expires)
    ) {
      throw malformed('The presigned request is missing or has malformed X-Amz-* parameters');
    }
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS)
      throw malformed(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS} (a week)`);
    this.checkScope(
      protocol,
      scopeParts,
      amzDate!,
      protocol === 's3' ? 'AuthorizationQueryParametersError' : 'SignatureDoesNotMatch',
      req.headers.host ?? '',
    );
    if (this.now() > at + expires * 1000)
      throw new ServiceError(
        protocol === 's3' ? 'AccessDenied' : 'RequestExpired',
        'Request has expired',
        protocol === 's3' ? 403 : 400,
      );
    if (at - this.now() > SKEW_MS) this.checkSkew(protocol, at, 'X-Amz-Date');
    const { secret, principal } = await this.principalFor(protocol, accessKeyId);
    const payloadHash =
      protocol === 's3' ? (req.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD') : sha256Hex(req.body ?? '');
    const v4: V4Request = {
      method: req.method,
      rawPath: req.rawPath,
      query: req.query,
      headers: req.headers,
      payloadHash,
      s3: protocol === 's3',
    };
    const expected = signature(
      secret,
      scopeParts.join('/'),
      amzDate!,
      canonicalRequest(v4, signedHeaders, 'X-Amz-Signature'),
    );
    if (!equal(expected, q.get('X-Amz-Signature')!)) throw this.badSignature(protocol);
    return principal;
  }

  private async queryV2(protocol: Protocol, req: IncomingSigned): Promise<Principal> {
    const p = req.params!;
    for (const name of ['AWSAccessKeyId', 'Signature', 'SignatureVersion', 'SignatureMethod']) {
      if (!p[name])
        throw new ServiceError(
          protocol === 'iam' ? 'IncompleteSignature' : 'MissingParameter',
          `The request must contain the parameter ${name}`,
          400,
        );
    }
    if (p.SignatureVersion !== '2')
      throw new ServiceError(
        'InvalidParameterValue',
        `Value (${p.SignatureVersion}) for parameter SignatureVersion is invalid. Only version 2 and 4 are supported`,
        400,
      );
    if (p.SignatureMethod !== 'HmacSHA256' && p.SignatureMethod !== 'HmacSHA1')
      throw new ServiceError(
        'InvalidParameterValue',
        `Value (${p.SignatureMethod}) for parameter SignatureMethod is invalid`,
        400,
      );
    if (p.Expires) {
      const exp = Date.parse(p.Expires);
      if (Number.isNaN(exp))
        throw new ServiceError('InvalidParameterValue', `Value (${p.Expires}) for parameter Expires is invalid`, 400);
      if (this.now() > exp)
        throw new ServiceError('RequestExpired', `Request has expired. Expires date is ${p.Expires}`, 400);
      if (exp - this.now() > MAX_PRESIGNED_SECONDS * 1000)
        throw new ServiceError(
          'InvalidParameterValue',
          `Value (${p.Expires}) for parameter Expires is invalid: a signed request lives at most a week`,
          400,
        );
    } else {
      this.checkSkew(protocol, p.Timestamp ? Date.parse(p.Timestamp) : undefined, 'Timestamp or Expires parameter');
    }
    const { secret, principal } = await this.principalFor(protocol, p.AWSAccessKeyId);
    const host = req.headers.host ?? '';
    const expected = hmacBase64(
      p.SignatureMethod as V2Method,
      secret,
      queryStringToSignV2(req.method, host, req.rawPath, p),
    );
    // Some clients leave the default port out of the Host they sign; accept either form.
    const alt = host.includes(':')
      ? undefined
      : hmacBase64(
          p.SignatureMethod as V2Method,
          secret,
          queryStringToSignV2(req.method, `${host}:80`, req.rawPath, p),
        );
    if (!equal(expected, p.Signature) && !(alt && equal(alt, p.Signature))) throw this.badSignature(protocol);
    return principal;
  }

  private async s3V2Check(req: IncomingSigned, accessKeyId: string, sig: string, date: string): Promise<Principal> {
    const { secret, principal } = await this.principalFor('s3', accessKeyId);
    const query = Object.fromEntries(req.query);
    const headers = { ...req.headers };
    if (headers['x-amz-date']) headers.date = '';
    const signs = (resource: string) =>
      equal(
        createHmac('sha1', secret)
          .update(wireBytes(s3StringToSignV2(req.method, headers, resource, query, date)))
          .digest('base64'),
        sig,
      );
    if (!s3V2Resources(req.rawPath).some(signs)) throw this.badSignature('s3');
    return principal;
  }

  private async s3V2Header(req: IncomingSigned, auth: string): Promise<Principal> {
    const m = /^AWS ([^:]+):(.+)$/.exec(auth);
    if (!m)
      throw new ServiceError(
        'InvalidArgument',
        'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature',
        400,
      );
    const dateText = req.headers['x-amz-date'] ?? req.headers.date;
    this.checkSkew('s3', dateText ? Date.parse(dateText) : undefined, 'Date or x-amz-date header');
    return this.s3V2Check(req, m[1], m[2], req.headers['x-amz-date'] ? '' : (req.headers.date ?? ''));
  }

  private async s3V2Presigned(req: IncomingSigned, q: Map<string, string>): Promise<Principal> {
    const expires = Number(q.get('Expires'));
    if (!Number.isFinite(expires))
      throw new ServiceError(
        'AccessDenied',
        'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
        403,
      );
    if (this.now() / 1000 > expires) throw new ServiceError('AccessDenied', 'Request has expired', 403);
    if (expires - this.now() / 1000 > MAX_PRESIGNED_SECONDS)
      throw new ServiceError(
        'AccessDenied',
        `Query-string authentication expires at most ${MAX_PRESIGNED_SECONDS} seconds (a week) ahead`,
        403,
      );
    return this.s3V2Check(req, q.get('AWSAccessKeyId')!, q.get('Signature')!, q.get('Expires')!);
  }
}

/** Where Walrus is served path-style: a prefix of the endpoint, not of the resource. */
const WALRUS_PREFIX = '/services/Walrus';

/**
 * The resources an S3 Signature V2 request may have signed, all naming the same bucket or
 * object: the path as it came; without Walrus' endpoint prefix (botocore's signature_version='s3'
 * signs the path past the endpoint); and for a bucket, with and without its trailing slash
 * (botocore signs `/bucket/`, boto 2 and s3cmd `/bucket`).
 */
export function s3V2Resources(rawPath: string): string[] {
  const paths = [rawPath];
  const past = rawPath === WALRUS_PREFIX || rawPath.startsWith(`${WALRUS_PREFIX}/`);
  const stripped = past ? rawPath.slice(WALRUS_PREFIX.length) || '/' : undefined;
  // Not when what is left is itself a Walrus path: a signature over /services/Walrus/B/K must
  // never stand for /services/Walrus/services/Walrus/B/K (bucket "services", key "Walrus/B/K").
  if (stripped && !(stripped === WALRUS_PREFIX || stripped.startsWith(`${WALRUS_PREFIX}/`))) paths.push(stripped);
  const out = new Set<string>();
  for (const p of paths) {
    out.add(p);
    if (/^\/[^/]+$/.test(p)) out.add(`${p}/`);
    else if (/^\/[^/]+\/$/.test(p)) out.add(p.slice(0, -1));
  }
  return [...out];
}
