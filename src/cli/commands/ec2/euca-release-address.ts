import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';
import { addressOrAllocation } from '../../address-args';

export default class ReleaseAddress extends QueryCommand {
  static override summary = 'Release an elastic IP address';
  static override description = 'The address goes back to the cloud’s pool; disassociate it from its instance first.';
  static override args = { address: Args.string({ description: '[Non-VPC only] address to release (required)' }) };
  static override flags = {
    'allocation-id': Flags.string({
      char: 'a',
      summary: '[VPC only] allocation ID for the address to release (required)',
      helpValue: 'ALLOC',
    }),
  };
  static override examples = ['<%= command.id %> 192.168.17.103'];
  static override action = 'ReleaseAddress';
  static override route = { address: 'PublicIp', 'allocation-id': 'AllocationId' };

  protected override params(parsed: ParsedOf<typeof ReleaseAddress>) {
    const { args, flags } = parsed;
    addressOrAllocation(args.address, flags['allocation-id']);
    return super.params(parsed);
  }

  protected print(_: unknown, { args, flags }: ParsedOf<typeof ReleaseAddress>) {
    this.out([record('ADDRESS', args.address, flags['allocation-id'])]);
  }
}
