/**
 * Keeps secrets out of --debug traces and logs: signatures, secret keys, private key material and
 * passwords are replaced by a marker, whether they travel in headers, query strings, XML bodies or
 * the fields of an upload form (--upload-policy's signature).
 */
const QUERY_SECRETS = /((?:^|[?&\s])(?:[\w.-]*Signature|SecretAccessKey|Password|[\w.-]*Security-?Token)=)[^&\s]*/gi;
/** A signature inside a parameter's URL-encoded value (a presigned URL passed as a parameter). */
const ENCODED_SIGNATURE = /((?:%26|%3F)(?:X-Amz-)?Signature%3D)[^%&\s]*/gi;
const FORM_SECRETS =
  /(Content-Disposition: form-data; name="(?:Signature|x-amz-signature|x-amz-security-token)"\r\n\r\n)[^\r]*/gi;
const HEADER_SIGNATURE = /(Signature=|AWS [^:\s]+:)[^\s,]+/g;
const XML_SECRETS = /(<(SecretAccessKey|keyMaterial|PrivateKey|passwordData|Password|SecretKey)>)[\s\S]*?(<\/\2>)/g;
const PEM_PRIVATE = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

export const REDACTED = '<redacted>';

export function redactQuery(text: string): string {
  return text.replace(QUERY_SECRETS, `$1${REDACTED}`).replace(ENCODED_SIGNATURE, `$1${REDACTED}`);
}

export function redactHeader(name: string, value: string): string {
  const n = name.toLowerCase();
  if (n === 'authorization') return value.replace(HEADER_SIGNATURE, `$1${REDACTED}`);
  if (n === 'x-amz-security-token') return REDACTED;
  return value;
}

export function redactBody(text: string): string {
  return redactQuery(
    text
      .replace(XML_SECRETS, `$1${REDACTED}$3`)
      .replace(FORM_SECRETS, `$1${REDACTED}`)
      .replace(PEM_PRIVATE, `-----BEGIN $1PRIVATE KEY----- ${REDACTED} -----END $1PRIVATE KEY-----`),
  );
}
