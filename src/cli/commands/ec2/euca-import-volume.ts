import * as fs from 'node:fs';
import * as path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { ensureBucket } from '../../bundle-transfer';
import { connectionFlagsWithout, ServiceCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { conversionTaskLines } from '../../printers/volumes';
import { progressBar } from '../../progress';
import { QueryClient } from '../../query';
import { S3Client } from '../../s3';

export default class ImportVolume extends ServiceCommand {
  static override summary = 'Import a raw disk image into a new volume';
  static override description =
    'Uploads FILE to the bucket (showing progress), then has the cloud create a volume in the zone holding ' +
    'exactly its bytes, as a conversion task: euca-describe-conversion-tasks follows it, ' +
    "euca-cancel-conversion-task stops it. The volume is the image's size rounded up to whole GiB unless -s says more.";
  /** -s is the volume size here, as in euca2ools; the secret key keeps -S and --secret-key. */
  static override baseFlags = connectionFlagsWithout('s');
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
      summary: 'the bucket to upload the image to (required)',
      helpValue: 'BUCKET',
      required: true,
    }),
    'volume-size': Flags.integer({ char: 's', summary: 'size of the volume to import to, in GiB', helpValue: 'GiB' }),
    prefix: Flags.string({ summary: "a prefix for the uploaded object's name", helpValue: 'PREFIX' }),
    description: Flags.string({ char: 'd', summary: 'a description for the import task', helpValue: 'DESC' }),
  };
  static override examples = ['<%= command.id %> disk.img -f raw -z cluster01 -b imports'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImportVolume);
    if (flags.format.toLowerCase() !== 'raw')
      throw new CliError('InvalidParameterValue', `format ${flags.format} is not supported: import a raw disk image`);
    let size: number;
    try {
      size = fs.statSync(args.file).size;
    } catch (e) {
      throw new CliError('FileNotFound', `cannot read ${args.file}: ${(e as NodeJS.ErrnoException).code}`);
    }
    const key = `${flags.prefix ?? ''}${path.basename(args.file)}`;
    const s3 = new S3Client(await this.endpoint(flags, 's3'));
    await ensureBucket(s3, flags.bucket);
    const progress = progressBar('Uploading', size);
    try {
      await s3.uploadFile(flags.bucket, key, args.file, { onProgress: (n) => progress.update(n) });
    } finally {
      progress.stop();
    }
    const ec2 = new QueryClient(await this.endpoint(flags));
    const result = await ec2.call('ImportVolume', {
      AvailabilityZone: flags.zone,
      'Image.Format': 'RAW',
      'Image.Bytes': size,
      'Image.ImportManifestUrl': `/${flags.bucket}/${encodeURIComponent(key)}`,
      'Volume.Size': flags['volume-size'],
      Description: flags.description,
    });
    this.out(conversionTaskLines(result.conversionTask));
  }
}
