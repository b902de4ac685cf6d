import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';
import { UsageError } from '../../../shared/errors';

export default class DisassociateAddress extends QueryCommand {
  static override summary = 'Disassociate an elastic IP address from an instance';
  static override args = {
    address: Args.string({ description: '[Non-VPC only] elastic IP address to disassociate (required)' }),
  };
  static override flags = {
    'association-id': Flags.string({
      char: 'a',
      summary: "[VPC only] address's association ID (required)",
      helpValue: 'ASSOC',
    }),
  };
  static override examples = ['<%= command.id %> 192.168.17.103'];
  static override action = 'DisassociateAddress';
  static override route = { address: 'PublicIp', 'association-id': 'AssociationId' };

  protected override params(parsed: ParsedOf<typeof DisassociateAddress>) {
    const { args, flags } = parsed;
    if (args.address) {
      if (flags['association-id']) throw new UsageError('argument -a/--association-id: not allowed with an IP address');
      if (args.address.startsWith('eipassoc'))
        throw new UsageError('VPC elastic IP association IDs must be specified with -a/--association-id');
    } else if (!flags['association-id'])
      throw new UsageError('argument -a/--association-id or an IP address is required');
    return super.params(parsed);
  }

  protected print(_: unknown, { args, flags }: ParsedOf<typeof DisassociateAddress>) {
    this.out([record('ADDRESS', args.address || flags['association-id'])]);
  }
}
