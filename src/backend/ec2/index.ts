/**
 * The EC2 Query service (/services/Eucalyptus): its actions, and the namespace each API version
 * answers in.
 */
import { QueryService } from '../query-service';
import { describeAvailabilityZones, describeRegions } from './zones';

export const ec2Service: QueryService = {
  protocol: 'ec2',
  namespace: (version) => `http://ec2.amazonaws.com/doc/${version}/`,
  actions: {
    DescribeAvailabilityZones: describeAvailabilityZones,
    DescribeRegions: describeRegions,
  },
};
