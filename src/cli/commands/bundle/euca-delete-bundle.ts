import { Flags } from '@oclif/core';
import * as fs from 'node:fs';
import { deleteBundle } from '../../bundle-transfer';
import { bucketFlag, bundleNameFlags, localManifest, manifestKey } from '../../bundle-flags';
import { ServiceCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { S3Client } from '../../s3';

export default class DeleteBundle extends ServiceCommand {
  static override summary = 'Delete a bundle (its parts and manifest) from Walrus';
  static override description = 'With --clear, the bucket is deleted too once it is empty.';
  static override service = 's3' as const;
  static override tabular = false;
  static override flags = {
    bucket: bucketFlag,
    ...bundleNameFlags,
    clear: Flags.boolean({ summary: 'delete the bucket as well, if it is then empty' }),
  };
  static override examples = [
    '<%= command.id %> -b example_rf_bucket -p fedora.10.x86-64.img',
    '<%= command.id %> -b example_rf_bucket -p fedora.10.x86-64.img --clear',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(DeleteBundle);
    const { bucket, key } = manifestKey(flags.bucket, flags.manifest ?? flags['local-manifest'], flags.prefix);
    let text = localManifest(flags['local-manifest']);
    if (!text && flags.manifest && fs.existsSync(flags.manifest)) text = fs.readFileSync(flags.manifest, 'utf8');
    const s3 = new S3Client(await this.endpoint(flags));
    await deleteBundle(s3, bucket, key, text);
    if (flags.clear) {
      try {
        await s3.deleteBucket(bucket);
      } catch (e) {
        if (!(e instanceof CliError && e.code === 'BucketNotEmpty')) throw e;
        throw new CliError(
          'BucketNotEmpty',
          `the bundle is deleted, but bucket ${bucket} still holds other objects and was kept`,
        );
      }
    }
  }
}
