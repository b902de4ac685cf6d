/**
 * User metadata values (x-amz-meta-*) that are not US-ASCII, as S3 treats them: a value sent as
 * raw UTF-8 bytes (which HTTP parsers hand over one byte per character) or encoded per RFC 2047
 * (=?UTF-8?B?...?=, =?UTF-8?Q?...?=) is stored as the text it stands for, and answered encoded
 * per RFC 2047 when it is not ASCII, so that it stays a valid header value.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text a received metadata value stands for. */
export function decodeMetaValue(v: string): string {
  const words = /^=\?([^?]+)\?([BbQq])\?([^?]*)\?=$/.exec(v.trim());
  if (words) {
    const charset = words[1].toLowerCase();
    const bytes =
      words[2].toUpperCase() === 'B'
        ? Buffer.from(words[3], 'base64')
        : Buffer.from(
            words[3]
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    if (charset === 'utf-8' || charset === 'utf8') return bytes.toString('utf8');
    if (charset === 'iso-8859-1' || charset === 'us-ascii') return bytes.toString('latin1');
    return v;
  }
  // Raw bytes of UTF-8 text, one per character: the text they spell, when they do spell one.
  if (/[\x80-\xff]/.test(v) && !/[^\x00-\xff]/.test(v)) {
    try {
      return utf8.decode(Buffer.from(v, 'latin1'));
    } catch {
      return v;
    }
  }
  return v;
}

/** A stored metadata value as a header carries it: as it is, or RFC 2047-encoded when not ASCII. */
export const encodeMetaValue = (v: string): string =>
  /[^\x20-\x7e]/.test(v) ? `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=` : v;
