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
  return s.replace(/[<>&"'\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f\u007f\ufffe\uffff]/g, (c) => ENTITIES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

export function element(name: string, value: XmlValue, listItem: string | null = 'item'): string {
  if (value === undefined) return '';
  if (value === null) return `<${name}/>`;
  if (Array.isArray(value)) {
    if (listItem === null) return value.map((v) => element(name, v, listItem)).join('');
    return `<${name}>${value.map((v) => element(listItem, v, listItem)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value).map(([k, v]) => element(k, v, listItem)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function document(root: string, namespace: string | undefined, body: { [k: string]: XmlValue }, listItem: string | null = 'item'): string {
  const ns = namespace ? ` xmlns="${namespace}"` : '';
  const inner = Object.entries(body).map(([k, v]) => element(k, v, listItem)).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${inner}</${root}>`;
}
