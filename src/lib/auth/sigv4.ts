/**
 * Signature Version 4 on the client, done by aws4: this module only adapts our request shape to
 * aws4's and back. The embedded cloud verifies with its own canonicalization (backend/auth), and
 * both are held to AWS's published test vectors.
 */
import aws4 from 'aws4';

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function signV4(req: SignableRequest, creds: Credentials, service: string, region: string, opts: { unsignedPayload?: boolean } = {}): void {
  const headers: Record<string, string> = { ...req.headers };
  if (opts.unsignedPayload) headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = aws4.sign(
    {
      host: req.url.host,
      path: req.url.pathname + req.url.search,
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
