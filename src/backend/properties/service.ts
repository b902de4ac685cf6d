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

  async describe(p: Principal, prefixes: string[]): Promise<PropertyValue[]> {
    this.admin(p);
    const cloud = this.cloud();
    const out: PropertyValue[] = [];
    for (const d of await properties(cloud))
      if (!prefixes.length || prefixes.some((pre) => d.name.startsWith(pre)))
        out.push({ name: d.name, value: await d.get(cloud), description: d.description });
    return out;
  }

  async modify(p: Principal, name: string, value: string): Promise<{ name: string; value: string; oldValue: string }> {
    this.admin(p);
    const cloud = this.cloud();
    const d = await property(cloud, name);
    const oldValue = await d.get(cloud);
    await d.set(cloud, value);
    return { name: d.name, value: await d.get(cloud), oldValue };
  }

  /** A property's value as the cloud reads it (undefined when empty). */
  async value(name: string): Promise<string | undefined> {
    const cloud = this.cloud();
    return (await (await property(cloud, name)).get(cloud)) || undefined;
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
