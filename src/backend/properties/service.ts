/**
 * The cloud's live properties (euca-describe-properties, euca-modify-property), for the cloud
 * administrator only: those whose names start with any of the given prefixes (all without one),
 * and a change that is checked and takes effect at once. The cloud's own work reads them too.
 */
import type { CloudContext } from '../context';
import { ServiceError } from '../errors';
import { isCloudAdmin } from '../iam/principals';
import type { Principal } from '../store/types';
import { properties, property } from './registry';

export type PropertyValue = {
  name: string;
  value: string;
  description: string;
};

export class PropertyService {
  /** The registry's properties read and apply through the cloud they configure. */
  constructor(private readonly cloud: () => CloudContext) {}

  describe(p: Principal, prefixes: string[]): PropertyValue[] {
    this.admin(p);
    const cloud = this.cloud();
    return properties(cloud)
      .filter((d) => !prefixes.length || prefixes.some((pre) => d.name.startsWith(pre)))
      .map((d) => ({ name: d.name, value: d.get(cloud), description: d.description }));
  }

  modify(p: Principal, name: string, value: string): { name: string; value: string; oldValue: string } {
    this.admin(p);
    const cloud = this.cloud();
    const d = property(cloud, name);
    const oldValue = d.get(cloud);
    d.set(cloud, value);
    return { name: d.name, value: d.get(cloud), oldValue };
  }

  /** A property's value as the cloud reads it (undefined when empty). */
  value(name: string): string | undefined {
    const cloud = this.cloud();
    return property(cloud, name).get(cloud) || undefined;
  }

  private admin(p: Principal): void {
    if (!isCloudAdmin({ principal: p }))
      throw new ServiceError(
        'UnauthorizedOperation',
        "Only the cloud administrator may read or change the cloud's properties.",
        403,
      );
  }
}
