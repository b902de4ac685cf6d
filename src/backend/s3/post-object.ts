/**
 * POST Object: an upload from a browser's HTML form (multipart/form-data), as S3 takes it. The
 * form carries its own credentials: a policy document (base64 JSON: an expiration and the
 * conditions every field must meet) signed with Signature V4 or V2; a form without them is
 * anonymous, which the bucket's ACL or policy must allow. The fields before the file are read
 * (at most 20 KB, as S3), the signature and the policy checked, the write authorized as a PUT of
 * the key, and only then is the file streamed into the object. The fields are S3's PUT headers
 * (Content-Type, x-amz-meta-*, x-amz-server-side-encryption, ...), read by the same model; the
 * answer is 204, 200, 201 with a PostResponse document, or a 303 to success_action_redirect.
 */
import busboy from 'busboy';
import { Readable } from 'node:stream';
import { type Authenticator } from '../auth/verify';
import { ServiceError } from '../errors';
import { type Reply } from '../reply';
import { S3Call, type S3HttpRequest, s3Input } from './call';
import { document } from '../xml';
import { encryptionHeaders, requestedEncryption } from './encryption';
import { RequestPayload } from './payload';
import { MAX_OBJECT_TAGS, parseTagging } from './tagging';
import { refuseUnsupportedS3 } from './unsupported';
import { MAX_PUT_SIZE, type ObjectSource, type S3Gate, type Walrus } from './walrus';

/** The most the fields before the file may hold, all together. */
const MAX_FORM_FIELDS = 20 * 1024;

/** Fields that are the form's workings, not the object's: never named by a policy's conditions. */
const FORM_WORKINGS = new Set(['policy', 'signature', 'awsaccesskeyid', 'x-amz-signature', 'file']);

/**
 * The fields that are headers of the object's PUT, as S3's POST takes them: its stored headers,
 * metadata, encryption, storage class, Object Lock and checksums. The rest describe the form.
 */
const PUT_HEADER =
  /^(content-type|cache-control|content-disposition|content-encoding|expires|x-amz-meta-.+|x-amz-server-side-encryption(-.+)?|x-amz-storage-class|x-amz-website-redirect-location|x-amz-object-lock-(mode|retain-until-date|legal-hold)|x-amz-checksum-.+)$/;
/** Fields a form may not carry: headers of the request itself, or tags in the wrong form. */
const REFUSED_FIELDS = new Set(['authorization', 'x-amz-tagging', 'host', 'content-length', 'referer', 'user-agent']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const malformedPost = () =>
  new ServiceError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
const policyFailed = (why: string) => new ServiceError('AccessDenied', `Invalid according to Policy: ${why}`, 403);

/** Whether a request is a form upload: a POST to a bucket, no sub-resource, a multipart/form-data body. */
export function isFormPost(req: S3HttpRequest, key: string | undefined): boolean {
  return (
    req.method === 'POST' &&
    key === undefined &&
    req.query.length === 0 &&
    /^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '')
  );
}

interface Form {
  /** The fields before the file, names lower-cased as S3 reads them. */
  fields: Record<string, string>;
  filename: string;
  file: Readable;
}

/**
 * Reads the form up to its file; fields after the file are ignored, as S3 ignores them. A field
 * sent as a file part (as some clients send every field, with a filename) is a field all the same:
 * only the part named "file" is the upload.
 */
function readForm(req: S3HttpRequest): Promise<Form> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fieldSize: MAX_FORM_FIELDS, fieldNameSize: 256, files: 200, fields: 200 },
      });
    } catch {
      return reject(malformedPost());
    }
    const fields: Record<string, string> = {};
    // Fields sent as file parts arrive as streams; the form is read once each has ended.
    const pending: Promise<void>[] = [];
    let used = 0;
    let found = false;
    const tooLarge = () =>
      new ServiceError(
        'MaxPostPreDataLengthExceeded',
        'Your POST request fields preceding the upload file were too large.',
      );
    const field = (name: string, value: string) => {
      used += name.length + value.length;
      if (used > MAX_FORM_FIELDS) return reject(tooLarge());
      fields[name.toLowerCase()] = value;
    };
    parser.on('field', (name, value, info) => {
      if (found) return;
      if (info.valueTruncated) return reject(tooLarge());
      field(name, value);
    });
    parser.on('file', (name, stream, info) => {
      if (found) return void stream.resume();
      if (name.toLowerCase() === 'file') {
        found = true;
        return void Promise.all(pending).then(() => resolve({ fields, filename: info.filename ?? '', file: stream }));
      }
      const pieces: Buffer[] = [];
      let size = 0;
      stream.on('data', (piece: Buffer) => {
        size += piece.length;
        if (size <= MAX_FORM_FIELDS) pieces.push(piece);
      });
      pending.push(
        new Promise((ended) =>
          stream.on('end', () => {
            if (size > MAX_FORM_FIELDS) reject(tooLarge());
            else field(name, Buffer.concat(pieces).toString('utf8'));
            ended();
          }),
        ),
      );
    });
    parser.on('error', () => reject(malformedPost()));
    parser.on('close', () => {
      if (!found) reject(new ServiceError('InvalidArgument', 'POST requires exactly one file upload per request.'));
    });
    Readable.from(req.body).on('error', reject).pipe(parser);
  });
}

/** What a checked policy leaves for the write: the sizes content-length-range allows. */
interface PolicyBounds {
  minSize: number;
  maxSize: number;
}

/**
 * Checks the form against its policy: not expired, every condition met (exact matches, eq,
 * starts-with, content-length-range), and every field of the form named by some condition.
 */
export function checkPostPolicy(policyText: string, fields: Record<string, string>, now = Date.now()): PolicyBounds {
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8'));
  } catch {
    throw new ServiceError('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  if (!policy || typeof policy !== 'object')
    throw new ServiceError('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  // An ISO 8601 date and time, as S3 reads it (2026-12-01T12:00:00.000Z), nothing looser.
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
  if (
    typeof policy.expiration !== 'string' ||
    !iso.test(policy.expiration) ||
    Number.isNaN(Date.parse(policy.expiration))
  )
    throw new ServiceError('InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.');
  if (Date.parse(policy.expiration) < now) throw policyFailed('Policy expired.');
  if (!Array.isArray(policy?.conditions))
    throw new ServiceError('InvalidPolicyDocument', 'Invalid Policy: Policy missing conditions.');
  const bounds: PolicyBounds = { minSize: 0, maxSize: MAX_PUT_SIZE };
  const covered = new Set<string>();
  const value = (name: string) => fields[name] ?? '';
  for (const c of policy.conditions) {
    const shown = JSON.stringify(c);
    if (Array.isArray(c)) {
      const [op, a, b] = c as unknown[];
      const verb = typeof op === 'string' ? op.toLowerCase() : '';
      if (verb === 'content-length-range') {
        const [min, max] = [Number(a), Number(b)];
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min)
          throw new ServiceError('InvalidPolicyDocument', `Invalid Policy: Invalid content-length-range: ${shown}`);
        Object.assign(bounds, { minSize: min, maxSize: Math.min(max, MAX_PUT_SIZE) });
        continue;
      }
      if (
        (verb !== 'eq' && verb !== 'starts-with') ||
        typeof a !== 'string' ||
        !a.startsWith('$') ||
        typeof b !== 'string'
      )
        throw new ServiceError('InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${shown}`);
      const name = a.slice(1).toLowerCase();
      covered.add(name);
      const ok = verb === 'eq' ? value(name) === b : value(name).startsWith(b);
      if (!ok) throw policyFailed(`Policy Condition failed: ${shown}`);
    } else if (c && typeof c === 'object' && Object.keys(c).length === 1) {
      const [[k, v]] = Object.entries(c);
      const name = k.toLowerCase();
      covered.add(name);
      if (value(name) !== String(v))
        throw policyFailed(`Policy Condition failed: ["eq", "$${k}", ${JSON.stringify(v)}]`);
    } else throw new ServiceError('InvalidPolicyDocument', `Invalid Policy: Invalid Condition: ${shown}`);
  }
  const extra = Object.keys(fields).filter(
    (f) => f !== 'bucket' && !FORM_WORKINGS.has(f) && !f.startsWith('x-ignore-') && !covered.has(f),
  );
  if (extra.length) throw policyFailed(`Extra input fields: ${extra.join(', ')}`);
  return bounds;
}

/**
 * The headers of the PUT a form makes (the acl field is x-amz-acl), each checked as an HTTP
 * parser checks a header: a form's fields are any text, a stored header must stay answerable.
 */
function putHeaders(fields: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (REFUSED_FIELDS.has(name))
      throw new ServiceError('InvalidArgument', `A POST form may not carry the field ${name}`);
    const header = name === 'acl' ? 'x-amz-acl' : name;
    if (header !== 'x-amz-acl' && !PUT_HEADER.test(header)) continue;
    if (!TOKEN.test(header) || !FIELD_VALUE.test(value))
      throw new ServiceError('InvalidArgument', `The form field ${name} holds characters a header cannot carry`);
    headers[header] = value;
  }
  return headers;
}

/** Where success_action_redirect sends the browser: an http(s) URL, or nowhere. */
function redirectTo(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** POST Object: reads the form, authenticates and authorizes it, then streams its file into the key. */
export async function postObject(
  walrus: Walrus,
  auth: Authenticator,
  req: S3HttpRequest,
  bucket: string,
  gate: S3Gate,
): Promise<Reply> {
  const { fields: form, filename, file } = await readForm(req);
  try {
    const fields: Record<string, string> = { ...form, bucket };
    const principal = await auth.verifyPostPolicy(fields, req.headers.host ?? '');
    if (fields.key === undefined)
      throw new ServiceError(
        'InvalidArgument',
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      );
    // The key is the uploaded file's name where it says ${filename}, and the policy judges that key.
    const key = fields.key.replace(/\$\{filename\}/g, filename);
    const bounds = fields.policy !== undefined ? checkPostPolicy(fields.policy, { ...fields, key }) : undefined;
    const headers = putHeaders(fields);
    const input = s3Input('PutObject', { uri: { Bucket: bucket, Key: key }, query: new Map(), headers });
    refuseUnsupportedS3(input as Record<string, unknown>);
    const tags = fields.tagging === undefined ? undefined : parseTagging(Buffer.from(fields.tagging), MAX_OBJECT_TAGS);
    // Policies see the PUT the form makes: its headers, its tags, and the request's own referer.
    const seen: Record<string, string> = { ...headers };
    if (tags)
      seen['x-amz-tagging'] = new URLSearchParams(tags.map((t): [string, string] => [t.key, t.value])).toString();
    for (const h of ['referer', 'user-agent']) if (req.headers[h] !== undefined) seen[h] = req.headers[h];
    const granted = await gate(principal, {
      method: 'PUT',
      path: `/${bucket}/${key}`,
      query: {},
      headers: seen,
      authType: 'POST',
    });
    const view = granted ? walrus.grantedByPolicy() : walrus;
    const readAs = (source: ObjectSource) => walrus.readAs(principal, source, gate);
    const call = new S3Call(view, req, principal, undefined, bucket, key, readAs);
    const attributes = { ...call.attributes(input), ...(tags ? { tags } : {}) };
    const o = await view.putObject(
      principal,
      bucket,
      key,
      new RequestPayload(file, {}, undefined, bounds?.maxSize ?? MAX_PUT_SIZE),
      attributes,
      call.aclInput(input),
      { minSize: bounds?.minSize },
      requestedEncryption(input),
    );
    const location = `http://${req.headers.host ?? 'localhost'}${req.rawPath.replace(/\/?$/, '/')}${encodeURIComponent(key)}`;
    const answered = {
      ETag: o.etag,
      Location: location,
      ...(o.versionId ? { 'x-amz-version-id': o.versionId } : {}),
      ...encryptionHeaders(o.encryption),
    };
    const redirect = redirectTo(fields.success_action_redirect ?? fields.redirect);
    if (redirect) {
      for (const [k, v] of Object.entries({ bucket, key, etag: o.etag })) redirect.searchParams.append(k, v);
      return { status: 303, headers: { ...answered, Location: redirect.href }, action: 'PostObject' };
    }
    const status = Number(fields.success_action_status);
    if (status === 201)
      return {
        status,
        contentType: 'application/xml',
        headers: answered,
        // S3's PostResponse is the one answer without its namespace.
        body: document('PostResponse', undefined, { Location: location, Bucket: bucket, Key: key, ETag: o.etag }),
        action: 'PostObject',
      };
    return { status: status === 200 ? 200 : 204, headers: answered, action: 'PostObject' };
  } finally {
    // Whatever is left of the form (a refused upload's file, the fields after it) is drained, not kept.
    file.resume();
  }
}
