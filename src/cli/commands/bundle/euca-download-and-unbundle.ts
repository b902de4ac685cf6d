import { Flags } from '@oclif/core';
import { Readable } from 'node:stream';
import { decryptBundleKeys, ensureFolder, imageOutputPath, unbundle } from '../../../shared/bundle';
import { resolveBundleIdentity } from '../../bundle/credentials';
import { readPrivateKey } from '../../../shared/bundle/keys';
import { withUnbundleStatus } from '../../bundle/command-support';
import { fetchManifest, getObject } from '../../bundle-transfer';
import { bucketFlag, bundleNameFlags, localManifest, manifestKey } from '../../bundle-flags';
import { ServiceCommand } from '../../command';
import { progressFlags } from '../../progress';
import { S3Client } from '../../s3';

export default class DownloadAndUnbundle extends ServiceCommand {
  static override summary = 'Download a bundle from Walrus and recreate its image, with no parts on disk';
  static override service = 's3' as const;
  static override tabular = false;
  static override flags = {
    bucket: bucketFlag,
    ...bundleNameFlags,
    ...progressFlags,
    privatekey: Flags.string({
      char: 'k',
      summary: 'the private key to decrypt the bundle with (default: EC2_PRIVATE_KEY)',
      helpValue: 'FILE',
    }),
    destination: Flags.string({
      char: 'd',
      summary: 'where to write the image (default: the current folder)',
      helpValue: 'DIR',
    }),
  };
  static override examples = ['<%= command.id %> -b example_rf_bucket -p fedora.10.x86-64.img -d images'];

  async run(): Promise<void> {
    const { flags } = await this.parse(DownloadAndUnbundle);
    const { bucket, key } = manifestKey(flags.bucket, flags.manifest ?? flags['local-manifest'], flags.prefix);
    const id = await resolveBundleIdentity({ privateKey: flags.privatekey }, ['privateKey'], {
      commandName: this.commandName,
      region: flags.region,
    });
    const s3 = new S3Client(await this.endpoint(flags));
    const { manifest } = await fetchManifest(s3, bucket, key, localManifest(flags['local-manifest']));
    const keys = decryptBundleKeys(manifest, readPrivateKey(id.privateKey!), 'either');
    const destination = flags.destination ?? '.';
    ensureFolder(destination, 'destination');
    const output = imageOutputPath(destination, manifest.image.name);
    const keyDir = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    const readPart = async (name: string) => Readable.from([await getObject(s3, bucket, keyDir + name)]);
    await withUnbundleStatus(manifest.image.bundledSize, (hooks) =>
      unbundle({ manifest, ...keys, readPart, output, ...hooks }),
    );
    this.out([`Wrote ${output}`]);
  }
}
