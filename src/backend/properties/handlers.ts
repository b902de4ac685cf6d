/** DescribeProperties and ModifyPropertyValue on the wire; the rules are the property service's. */
import { type QueryCall } from '../query-service';
import { listParam, requireParam } from '../query-params';
import type { PropertyService } from './service';

/** The actions, given the service they call. */
export function propertyActions(propertyService: PropertyService) {
  return {
    DescribeProperties: (ctx: QueryCall) => {
      return { properties: propertyService.describe(ctx.principal, listParam(ctx.params, 'Property')) };
    },
    ModifyPropertyValue: (ctx: QueryCall) => {
      return propertyService.modify(ctx.principal, requireParam(ctx.params, 'Name'), ctx.params.Value ?? '');
    },
  };
}
