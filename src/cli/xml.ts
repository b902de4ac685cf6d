/**
 * Parsing AWS XML responses. Namespaces are dropped, values stay strings, and the list wrappers
 * (`item` in EC2, `member` in IAM) always parse as arrays so a one-element list looks like a list.
 */
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'item' || name === 'member',
});

export type XmlNode = Record<string, any>;

export function parseXml(text: string | Buffer): XmlNode {
  return parser.parse(text.toString()) as XmlNode;
}

/** The elements of an EC2 `<xSet><item/>...</xSet>` or IAM `<X><member/>...</X>` list. */
export function listOf(node: XmlNode | undefined, key: string): XmlNode[] {
  const wrapper = node?.[key];
  if (!wrapper || typeof wrapper !== 'object') return [];
  return (wrapper.item ?? wrapper.member ?? []) as XmlNode[];
}
