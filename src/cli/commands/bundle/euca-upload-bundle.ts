import { Flags } from '@oclif/core';
import { bucketAndPrefix, uploadBundle } from '../../bundle-transfer';
import { bucketFlag, uploadFlags } from '../../bundle-flags';
import { ServiceCommand } from '../../command';
import { S3Client } from '../../s3';

export default class UploadBundle extends ServiceCommand {
  static override summary = 'Upload a bundle prepared by euca-bundle-image to Walrus';
  static override description =
    'Creates the bucket if needed, uploads the parts in parallel (retrying failed ones) and the manifest ' +
    'last, readable by the cloud (aws-exec-read) unless --acl says otherwise.';
  static override service = 's3' as const;
  static override flags = {
    bucket: bucketFlag,
    manifest: Flags.string({ char: 'm', required: true, summary: "the bundle's manifest file", helpValue: 'FILE' }),
    directory: Flags.string({
      char: 'd',
      summary: "folder holding the bundle's parts (default: the manifest's folder)",
      helpValue: 'DIR',
    }),
    skipmanifest: Flags.boolean({ summary: 'upload the parts only' }),
    ...uploadFlags,
  };
  static override examples = ['<%= command.id %> -b example_rf_bucket -m /tmp/fedora.10.x86-64.img.manifest.xml'];

  async run(): Promise<void> {
    const { flags } = await this.parse(UploadBundle);
    const { bucket, keyPrefix } = bucketAndPrefix(flags.bucket);
    const s3 = new S3Client(await this.endpoint(flags));
    const key = await uploadBundle(s3, {
      bucket,
      keyPrefix,
      manifestPath: flags.manifest,
      partsDir: flags.directory,
      acl: flags.acl,
      location: flags.location,
      skipManifest: flags.skipmanifest,
    });
    this.out([`Uploaded image as ${bucket}/${key}`]);
  }
}
