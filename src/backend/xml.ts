/**
 * Rendering response documents. A value is a scalar, a structure (object) or a list (array); EC2
 * wraps list elements in <item>, IAM in <member>, S3 repeats the element itself (give it
 * listItem = null and name the element in the structure).
 */
export type XmlValue = string | number | boolean | undefined | null | XmlValue[] | { [k: string]: XmlValue };

const ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes text for an element or attribute. Control characters (possible in S3 keys) become
 * character references: a raw CR would be read back as LF, and most others are not XML 1.0 text.
 */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"'\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f\u007f\ufffe\uffff]/g,
    (c) => ENTITIES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`,
  );
}

/** Appends an element's text to `out`: one string built once, however large the document. */
function write(out: string[], name: string, value: XmlValue, listItem: string | null): void {
  if (value === undefined) return;
  if (value === null) {
    out.push(`<${name}/>`);
  } else if (Array.isArray(value)) {
    if (listItem === null) {
      for (const v of value) write(out, name, v, listItem);
      return;
    }
    out.push(`<${name}>`);
    // A list may name its own elements (IAM's SummaryMap has <entry>): see namedList.
    const item = (value as { itemName?: string }).itemName ?? listItem;
    for (const v of value) write(out, item, v, listItem);
    out.push(`</${name}>`);
  } else if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const k in value) write(out, k, value[k], listItem);
    out.push(`</${name}>`);
  } else {
    const text = typeof value === 'string' ? value : String(value);
    // Most values need no escaping; testing first spares a regex replace per element.
    out.push(`<${name}>${NEEDS_ESCAPE.test(text) ? escapeXml(text) : text}</${name}>`);
  }
}

const NEEDS_ESCAPE = /[<>&"'\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f\u007f\ufffe\uffff]/;

/** A list whose elements have their own name rather than the protocol's <item>/<member>. */
export function namedList<T extends XmlValue>(itemName: string, values: T[]): T[] {
  return Object.assign([...values], { itemName });
}

export function element(name: string, value: XmlValue, listItem: string | null = 'item'): string {
  const out: string[] = [];
  write(out, name, value, listItem);
  return out.join('');
}

export function document(
  root: string,
  namespace: string | undefined,
  body: { [k: string]: XmlValue },
  listItem: string | null = 'item',
): string {
  const ns = namespace ? ` xmlns="${namespace}"` : '';
  const out: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>`];
  for (const k in body) write(out, k, body[k], listItem);
  out.push(`</${root}>`);
  return out.join('');
}
