/**
 * The EC2 Query service (/services/Eucalyptus): its actions, each family's translated by its
 * handlers into calls of its service, and the namespace each API version answers in.
 */
import { propertyActions } from '../properties/handlers';
import { actionTable, type QueryService } from '../query-service';
import { ec2Model } from '../../shared/wire/ec2-model';
import { addressActions } from './addresses/handlers';
import { bundleTaskActions } from './bundle-tasks/handlers';
import { securityGroupActions } from './groups/handlers';
import { imageActions } from './images/handlers';
import { instanceActions } from './instances/handlers';
import { keyPairActions } from './keypairs/handlers';
import { type Ec2Services } from './services';
import { refuseUnsupportedAction, refuseUnsupportedMembers } from './unsupported';
import { tagActions } from './tags/handlers';
import { volumeActions } from './volumes/handlers';
import { conversionTaskActions } from './volumes/import-handlers';
import { zoneActions } from './zones/handlers';
import { instanceTypeActions } from './zones/instance-types-handler';

export function ec2Service(s: Ec2Services): QueryService {
  return {
    protocol: 'ec2',
    model: ec2Model,
    namespace: (version) => `http://ec2.amazonaws.com/doc/${version}/`,
    unsupported: { action: refuseUnsupportedAction, members: refuseUnsupportedMembers },
    actions: actionTable(
      zoneActions(s.zones),
      instanceTypeActions(s.zones),
      imageActions(s.images, s.tags),
      instanceActions(s.instances, s.tags),
      bundleTaskActions(s.bundleTasks),
      addressActions(s.addresses, s.tags),
      keyPairActions(s.keypairs, s.tags),
      securityGroupActions(s.groups, s.tags),
      tagActions(s.tags),
      volumeActions(s.volumes, s.snapshots, s.tags),
      conversionTaskActions(s.conversionTasks),
      propertyActions(s.properties),
    ),
  };
}
