/** DescribeProperties and ModifyPropertyValue on the wire; the rules are the property service's. */
import type { Ec2Operations } from '../../shared/wire/ec2';
import { required } from '../query-params';
import type { Actions } from '../query-service';
import type { PropertyService } from './service';

/** The actions, given the service they call. */
export function propertyActions(
  properties: PropertyService,
): Actions<Ec2Operations, 'DescribeProperties' | 'ModifyPropertyValue'> {
  return {
    DescribeProperties: async ({ principal, input }) => ({
      properties: await properties.describe(principal, input.Properties ?? []),
    }),
    ModifyPropertyValue: ({ principal, input }) =>
      properties.modify(principal, required(input.Name, 'Name'), input.Value ?? ''),
  };
}
