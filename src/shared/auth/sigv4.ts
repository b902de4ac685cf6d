/**
 * Signature Version 4 on the client, done by aws4: this module only adapts our request shape to
 * aws4's and back. The embedded cloud verifies with its own canonicalization (backend/auth), and
 * both are held to AWS's published test vectors.
 */
import { createHash, createHmac } from 'node:crypto';
import aws4 from 'aws4';

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The path and query as they will be sent, when not url's (see http.ts). */
  path?: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials' token: aws4 sends and signs it as X-Amz-Security-Token. */
  sessionToken?: string;
}

/**
 * `declareHash`: send the payload's hash as X-Amz-Content-Sha256, signed, so that the server can
 * check the signature before it reads the body (aws4 does so by itself for S3 only).
 */
export function signV4(
  req: SignableRequest,
  creds: Credentials,
  service: string,
  region: string,
  opts: { unsignedPayload?: boolean; declareHash?: boolean } = {},
): void {
  const headers: Record<string, string> = { ...req.headers };
  if (opts.unsignedPayload) headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  else if (opts.declareHash)
    headers['X-Amz-Content-Sha256'] = createHash('sha256')
      .update(req.body ?? '')
      .digest('hex');
  const signed = aws4.sign(
    {
      host: req.url.host,
      path: req.path ?? req.url.pathname + req.url.search,
      method: req.method,
      headers,
      body: req.body,
      service,
      region,
    },
    creds,
  );
  for (const [k, v] of Object.entries(signed.headers ?? {})) req.headers[k] = String(v);
}

/**
 * Signature V4 for a body sent as signed aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), which
 * aws4 does not do: each chunk's signature chains from the previous one, starting at the
 * request's own signature (the seed), so the body is authenticated as it streams.
 */
export class ChunkSigner {
  private readonly key: Buffer;
  private previous: string;

  constructor(
    secretAccessKey: string,
    private readonly amzDate: string,
    private readonly scope: string,
    seedSignature: string,
  ) {
    const [date, region, service] = scope.split('/');
    const hmac = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d, 'utf8').digest();
    this.key = hmac(hmac(hmac(hmac('AWS4' + secretAccessKey, date), region), service), 'aws4_request');
    this.previous = seedSignature;
  }

  /** The signature of the next chunk (an empty one ends the body). */
  sign(chunk: Buffer): string {
    const text = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      this.amzDate,
      this.scope,
      this.previous,
      EMPTY_SHA256,
      createHash('sha256').update(chunk).digest('hex'),
    ].join('\n');
    this.previous = createHmac('sha256', this.key).update(text, 'utf8').digest('hex');
    return this.previous;
  }

  /** Reads the seed, date and scope back from a request aws4 has just signed. */
  static fromSignedHeaders(headers: Record<string, string>, secretAccessKey: string): ChunkSigner {
    const auth = headers.Authorization ?? headers.authorization ?? '';
    const scope = /Credential=[^/]+\/([^,]+)/.exec(auth)?.[1] ?? '';
    const seed = /Signature=([0-9a-f]{64})/.exec(auth)?.[1] ?? '';
    return new ChunkSigner(secretAccessKey, headers['X-Amz-Date'] ?? headers['x-amz-date'] ?? '', scope, seed);
  }
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
