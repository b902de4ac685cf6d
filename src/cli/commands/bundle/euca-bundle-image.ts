import * as os from 'node:os';
import { Flags } from '@oclif/core';
import { bundleFlags, bundleOptions, withBundleStatus } from '../../bundle/command-support';
import { bundleImage, checkImageFile, ensureFolder } from '../../../shared/bundle';
import { connectionFlags, EucaCommand } from '../../command';

export default class BundleImage extends EucaCommand {
  static override summary =
    'Prepare an image for use in the cloud: tar, compress, encrypt and split it, and write its signed manifest';
  static override description =
    'The image is encrypted with a random AES key, wrapped for the cloud (--ec2cert) and for you (-c), cut ' +
    'into 10 MiB parts ' +
    'named PREFIX.part.NN, and described by PREFIX.manifest.xml, signed with your private key (-k). ' +
    'Certificates, key and account default to EC2_CERT, EC2_PRIVATE_KEY, EUCALYPTUS_CERT and EC2_USER_ID ' +
    '(source eucarc), ' +
    'then to the euca2ools configuration, then to the local cloud. Machine images are limited to 10 GiB.';
  static override flags = {
    ...bundleFlags,
    // For euca2ools' bootstrap service (the cloud certificate), which this cloud has not.
    'access-key': connectionFlags['access-key'],
    'secret-key': connectionFlags['secret-key'],
    'security-token': connectionFlags['security-token'],
    destination: Flags.string({
      char: 'd',
      summary: "where to put the bundle's files (default: the temp folder, /tmp)",
      helpValue: 'DIR',
    }),
  };
  static override examples = [
    '<%= command.id %> -i vmlinuz-2.6.27.21-0.1-xen --kernel true',
    '<%= command.id %> -i fedora.10.x86-64.img --ramdisk eri-722B3CBA --kernel eki-5B3D3859',
    '<%= command.id %> -i centos.5-3.x86-64.img -u 123456789111 -c cert-abc.pem -k pk-abc.pem ' +
      '--ec2cert $EC2_AMITOOL_HOME/etc/ec2/amitools/cert-ec2.pem',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(BundleImage);
    const opts = await bundleOptions(flags, this.commandName);
    const size = checkImageFile(opts.image, opts.imageType);
    const destination = flags.destination ?? os.tmpdir();
    ensureFolder(destination, 'destination');
    const result = await withBundleStatus(size, (hooks) => bundleImage({ ...opts, destination, ...hooks }));
    this.out([`Generating manifest ${result.manifestPath}`]);
  }
}
