import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';
import { type XmlNode } from '../../xml';
import { addressOrAllocation } from '../../address-args';

export default class AssociateAddress extends QueryCommand {
  static override summary = 'Associate an elastic IP address with a running instance';
  static override description =
    'Prints ADDRESS address instance; with a VPC allocation ID, ADDRESS instance allocation-id ' +
    'association-id private-address.';
  static override args = { address: Args.string({ description: '[Non-VPC only] IP address to associate (required)' }) };
  static override flags = {
    'allocation-id': Flags.string({
      char: 'a',
      summary: '[VPC only] VPC allocation ID (required)',
      helpValue: 'ALLOC',
    }),
    'instance-id': Flags.string({
      char: 'i',
      summary: 'ID of the instance to associate the address with',
      helpValue: 'INSTANCE',
      exactlyOne: ['instance-id', 'network-interface'],
    }),
    'network-interface': Flags.string({
      char: 'n',
      summary: '[VPC only] network interface to associate the address with',
      helpValue: 'INTERFACE',
    }),
    'private-ip-address': Flags.string({
      char: 'p',
      summary: '[VPC only] the private address to associate the address with (default: primary private IP)',
      helpValue: 'ADDRESS',
    }),
    'allow-reassociation': Flags.boolean({
      summary: '[VPC only] allow the address to be associated even if it is associated already',
      exclusive: ['no-allow-reassociation'],
    }),
    'no-allow-reassociation': Flags.boolean({
      summary: '[VPC only] do not allow the address to be associated if it is associated already',
    }),
  };
  static override examples = ['<%= command.id %> -i i-56785678 192.168.17.103'];
  static override action = 'AssociateAddress';

  protected override params({ args, flags }: ParsedOf<typeof AssociateAddress>) {
    addressOrAllocation(args.address, flags['allocation-id']);
    const allocation = args.address?.startsWith('eipalloc-') ? args.address : flags['allocation-id'];
    const reassociate = flags['allow-reassociation'] ? 'true' : flags['no-allow-reassociation'] ? 'false' : undefined;
    return {
      PublicIp: allocation ? undefined : args.address,
      AllocationId: allocation,
      InstanceId: flags['instance-id'],
      NetworkInterfaceId: flags['network-interface'],
      PrivateIpAddress: flags['private-ip-address'],
      AllowReassociation: reassociate,
    };
  }

  protected print(result: XmlNode, { args, flags }: ParsedOf<typeof AssociateAddress>) {
    this.out([
      flags['allocation-id']
        ? record(
            'ADDRESS',
            flags['instance-id'],
            flags['allocation-id'],
            result.associationId,
            flags['private-ip-address'],
          )
        : record('ADDRESS', args.address, flags['instance-id']),
    ]);
  }
}
