import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { userData } from '../../instance-args';
import { type Params } from '../../query';
import { UsageError } from '../../../shared/errors';

const WHAT = [
  'block-device-mapping',
  'ebs-optimized',
  'group-id',
  'source-dest-check',
  'sriov',
  'instance-type',
  'kernel',
  'ramdisk',
  'user-data',
  'user-data-file',
  'disable-api-termination',
  'instance-initiated-shutdown-behavior',
];

/** `DEVICE=::true|false`: whether the volume at DEVICE goes when the instance terminates. */
function deleteOnTermination(text: string): Params {
  const m = /^([^=]+)=::(true|false)$/.exec(text);
  if (!m)
    throw new UsageError(
      `argument -b/--block-device-mapping: "${text}" must have the form DEVICE=::true or DEVICE=::false`,
    );
  return { DeviceName: m[1], Ebs: { DeleteOnTermination: m[2] } };
}

export default class ModifyInstanceAttribute extends QueryCommand {
  static override summary = 'Change one of the attributes of an instance';
  static override description =
    'Type, kernel, ramdisk and user data can change only while the instance is stopped. --user-data is sent as ' +
    'given, so it must be base64-encoded already (as euca2ools takes it); --user-data-file encodes the file.';
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override flags = {
    'block-device-mapping': Flags.string({
      char: 'b',
      summary: "change whether a volume attached to the instance will be deleted upon the instance's termination",
      helpValue: 'DEVICE=::(true|false)',
      multiple: true,
      multipleNonGreedy: true,
      exactlyOne: WHAT,
    }),
    'ebs-optimized': Flags.string({
      summary: 'change whether the instance is optimized for EBS I/O',
      options: ['true', 'false'],
      exactlyOne: WHAT,
    }),
    'group-id': Flags.string({
      char: 'g',
      summary: '[VPC only] change the security groups the instance is in',
      helpValue: 'GROUP',
      multiple: true,
      multipleNonGreedy: true,
      exactlyOne: WHAT,
    }),
    'source-dest-check': Flags.string({
      summary: '[VPC only] change whether source/destination address checking is enabled',
      options: ['true', 'false'],
      exactlyOne: WHAT,
    }),
    sriov: Flags.string({
      summary: 'enable enhanced networking for the instance and its descendants',
      options: ['simple'],
      helpValue: 'simple',
      exactlyOne: WHAT,
    }),
    'instance-type': Flags.string({
      char: 't',
      summary: 'change the instance type',
      helpValue: 'TYPE',
      exactlyOne: WHAT,
    }),
    kernel: Flags.string({ summary: 'change the kernel', helpValue: 'KERNEL', exactlyOne: WHAT }),
    ramdisk: Flags.string({ summary: 'change the ramdisk', helpValue: 'RAMDISK', exactlyOne: WHAT }),
    'user-data': Flags.string({
      summary: 'change the user data (base64-encoded)',
      helpValue: 'DATA',
      exactlyOne: WHAT,
    }),
    'user-data-file': Flags.string({
      summary: "change the user data to a file's contents",
      helpValue: 'FILE',
      exactlyOne: WHAT,
    }),
    'disable-api-termination': Flags.string({
      summary: 'whether the API may not terminate the instance',
      options: ['true', 'false'],
      exactlyOne: WHAT,
    }),
    'instance-initiated-shutdown-behavior': Flags.string({
      summary: 'what the instance does when it shuts itself down',
      options: ['stop', 'terminate'],
      exactlyOne: WHAT,
    }),
  };
  static override examples = ['<%= command.id %> -t m1.large i-4DCF092C'];
  static override action = 'ModifyInstanceAttribute';

  protected override params({ args, flags }: ParsedOf<typeof ModifyInstanceAttribute>) {
    const value = (v: string | undefined) => (v === undefined ? undefined : { Value: v });
    return {
      InstanceId: args.instance,
      InstanceType: value(flags['instance-type']),
      Kernel: value(flags.kernel),
      Ramdisk: value(flags.ramdisk),
      UserData: value(flags['user-data'] ?? userData(undefined, undefined, flags['user-data-file'])),
      DisableApiTermination: value(flags['disable-api-termination']),
      InstanceInitiatedShutdownBehavior: value(flags['instance-initiated-shutdown-behavior']),
      EbsOptimized: value(flags['ebs-optimized']),
      SourceDestCheck: value(flags['source-dest-check']),
      SriovNetSupport: value(flags.sriov),
      GroupId: flags['group-id'],
      BlockDeviceMapping: flags['block-device-mapping']?.map(deleteOnTermination),
    };
  }

  protected print() {}
}
