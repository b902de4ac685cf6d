import { Flags } from '@oclif/core';
import { QueryCommand } from '../../command';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class AllocateAddress extends QueryCommand {
  static override summary = 'Allocate a public IP address';
  static override description =
    'The address comes from the cloud’s pool of public addresses (MANAGED networking modes only) and stays ' +
    'yours until euca-release-address. Prints ADDRESS address domain allocation-id.';
  static override flags = {
    domain: Flags.string({
      char: 'd',
      summary: '[VPC only] "vpc" to allocate the address for use in a VPC',
      options: ['vpc'],
      helpValue: 'vpc',
    }),
  };
  static override examples = ['<%= command.id %>'];
  static override action = 'AllocateAddress';
  static override route = { domain: 'Domain' };

  protected print(result: XmlNode) {
    this.out([record('ADDRESS', result.publicIp, result.domain ?? 'standard', result.allocationId)]);
  }
}
