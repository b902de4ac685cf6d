import * as fs from 'node:fs';
import * as path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { ensureBucket } from '../../bundle-transfer';
import { type ParsedOf, ServiceCommand } from '../../command';
import { CliError, UsageError } from '../../../shared/errors';
import { parseSize } from '../../bundle/command-support';
import { conversionTaskLines } from '../../printers/volumes';
import { progressBar, progressFlags } from '../../progress';
import { QueryClient } from '../../query';
import { S3Client } from '../../s3';

export default class ImportVolume extends ServiceCommand {
  static override summary = 'Import a raw disk image into a new volume';
  static override description =
    'Uploads FILE to the bucket (showing progress), then has the cloud create a volume in the zone holding ' +
    'exactly its bytes, as a conversion task: euca-describe-conversion-tasks follows it, ' +
    "euca-cancel-conversion-task stops it. The volume is the image's size rounded up to whole GiB unless -s says more.";
  /** -s is the volume size here, as in euca2ools; the secret key keeps -S and --secret-key. */
  static override args = {
    file: Args.string({ description: 'file containing the disk image to import', required: true }),
  };
  static override flags = {
    format: Flags.string({
      char: 'f',
      summary: "the image's format: raw (required)",
      helpValue: 'FORMAT',
      required: true,
    }),
    zone: Flags.string({
      char: 'z',
      aliases: ['availability-zone'],
      summary: 'the zone in which to create the volume (required)',
      helpValue: 'ZONE',
      required: true,
    }),
    bucket: Flags.string({
      char: 'b',
      summary: 'the bucket to upload the image to (this or --manifest-url is required)',
      helpValue: 'BUCKET',
      exactlyOne: ['bucket', 'manifest-url'],
    }),
    'manifest-url': Flags.string({
      summary: 'the image already uploaded, as the URL (or /bucket/key path) the cloud reads it from',
      helpValue: 'URL',
    }),
    'volume-size': Flags.integer({ char: 's', summary: 'size of the volume to import to, in GiB', helpValue: 'GiB' }),
    'image-size': Flags.string({
      summary: "the image's size in bytes (checked against the file; required with --manifest-url for no file)",
      helpValue: 'BYTES',
    }),
    prefix: Flags.string({ summary: "a prefix for the uploaded object's name", helpValue: 'PREFIX' }),
    description: Flags.string({ char: 'd', summary: 'a description for the import task', helpValue: 'DESC' }),
    expires: Flags.integer({
      char: 'x',
      summary: 'days the import manifest stays valid (default 30; the cloud reads the object as you, so it has no end)',
      helpValue: 'DAYS',
      min: 1,
      default: 30,
    }),
    'no-upload': Flags.boolean({ summary: 'start the import, but do not upload the image (it must be there already)' }),
    'dry-run': Flags.boolean({ summary: 'check the arguments and the file, then stop without acting' }),
    'ignore-region-affinity': Flags.boolean({ hidden: true, summary: 'no effect (as in euca2ools)' }),
    'dont-verify-format': Flags.boolean({ hidden: true, summary: 'no effect (as in euca2ools)' }),
    's3-url': Flags.string({ summary: 'object storage service endpoint URL', helpValue: 'URL' }),
    'owner-akid': Flags.string({
      char: 'o',
      summary: 'access key for the object storage service (default: the same as for the compute service)',
      helpValue: 'KEY_ID',
    }),
    'owner-sak': Flags.string({
      char: 'w',
      summary: 'secret key for the object storage service (default: the same as for the compute service)',
      helpValue: 'KEY',
    }),
    's3-service': Flags.string({ hidden: true, summary: 'euca2ools internal: a service object' }),
    's3-auth': Flags.string({ hidden: true, summary: 'euca2ools internal: an auth object' }),
    ...progressFlags,
  };
  static override examples = ['<%= command.id %> disk.img -f raw -z cluster01 -b imports'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImportVolume);
    for (const internal of ['s3-service', 's3-auth'] as const)
      if (flags[internal] !== undefined)
        throw new UsageError(`argument --${internal}: is for programs that call euca2ools, not the command line`);
    if (flags['owner-akid'] !== undefined && flags['owner-sak'] === undefined)
      throw new UsageError('argument -o/--owner-akid also requires -w/--owner-sak');
    if (flags.format.toLowerCase() !== 'raw')
      throw new CliError('InvalidParameterValue', `format ${flags.format} is not supported: import a raw disk image`);
    const declared = parseSize('--image-size', flags['image-size']);
    let size: number;
    try {
      size = fs.statSync(args.file).size;
    } catch (e) {
      throw new CliError('FileNotFound', `cannot read ${args.file}: ${(e as NodeJS.ErrnoException).code}`);
    }
    if (declared !== undefined && declared !== size)
      throw new CliError(
        'InvalidParameterValue',
        `--image-size says ${declared} bytes, but ${args.file} holds ${size}`,
      );
    if (flags['dry-run']) return;
    const key = `${flags.prefix ?? ''}${path.basename(args.file)}`;
    let manifestUrl = flags['manifest-url'];
    if (!manifestUrl) {
      const bucket = flags.bucket!;
      manifestUrl = `/${bucket}/${encodeURIComponent(key)}`;
      if (!flags['no-upload']) await this.upload(args.file, bucket, key, size, flags);
    }
    const ec2 = new QueryClient(await this.endpoint(flags));
    const result = await ec2.call('ImportVolume', {
      AvailabilityZone: flags.zone,
      'Image.Format': 'RAW',
      'Image.Bytes': size,
      'Image.ImportManifestUrl': manifestUrl,
      'Volume.Size': flags['volume-size'],
      Description: flags.description,
    });
    this.out(conversionTaskLines(result.conversionTask));
  }

  /** The image into the bucket, as the object store's user (-o and -w, else the same keys). */
  private async upload(
    file: string,
    bucket: string,
    key: string,
    size: number,
    flags: ParsedOf<typeof ImportVolume>['flags'],
  ): Promise<void> {
    const endpoint = await this.endpoint(
      {
        ...flags,
        // -U is the compute service's here; the object store's is --s3-url (or configured).
        url: flags['s3-url'],
        'access-key': flags['owner-akid'] ?? flags['access-key'],
        'secret-key': flags['owner-sak'] ?? flags['secret-key'],
      },
      's3',
    );
    const s3 = new S3Client(endpoint);
    await ensureBucket(s3, bucket);
    const progress = progressBar('Uploading', size);
    try {
      await s3.uploadFile(bucket, key, file, { onProgress: (n) => progress.update(n) });
    } finally {
      progress.stop();
    }
  }
}
