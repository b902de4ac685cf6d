import { Flags } from '@oclif/core';
import { bucketAndPrefix, uploadBundle } from '../../bundle-transfer';
import { bucketFlag, uploadFlags, uploadTuning } from '../../bundle-flags';
import { progressFlags } from '../../progress';
import { ServiceCommand } from '../../command';
import { S3Client } from '../../s3';

export default class UploadBundle extends ServiceCommand {
  static override summary = 'Upload a bundle prepared by euca-bundle-image to Walrus';
  static override description =
    'Creates the bucket if needed, uploads the parts in parallel (retrying failed ones) and the manifest ' +
    'last, readable by the cloud (aws-exec-read) unless --acl says otherwise.';
  static override service = 's3' as const;
  static override tabular = false;
  static override flags = {
    bucket: bucketFlag,
    manifest: Flags.string({ char: 'm', required: true, summary: "the bundle's manifest file", helpValue: 'FILE' }),
    directory: Flags.string({
      char: 'd',
      summary: "folder holding the bundle's parts (default: the manifest's folder)",
      helpValue: 'DIR',
    }),
    skipmanifest: Flags.boolean({ summary: 'upload the parts only' }),
    part: Flags.integer({
      summary: 'upload from this part on (parts count from 0), to resume an upload',
      helpValue: 'INT',
      min: 0,
    }),
    ...uploadFlags,
    ...progressFlags,
  };
  static override examples = ['<%= command.id %> -b example_rf_bucket -m /tmp/fedora.10.x86-64.img.manifest.xml'];

  async run(): Promise<void> {
    const { flags } = await this.parse(UploadBundle);
    const { bucket, keyPrefix } = bucketAndPrefix(flags.bucket);
    const endpoint = await this.endpoint(flags);
    const key = await uploadBundle(new S3Client(endpoint), {
      ...uploadTuning(flags, endpoint.accessKeyId),
      bucket,
      keyPrefix,
      manifestPath: flags.manifest,
      partsDir: flags.directory,
      location: flags.location,
      skipManifest: flags.skipmanifest,
      fromPart: flags.part,
    });
    this.out([`Uploaded image as ${bucket}/${key}`]);
  }
}
