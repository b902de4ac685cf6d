/**
 * Which account owns a resource, by ID prefix, so that the tag actions can check any kind of
 * resource without knowing its domain. The composition root (cloud.ts) lists every kind it has
 * (images emi/eki/eri, instances i, security groups sg, volumes vol, snapshots snap) with a
 * function answering the owning account, or undefined when the resource does not exist.
 */
import { ServiceError } from '../errors';
export { resourceType } from '../../shared/resource-types';
import type { Principal } from '../store/types';

export interface ResourceKind {
  prefixes: string[];
  owner(id: string): Promise<string | undefined>;
  /** The EC2 error code for a missing resource of this kind (InvalidAMIID.NotFound, ...). */
  notFoundCode: string;
}

const prefixOf = (id: string) => (/^([a-z]+)-[0-9A-Fa-f]{8,17}$/.exec(id) ?? [])[1];

export class ResourceOwners {
  private readonly kinds = new Map<string, ResourceKind>();

  constructor(kinds: ResourceKind[]) {
    for (const k of kinds) for (const p of k.prefixes) this.kinds.set(p, k);
  }

  /**
   * Checks that the principal's account owns the resource: an unknown kind is InvalidID, a
   * missing or someone else's resource the kind's NotFound (another account's is not revealed).
   */
  async requireOwned(p: Principal, id: string): Promise<void> {
    const prefix = prefixOf(id);
    const kind = prefix ? this.kinds.get(prefix) : undefined;
    if (!kind) throw new ServiceError('InvalidID', `The ID '${id}' is not valid`);
    if ((await kind.owner(id)) !== p.account.id)
      throw new ServiceError(kind.notFoundCode, `The resource ID '${id}' does not exist`);
  }
}
