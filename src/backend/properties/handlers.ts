/**
 * DescribeProperties and ModifyPropertyValue (euca-describe-properties, euca-modify-property), for
 * the cloud administrator only: the properties whose names start with any of the given prefixes
 * (all without one), and a change that is checked and takes effect at once.
 */
import { type RequestContext } from '../context';
import { ServiceError } from '../errors';
import { isCloudAdmin } from '../iam/principals';
import { listParam, requireParam } from '../query-params';
import { properties, property } from './registry';

function requireAdmin(ctx: RequestContext): void {
  if (!isCloudAdmin(ctx))
    throw new ServiceError(
      'UnauthorizedOperation',
      "Only the cloud administrator may read or change the cloud's properties.",
      403,
    );
}

export function describeProperties(ctx: RequestContext) {
  requireAdmin(ctx);
  const prefixes = listParam(ctx.params, 'Property');
  const all = properties(ctx.cloud).filter((p) => !prefixes.length || prefixes.some((pre) => p.name.startsWith(pre)));
  return { properties: all.map((p) => ({ name: p.name, value: p.get(ctx.cloud), description: p.description })) };
}

export function modifyPropertyValue(ctx: RequestContext) {
  requireAdmin(ctx);
  const p = property(ctx.cloud, requireParam(ctx.params, 'Name'));
  const value = ctx.params.Value ?? '';
  const oldValue = p.get(ctx.cloud);
  p.set(ctx.cloud, value);
  return { name: p.name, value: p.get(ctx.cloud), oldValue };
}
