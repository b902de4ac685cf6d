/** DescribeProperties and ModifyPropertyValue on the wire; the rules are the property service's. */
import { type RequestContext } from '../context';
import { listParam, requireParam } from '../query-params';

export function describeProperties(ctx: RequestContext) {
  return { properties: ctx.cloud.ec2.properties.describe(ctx.principal, listParam(ctx.params, 'Property')) };
}

export function modifyPropertyValue(ctx: RequestContext) {
  return ctx.cloud.ec2.properties.modify(ctx.principal, requireParam(ctx.params, 'Name'), ctx.params.Value ?? '');
}
