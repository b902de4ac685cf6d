/**
 * The resource registry: which account owns a resource, by ID prefix, so that the tag actions can
 * check any kind of resource without knowing its domain. Each domain registers its prefixes (images
 * emi/eki/eri, security groups sg, and later instances, volumes, snapshots, addresses) with a
 * function answering the owning account, or undefined when the resource does not exist.
 */
import { type RequestContext } from '../context';
import { ServiceError } from '../errors';

export type ResourceOwner = (ctx: RequestContext, id: string) => string | undefined;

interface ResourceKind {
  owner: ResourceOwner;
  /** The EC2 error code for a missing resource of this kind (InvalidAMIID.NotFound, ...). */
  notFoundCode: string;
}

/** euca2ools' and EC2's resource types, by ID prefix: what DescribeTags answers as resourceType. */
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

const kinds = new Map<string, ResourceKind>();

export function registerResourceKind(prefixes: string[], owner: ResourceOwner, notFoundCode = 'InvalidID'): void {
  for (const p of prefixes) kinds.set(p, { owner, notFoundCode });
}

const prefixOf = (id: string) => (/^([a-z]+)-[0-9A-Fa-f]{8,17}$/.exec(id) ?? [])[1];

export function resourceType(id: string): string | undefined {
  const p = prefixOf(id);
  return p ? RESOURCE_TYPES[p] : undefined;
}

/**
 * Checks that the caller's account owns the resource: an unknown kind is InvalidID, a missing or
 * someone else's resource the kind's NotFound (another account's resource is not revealed).
 */
export function requireOwnedResource(ctx: RequestContext, id: string): void {
  const p = prefixOf(id);
  const kind = p ? kinds.get(p) : undefined;
  if (!kind) throw new ServiceError('InvalidID', `The ID '${id}' is not valid`);
  if (kind.owner(ctx, id) !== ctx.principal.account.id)
    throw new ServiceError(kind.notFoundCode, `The resource ID '${id}' does not exist`);
}
