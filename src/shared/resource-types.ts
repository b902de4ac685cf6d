/**
 * euca2ools' and EC2's resource types, by ID prefix: what DescribeTags answers as resourceType
 * and what the commands print in TAG lines.
 */
const RESOURCE_TYPES: Record<string, string> = {
  emi: 'image',
  eki: 'image',
  eri: 'image',
  ami: 'image',
  aki: 'image',
  ari: 'image',
  i: 'instance',
  sg: 'security-group',
  vol: 'volume',
  snap: 'snapshot',
  eipalloc: 'allocation-id',
  bun: 'bundle',
  r: 'reservation',
};

/** The resource type an ID prefix names (`vol` → volume). */
export const typeOfPrefix = (prefix: string): string | undefined => RESOURCE_TYPES[prefix];

/** The resource type of a well-formed ID (`vol-12345678` → volume), or undefined. */
export function resourceType(id: string): string | undefined {
  const p = (/^([a-z]+)-[0-9A-Fa-f]{8,17}$/.exec(id) ?? [])[1];
  return p ? typeOfPrefix(p) : undefined;
}
