import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class DisassociateAddress extends QueryCommand {
  static override summary = 'Disassociate an elastic IP address from an instance';
  static override args = {
    address: Args.string({ description: 'elastic IP address to disassociate', required: true }),
  };
  static override examples = ['<%= command.id %> 192.168.17.103'];
  static override action = 'DisassociateAddress';

  static override route = {
    address: 'PublicIp',
  };

  protected print(_: unknown, { args }: ParsedOf<typeof DisassociateAddress>) {
    this.out([record('ADDRESS', args.address)]);
  }
}
