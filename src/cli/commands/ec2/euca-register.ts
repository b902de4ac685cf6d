import { Args, Flags } from '@oclif/core';
import { blockDeviceMapping } from '../../args';
import { type ParsedOf, QueryCommand } from '../../command';
import { UsageError } from '../../../shared/errors';
import { type Params } from '../../query';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class Register extends QueryCommand {
  static override summary = 'Register a new image';
  static override description =
    "MANIFEST is the bundle's location in Walrus, BUCKET/PREFIX.manifest.xml, as euca-upload-bundle printed " +
    "it. The cloud checks the bundle's signature, decrypts it in the background and shows the image " +
    '"pending" until it is "available".';
  static override args = {
    manifest: Args.string({
      description: 'location of the image manifest in Walrus (required for instance-store images)',
    }),
  };
  static override flags = {
    name: Flags.string({ char: 'n', summary: 'name of the new image (default: from the manifest location)' }),
    description: Flags.string({ char: 'd', summary: 'description of the new image' }),
    architecture: Flags.string({
      char: 'a',
      summary: 'CPU architecture of the new image',
      options: ['i386', 'x86_64', 'armhf'],
    }),
    kernel: Flags.string({ summary: 'ID of the kernel to associate with the new image', helpValue: 'KERNEL' }),
    ramdisk: Flags.string({ summary: 'ID of the ramdisk to associate with the new image', helpValue: 'RAMDISK' }),
    'root-device-name': Flags.string({ summary: 'root device name (default: /dev/sda1)', helpValue: 'DEVICE' }),
    snapshot: Flags.string({ char: 's', summary: 'snapshot to use for the root device', helpValue: 'SNAPSHOT' }),
    'block-device-mapping': Flags.string({
      char: 'b',
      summary: 'define a block device mapping: DEVICE=none|ephemeral(0-3)|[SNAP-ID]:[SIZE]:[true|false]',
      helpValue: 'DEVICE=MAPPED',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'virtualization-type': Flags.string({
      summary: '[Privileged] virtualization type for the new image',
      options: ['paravirtual', 'hvm'],
    }),
    platform: Flags.string({ summary: "[Privileged] the new image's platform", options: ['windows'] }),
  };
  static override examples = [
    '<%= command.id %> mybucket/centos.5-3.x86.img.manifest.xml',
    '<%= command.id %> -n my-kernel kernels/vmlinuz-2.6.28-11-server.manifest.xml',
  ];
  static override action = 'RegisterImage';

  protected override params({ args, flags }: ParsedOf<typeof Register>) {
    const mappings: Params[] = (flags['block-device-mapping'] ?? []).map(blockDeviceMapping);
    let root: string | undefined = flags['root-device-name'];
    if (args.manifest) {
      if (flags.snapshot) throw new UsageError('argument --snapshot: not allowed with argument MANIFEST');
    } else {
      root ??= '/dev/sda1';
      const rootMapping = mappings.find((m) => m.DeviceName === root);
      if (!rootMapping && !flags.snapshot)
        throw new UsageError('either a manifest location or a root device snapshot mapping must be specified');
      if (!rootMapping) mappings.push({ DeviceName: root, Ebs: { SnapshotId: flags.snapshot } });
    }
    return {
      ImageLocation: args.manifest,
      Name: flags.name,
      Description: flags.description,
      Architecture: flags.architecture,
      KernelId: flags.kernel,
      RamdiskId: flags.ramdisk,
      RootDeviceName: root,
      BlockDeviceMapping: mappings,
      VirtualizationType: flags['virtualization-type'],
      Platform: flags.platform,
    };
  }

  protected print(result: XmlNode) {
    this.out([record('IMAGE', result.imageId)]);
  }
}
