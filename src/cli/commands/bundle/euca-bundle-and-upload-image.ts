import * as path from 'node:path';
import { bundleImage, checkImageFile } from '../../../shared/bundle';
import { bundleFlags, bundleOptions, withBundleStatus } from '../../bundle/command-support';
import { bucketAndPrefix, bundleToWalrus } from '../../bundle-transfer';
import { bucketFlag, keptBundleFolder, streamedBundleFlags, uploadFlags, uploadTuning } from '../../bundle-flags';
import { ServiceCommand } from '../../command';
import { S3Client } from '../../s3';

export default class BundleAndUploadImage extends ServiceCommand {
  static override summary = 'Bundle an image and upload it to Walrus in one step, with no parts on disk';
  static override service = 's3' as const;
  static override tabular = false;
  static override flags = { ...bundleFlags, bucket: bucketFlag, ...uploadFlags, ...streamedBundleFlags };
  static override examples = ['<%= command.id %> -i fedora.10.x86-64.img -b example_rf_bucket'];

  async run(): Promise<void> {
    const { flags } = await this.parse(BundleAndUploadImage);
    const endpoint = await this.endpoint(flags);
    const target = {
      ...bucketAndPrefix(flags.bucket),
      ...uploadTuning(flags, endpoint.accessKeyId, flags['max-pending-parts']),
      location: flags.location,
      keepIn: keptBundleFolder(flags),
    };
    const opts = await bundleOptions(flags, this.commandName);
    const size = checkImageFile(opts.image, opts.imageType);
    const s3 = new S3Client(endpoint);
    const prefix = opts.prefix ?? path.basename(opts.image);
    const key = await bundleToWalrus(
      s3,
      target,
      (onPart) => withBundleStatus(size, (hooks) => bundleImage({ ...opts, onPart, ...hooks })),
      prefix,
    );
    this.out([`Uploaded image as ${target.bucket}/${key}`]);
  }
}
