import { UsageError } from '../../../shared/errors';
import { Flags } from '@oclif/core';
import * as path from 'node:path';
import { bundleImage, checkImageFile } from '../../../shared/bundle';
import { bundleFlags, bundleOptions, withBundleStatus } from '../../bundle/command-support';
import { bucketAndPrefix, bundleToWalrus } from '../../bundle-transfer';
import { bucketFlag, keptBundleFolder, streamedBundleFlags, uploadFlags, uploadTuning } from '../../bundle-flags';
import { ServiceCommand } from '../../command';
import { record } from '../../output';
import { QueryClient } from '../../query';
import { S3Client } from '../../s3';

export default class InstallImage extends ServiceCommand {
  static override summary = 'Bundle, upload and register an image in one step';
  static override description =
    'Does what euca-bundle-image, euca-upload-bundle and euca-register do, with no parts on disk, and prints ' +
    "the new image's ID.";
  static override service = 's3' as const;
  static override flags = {
    ...bundleFlags,
    bucket: bucketFlag,
    ...uploadFlags,
    ...streamedBundleFlags,
    'ec2-url': Flags.string({ summary: 'compute service endpoint URL, to register the image', helpValue: 'URL' }),
    'ec2-auth': Flags.string({ hidden: true, summary: 'euca2ools internal: an auth object' }),
    'ec2-service': Flags.string({ hidden: true, summary: 'euca2ools internal: a service object' }),
    name: Flags.string({ char: 'n', summary: 'name of the new image (default: the image file name)' }),
    description: Flags.string({ summary: 'description of the new image', helpValue: 'DESC' }),
    'virtualization-type': Flags.string({
      summary: '[Privileged] virtualization type for the new image',
      options: ['paravirtual', 'hvm'],
    }),
    platform: Flags.string({ summary: "[Privileged] the new image's platform", options: ['windows'] }),
  };
  static override examples = [
    '<%= command.id %> -i fedora.10.x86-64.img -b example_rf_bucket -n fedora10',
    '<%= command.id %> -i vmlinuz-2.6.28-11-server --kernel true -b kernels',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(InstallImage);
    for (const internal of ['ec2-auth', 'ec2-service'] as const)
      if (flags[internal] !== undefined)
        throw new UsageError(`argument --${internal}: is for programs that call euca2ools, not the command line`);
    const s3Endpoint = await this.endpoint(flags, 's3');
    const target = {
      ...bucketAndPrefix(flags.bucket),
      ...uploadTuning(flags, s3Endpoint.accessKeyId, flags['max-pending-parts']),
      location: flags.location,
      keepIn: keptBundleFolder(flags),
    };
    const opts = await bundleOptions(flags, this.commandName);
    const size = checkImageFile(opts.image, opts.imageType);
    const s3 = new S3Client(s3Endpoint);
    // -U names the object store here; the compute service is --ec2-url's (or configured).
    const ec2 = new QueryClient(await this.endpoint({ ...flags, url: flags['ec2-url'] }, 'ec2'));
    const prefix = opts.prefix ?? path.basename(opts.image);
    const key = await bundleToWalrus(
      s3,
      target,
      (onPart) => withBundleStatus(size, (hooks) => bundleImage({ ...opts, onPart, ...hooks })),
      prefix,
    );
    const result = await ec2.call('RegisterImage', {
      ImageLocation: `${target.bucket}/${key}`,
      Name: flags.name,
      Description: flags.description,
      Architecture: opts.architecture,
      VirtualizationType: flags['virtualization-type'],
      Platform: flags.platform,
    });
    this.out([record('IMAGE', result.imageId)]);
  }
}
