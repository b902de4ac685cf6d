import { Args, Flags } from '@oclif/core';
import { blockDeviceMapping } from '../../args';
import { type ParsedOf, QueryCommand } from '../../command';
import { instanceCount, launchNetwork, NETWORK_INTERFACE_FORM, userData } from '../../instance-args';
import { reservationLines } from '../../printers/instances';
import { type XmlNode } from '../../xml';

export default class RunInstances extends QueryCommand {
  static override summary = 'Launch instances of a machine image';
  static override args = { image: Args.string({ description: 'ID of the image to instantiate', required: true }) };
  static override flags = {
    'instance-count': Flags.string({
      char: 'n',
      summary: 'number of instances to launch, or MIN-MAX: at least MIN or none',
      helpValue: 'MIN[-MAX]',
      default: '1',
    }),
    group: Flags.string({
      char: 'g',
      summary: 'security group to launch the instances in (name or sg- id)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    key: Flags.string({ char: 'k', summary: 'name of the key pair to use', helpValue: 'KEYPAIR' }),
    'user-data': Flags.string({
      char: 'd',
      summary: 'user data for the instances',
      helpValue: 'DATA',
      exclusive: ['user-data-file', 'user-data-force'],
    }),
    'user-data-force': Flags.string({
      summary: 'as -d, even when a file has that name',
      helpValue: 'DATA',
      exclusive: ['user-data-file'],
    }),
    'user-data-file': Flags.string({
      char: 'f',
      summary: 'file holding user data for the instances',
      helpValue: 'FILE',
    }),
    addressing: Flags.string({
      summary: '[Eucalyptus] "private" runs the instances with no public address',
      options: ['public', 'private'],
    }),
    'instance-type': Flags.string({
      char: 't',
      summary: 'type of instance to launch (default m1.small)',
      helpValue: 'TYPE',
    }),
    'availability-zone': Flags.string({ char: 'z', summary: 'availability zone to launch in', helpValue: 'ZONE' }),
    kernel: Flags.string({ summary: 'ID of the kernel to launch the instances with', helpValue: 'KERNEL' }),
    ramdisk: Flags.string({ summary: 'ID of the ramdisk to launch the instances with', helpValue: 'RAMDISK' }),
    'block-device-mapping': Flags.string({
      char: 'b',
      summary: 'block device mapping: DEVICE=none|ephemeral(0-3)|[SNAP-ID]:[GiB]:[true|false]',
      helpValue: 'DEVICE=MAPPED',
      multiple: true,
      multipleNonGreedy: true,
    }),
    monitor: Flags.boolean({ char: 'm', summary: 'enable detailed monitoring for the instances' }),
    'disable-api-termination': Flags.boolean({ summary: 'prevent API users from terminating the instances' }),
    'instance-initiated-shutdown-behavior': Flags.string({
      summary: 'whether to "stop" (default) or "terminate" EBS instances when they shut down',
      options: ['stop', 'terminate'],
    }),
    'placement-group': Flags.string({ summary: 'name of a placement group to launch into', helpValue: 'PLGROUP' }),
    tenancy: Flags.string({
      summary: '[VPC only] "dedicated" to run on single-tenant hardware',
      options: ['default', 'dedicated'],
    }),
    'client-token': Flags.string({ summary: 'unique identifier to ensure request idempotency', helpValue: 'TOKEN' }),
    subnet: Flags.string({
      char: 's',
      summary: "[VPC only] subnet to create the instance's network interface in",
      helpValue: 'SUBNET',
    }),
    'associate-public-ip-address': Flags.string({
      summary: "[VPC only] whether to give the instance's network interface a public address (true or false)",
      helpValue: 'BOOL',
    }),
    'private-ip-address': Flags.string({
      summary: "[VPC only] a specific primary private IP address for the instance's interface",
      helpValue: 'ADDRESS',
    }),
    'secondary-address': Flags.string({
      aliases: ['secondary-private-ip-address'],
      summary: "[VPC only] a specific secondary private IP address for the instance's interface (repeatable)",
      helpValue: 'ADDRESS',
      multiple: true,
      multipleNonGreedy: true,
      exclusive: ['secondary-count'],
    }),
    'secondary-count': Flags.integer({
      aliases: ['secondary-private-ip-address-count'],
      summary: "[VPC only] how many secondary private IP addresses to give the instance's interface",
      helpValue: 'COUNT',
    }),
    'network-interface': Flags.string({
      char: 'a',
      summary: `[VPC only] a network interface for the new instance (repeatable): "eni-NNNNNNNN:INDEX" or ${NETWORK_INTERFACE_FORM}`,
      helpValue: 'INTERFACE',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'iam-profile': Flags.string({
      char: 'p',
      summary: 'name or ARN of the IAM instance profile to associate with the new instances',
      helpValue: 'IPROFILE',
    }),
    'ebs-optimized': Flags.boolean({ summary: 'optimize the new instances for EBS I/O' }),
  };
  static override examples = [
    '<%= command.id %> emi-EC1410C1 -k mykey',
    '<%= command.id %> -n 2 -t m1.large -g webservers emi-EC1410C1',
    '<%= command.id %> --kernel eki-822C1344 --ramdisk eri-A98C13E4 emi-EC1410C1',
  ];
  static override action = 'RunInstances';

  protected override params({ args, flags }: ParsedOf<typeof RunInstances>) {
    return {
      ImageId: args.image,
      ...instanceCount(flags['instance-count']),
      KeyName: flags.key,
      ...launchNetwork(flags),
      UserData: userData(flags['user-data'], flags['user-data-force'], flags['user-data-file']),
      AddressingType: flags.addressing,
      InstanceType: flags['instance-type'],
      Placement: {
        AvailabilityZone: flags['availability-zone'],
        GroupName: flags['placement-group'],
        Tenancy: flags.tenancy,
      },
      KernelId: flags.kernel,
      RamdiskId: flags.ramdisk,
      BlockDeviceMapping: (flags['block-device-mapping'] ?? []).map(blockDeviceMapping),
      Monitoring: flags.monitor ? { Enabled: true } : undefined,
      DisableApiTermination: flags['disable-api-termination'] || undefined,
      InstanceInitiatedShutdownBehavior: flags['instance-initiated-shutdown-behavior'],
      ClientToken: flags['client-token'],
      IamInstanceProfile: flags['iam-profile']
        ? flags['iam-profile'].startsWith('arn:')
          ? { Arn: flags['iam-profile'] }
          : { Name: flags['iam-profile'] }
        : undefined,
      EbsOptimized: flags['ebs-optimized'] ? 'true' : undefined,
    };
  }

  protected print(result: XmlNode) {
    this.out(reservationLines(result));
  }
}
