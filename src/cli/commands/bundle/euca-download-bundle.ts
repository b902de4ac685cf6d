import { Flags } from '@oclif/core';
import { downloadBundle } from '../../bundle-transfer';
import { bucketFlag, bundleNameFlags, localManifest, manifestKey } from '../../bundle-flags';
import { ServiceCommand } from '../../command';
import { progressFlags } from '../../progress';
import { S3Client } from '../../s3';

export default class DownloadBundle extends ServiceCommand {
  static override summary = 'Download a bundle from Walrus';
  static override service = 's3' as const;
  static override tabular = false;
  static override flags = {
    bucket: bucketFlag,
    ...bundleNameFlags,
    ...progressFlags,
    directory: Flags.string({
      char: 'd',
      summary: 'where to write the bundle (default: the current folder)',
      helpValue: 'DIR',
    }),
  };
  static override examples = ['<%= command.id %> -b example_rf_bucket -p fedora.10.x86-64.img -d bundles'];

  async run(): Promise<void> {
    const { flags } = await this.parse(DownloadBundle);
    const { bucket, key } = manifestKey(flags.bucket, flags.manifest ?? flags['local-manifest'], flags.prefix);
    const s3 = new S3Client(await this.endpoint(flags));
    this.out([
      `Wrote ${await downloadBundle(s3, bucket, key, flags.directory ?? '.', localManifest(flags['local-manifest']))}`,
    ]);
  }
}
