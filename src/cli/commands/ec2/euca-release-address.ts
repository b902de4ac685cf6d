import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class ReleaseAddress extends QueryCommand {
  static override summary = 'Release an elastic IP address';
  static override description = 'The address goes back to the cloud’s pool; disassociate it from its instance first.';
  static override args = { address: Args.string({ description: 'address to release', required: true }) };
  static override examples = ['<%= command.id %> 192.168.17.103'];
  static override action = 'ReleaseAddress';

  static override route = {
    address: 'PublicIp',
  };

  protected print(_: unknown, { args }: ParsedOf<typeof ReleaseAddress>) {
    this.out([record('ADDRESS', args.address)]);
  }
}
