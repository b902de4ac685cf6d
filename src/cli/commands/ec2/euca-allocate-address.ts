import { QueryCommand } from '../../command';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class AllocateAddress extends QueryCommand {
  static override summary = 'Allocate a public IP address';
  static override description =
    'The address comes from the cloud’s pool of public addresses (MANAGED networking modes only) and stays ' +
    'yours until euca-release-address.';
  static override examples = ['<%= command.id %>'];
  static override action = 'AllocateAddress';

  protected print(result: XmlNode) {
    this.out([record('ADDRESS', result.publicIp, result.domain ?? 'standard', result.allocationId)]);
  }
}
