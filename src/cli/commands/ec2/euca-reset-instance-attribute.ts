import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';

const WHAT = ['kernel', 'ramdisk', 'source-dest-check'];

export default class ResetInstanceAttribute extends QueryCommand {
  static override summary = "Reset one of an instance's attributes to its image's value";
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override flags = {
    kernel: Flags.boolean({ summary: "reset the kernel to the image's", exactlyOne: WHAT }),
    ramdisk: Flags.boolean({ summary: "reset the ramdisk to the image's", exactlyOne: WHAT }),
    'source-dest-check': Flags.boolean({
      summary: '[VPC only] enable source/destination address checking',
      exactlyOne: WHAT,
    }),
  };
  static override examples = ['<%= command.id %> --kernel i-4DCF092C'];
  static override action = 'ResetInstanceAttribute';

  protected override params({ args, flags }: ParsedOf<typeof ResetInstanceAttribute>) {
    const attribute = flags.kernel ? 'kernel' : flags.ramdisk ? 'ramdisk' : 'sourceDestCheck';
    return { InstanceId: args.instance, Attribute: attribute };
  }

  protected print() {}
}
