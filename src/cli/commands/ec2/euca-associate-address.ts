import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class AssociateAddress extends QueryCommand {
  static override summary = 'Associate an elastic IP address with a running instance';
  static override args = { address: Args.string({ description: 'IP address to associate', required: true }) };
  static override flags = {
    'instance-id': Flags.string({
      char: 'i',
      summary: 'ID of the instance to associate the address with',
      helpValue: 'INSTANCE',
      required: true,
    }),
  };
  static override examples = ['<%= command.id %> -i i-56785678 192.168.17.103'];
  static override action = 'AssociateAddress';

  static override route = {
    address: 'PublicIp',
    'instance-id': 'InstanceId',
  };

  protected print(_: unknown, { args, flags }: ParsedOf<typeof AssociateAddress>) {
    this.out([record('ADDRESS', args.address, flags['instance-id'])]);
  }
}
