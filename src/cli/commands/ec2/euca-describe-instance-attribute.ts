import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

/** Each flag asks for one attribute; the value is the attribute's Query name. */
const ATTRIBUTES: Record<string, [string, string, ('t' | 'b' | 'g' | 'p')?]> = {
  'instance-type': ['instanceType', 'the instance type', 't'],
  kernel: ['kernel', 'the ID of its kernel'],
  ramdisk: ['ramdisk', 'the ID of its ramdisk'],
  'user-data': ['userData', 'its user data'],
  'disable-api-termination': ['disableApiTermination', 'whether the API may terminate it'],
  'instance-initiated-shutdown-behavior': [
    'instanceInitiatedShutdownBehavior',
    'what it does when it shuts itself down',
  ],
  'root-device-name': ['rootDeviceName', 'the name of its root device'],
  'block-device-mapping': ['blockDeviceMapping', 'its block devices', 'b'],
  'group-id': ['groupSet', 'its security groups', 'g'],
  'product-code': ['productCodes', 'its product codes', 'p'],
  'ebs-optimized': ['ebsOptimized', 'whether it is optimized for EBS'],
  'source-dest-check': ['sourceDestCheck', '[VPC only] whether source/destination checking is enabled'],
};
const NAMES = Object.keys(ATTRIBUTES);

export default class DescribeInstanceAttribute extends QueryCommand {
  static override summary = 'Show one of the attributes of an instance';
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override flags = Object.fromEntries(
    Object.entries(ATTRIBUTES).map(([flag, [, what, char]]) => [
      flag,
      Flags.boolean({ char, summary: `show ${what}`, exactlyOne: NAMES }),
    ]),
  );
  static override examples = ['<%= command.id %> -t i-4DCF092C', '<%= command.id %> --kernel i-4DCF092C'];
  static override action = 'DescribeInstanceAttribute';

  protected override params({ args, flags }: ParsedOf<typeof DescribeInstanceAttribute>) {
    return { InstanceId: args.instance, Attribute: ATTRIBUTES[NAMES.find((n) => flags[n])!][0] };
  }

  /**
   * As euca2ools prints it: block devices as BLOCKDEVICE lines; groups and product codes on one
   * line, joined by ", "; user data on the lines after its heading (an empty field when none);
   * any other attribute as `name instance value`.
   */
  protected print(r: XmlNode, { flags }: ParsedOf<typeof DescribeInstanceAttribute>) {
    const id = r.instanceId;
    const name = ATTRIBUTES[NAMES.find((n) => flags[n])!][0];
    const lines: string[] = [];
    if (name === 'blockDeviceMapping')
      for (const b of listOf(r, 'blockDeviceMapping'))
        lines.push(record('BLOCKDEVICE', b.deviceName, b.ebs?.volumeId, b.ebs?.attachTime, b.ebs?.deleteOnTermination));
    else if (name === 'groupSet')
      lines.push(
        record(
          'groupSet',
          id,
          listOf(r, 'groupSet')
            .map((g) => g.groupId || g.groupName)
            .join(', '),
        ),
      );
    else if (name === 'productCodes')
      lines.push(
        record(
          'productCodes',
          id,
          listOf(r, 'productCodes')
            .map((c) => c.productCode)
            .join(', '),
        ),
      );
    else if (name === 'userData') {
      const data = r.userData?.value ? Buffer.from(String(r.userData.value), 'base64').toString('utf8') : '';
      if (data) lines.push(record('userData', id), data);
      else lines.push(record('userData', id, undefined));
    } else lines.push(record(name, id, r[name]?.value));
    this.out(lines);
  }
}
