import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

const ATTRIBUTES = ['launch-permission', 'product-codes', 'block-device-mapping', 'kernel', 'ramdisk', 'description'];
const which = (summary: string, char?: 'l' | 'p' | 'B') => Flags.boolean({ char, summary, exactlyOne: ATTRIBUTES });

export default class DescribeImageAttribute extends QueryCommand {
  static override summary = 'Show information about an attribute of an image';
  static override args = { image: Args.string({ description: 'image to describe', required: true }) };
  static override flags = {
    'launch-permission': which('display launch permissions', 'l'),
    'product-codes': which('list associated product codes', 'p'),
    'block-device-mapping': which('describe block device mappings', 'B'),
    kernel: which('show associated kernel image ID'),
    ramdisk: which('show associated ramdisk image ID'),
    description: which("show the image's description"),
  };
  static override examples = ['<%= command.id %> -l emi-EC1410C1', '<%= command.id %> --kernel emi-EC1410C1'];
  static override action = 'DescribeImageAttribute';

  protected override params({ args, flags }: ParsedOf<typeof DescribeImageAttribute>) {
    const name = ATTRIBUTES.find((a) => flags[a as keyof typeof flags])!;
    return { ImageId: args.image, Attribute: name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) };
  }

  protected print(r: XmlNode) {
    const id = r.imageId;
    const lines: string[] = [];
    for (const p of listOf(r, 'launchPermission'))
      for (const [type, name] of Object.entries(p)) lines.push(record('launchPermission', id, type, name as string));
    for (const c of listOf(r, 'productCodes'))
      lines.push(record('productCodes', id, 'productCode', c.type ? `[${c.type}: ${c.productCode}]` : c.productCode));
    for (const m of listOf(r, 'blockDeviceMapping'))
      lines.push(
        record(
          'blockDeviceMapping',
          id,
          'blockDeviceMap',
          // A mapping with no source (`none`) reads "None", as euca2ools prints it.
          `${m.deviceName}: ${m.virtualName || m.ebs?.snapshotId || 'None'}`,
        ),
      );
    for (const a of ['kernel', 'ramdisk', 'description'] as const)
      if (r[a]?.value !== undefined) lines.push(record(a, id, '', r[a].value));
    this.out(lines);
  }
}
