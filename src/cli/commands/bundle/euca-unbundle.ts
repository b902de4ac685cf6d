import * as path from 'node:path';
import { progressFlags } from '../../progress';
import { Flags } from '@oclif/core';
import { openBundle, withUnbundleStatus } from '../../bundle/command-support';
import { ensureFolder, folderPartReader, imageOutputPath, unbundle } from '../../../shared/bundle';
import { connectionFlags, EucaCommand } from '../../command';

export default class Unbundle extends EucaCommand {
  static override summary = 'Recreate an image from its bundled parts';
  static override description =
    'Checks every part against the SHA1 in the manifest and the image against its digest; the image is ' +
    'written only when all ' +
    "checks pass. The private key must match a certificate the image was bundled for (yours, or the cloud's).";
  static override flags = {
    ...progressFlags,
    manifest: Flags.string({ char: 'm', required: true, summary: "the bundle's manifest file", helpValue: 'FILE' }),
    privatekey: Flags.string({
      char: 'k',
      summary: 'the private key to decrypt the bundle with (default: EC2_PRIVATE_KEY)',
      helpValue: 'FILE',
    }),
    source: Flags.string({
      char: 's',
      summary: "folder holding the bundle's parts (default: the manifest's folder)",
      helpValue: 'DIR',
    }),
    destination: Flags.string({
      char: 'd',
      summary: 'where to write the image (default: the current folder)',
      helpValue: 'DIR',
    }),
    region: connectionFlags.region,
    debug: connectionFlags.debug,
  };
  static override examples = [
    '<%= command.id %> -m /tmp/fedora.10.x86-64.img.manifest.xml -k $EC2_PRIVATE_KEY -d images',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(Unbundle);
    const bundle = await openBundle(flags.manifest, flags.privatekey, {
      commandName: this.commandName,
      region: flags.region,
    });
    const destination = flags.destination ?? '.';
    ensureFolder(destination, 'destination');
    const output = imageOutputPath(destination, bundle.manifest.image.name);
    const readPart = folderPartReader(flags.source ?? path.dirname(flags.manifest));
    await withUnbundleStatus(bundle.manifest.image.bundledSize, (hooks) =>
      unbundle({ ...bundle, readPart, output, ...hooks }),
    );
    this.out([`Wrote ${output}`]);
  }
}
