import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { userData } from '../../instance-args';

const WHAT = [
  'instance-type',
  'kernel',
  'ramdisk',
  'user-data',
  'user-data-file',
  'disable-api-termination',
  'instance-initiated-shutdown-behavior',
];

export default class ModifyInstanceAttribute extends QueryCommand {
  static override summary = 'Change one of the attributes of an instance';
  static override description = 'Type, kernel, ramdisk and user data can change only while the instance is stopped.';
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override flags = {
    'instance-type': Flags.string({
      char: 't',
      summary: 'change the instance type',
      helpValue: 'TYPE',
      exactlyOne: WHAT,
    }),
    kernel: Flags.string({ summary: 'change the kernel', helpValue: 'KERNEL', exactlyOne: WHAT }),
    ramdisk: Flags.string({ summary: 'change the ramdisk', helpValue: 'RAMDISK', exactlyOne: WHAT }),
    'user-data': Flags.string({ summary: 'change the user data', helpValue: 'DATA', exactlyOne: WHAT }),
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
      UserData: value(userData(flags['user-data'], undefined, flags['user-data-file'])),
      DisableApiTermination: value(flags['disable-api-termination']),
      InstanceInitiatedShutdownBehavior: value(flags['instance-initiated-shutdown-behavior']),
    };
  }

  protected print() {}
}
