import { Args, Flags } from '@oclif/core';
import { createHmac } from 'node:crypto';
import { type ParsedOf, QueryCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { QueryClient } from '../../query';
import { bundleTaskLine } from '../../printers/bundle-tasks';
import { type XmlNode } from '../../xml';

export default class BundleInstance extends QueryCommand {
  static override summary = 'Bundle a running Windows instance into an image in Walrus';
  static override description =
    "Starts a bundle task (pending, bundling, storing, complete) that writes a bundle of the instance's root " +
    'disk to BUCKET/PREFIX, registrable with euca-register. ' +
    'The prefix must start with "windows". -o and -w name the keys allowed to write to the bucket (default: your own).';
  static override args = { instance: Args.string({ description: 'ID of the instance to bundle', required: true }) };
  static override flags = {
    bucket: Flags.string({ char: 'b', required: true, summary: 'bucket to store the bundle in', helpValue: 'BUCKET' }),
    prefix: Flags.string({
      char: 'p',
      required: true,
      summary: 'prefix of the bundle\'s files (starts with "windows")',
      helpValue: 'PREFIX',
    }),
    'owner-akid': Flags.string({
      char: 'o',
      aliases: ['user-access-key'],
      summary: "access key ID of the bucket's owner (default: yours)",
      helpValue: 'KEY_ID',
    }),
    'owner-sak': Flags.string({
      char: 'w',
      aliases: ['user-secret-key'],
      summary: "secret key of the bucket's owner, to sign the upload policy (default: yours)",
      helpValue: 'KEY',
    }),
    policy: Flags.string({
      char: 'c',
      summary: 'a base64 upload policy to use instead of the one made here',
      helpValue: 'POLICY',
    }),
    'policy-signature': Flags.string({
      char: 's',
      summary: 'the signature of the -c upload policy (else it is signed with the secret key)',
      helpValue: 'SIGNATURE',
    }),
    expires: Flags.integer({ char: 'x', summary: 'hours the upload policy stays valid (default 24)', default: 24 }),
  };
  static override examples = [
    '<%= command.id %> -b mybucket -p windows-server -o $EC2_ACCESS_KEY -w $EC2_SECRET_KEY i-5176095D',
  ];
  static override action = 'BundleInstance';

  protected override params({ args, flags }: ParsedOf<typeof BundleInstance>) {
    if (!String(flags.prefix).startsWith('windows'))
      throw new CliError('InvalidParameterValue', `the prefix must start with "windows": ${flags.prefix}`);
    return { InstanceId: args.instance, Storage: { S3: { Bucket: flags.bucket, Prefix: flags.prefix } } };
  }

  /** Adds the S3 upload policy and its signature, made with the bucket owner's keys. */
  override async run(): Promise<void> {
    const parsed: ParsedOf<typeof BundleInstance> = await this.parse(BundleInstance);
    const ep = await this.endpoint(parsed.flags);
    const akid = parsed.flags['owner-akid'] ?? ep.accessKeyId;
    const secret = parsed.flags['owner-sak'] ?? ep.secretAccessKey;
    const expiration = new Date(Date.now() + parsed.flags.expires * 3600 * 1000).toISOString();
    const policy =
      parsed.flags.policy ??
      Buffer.from(
        JSON.stringify({
          expiration,
          conditions: [
            { bucket: parsed.flags.bucket },
            ['starts-with', '$key', parsed.flags.prefix],
            { acl: 'ec2-bundle-read' },
          ],
        }),
      ).toString('base64');
    const params = this.params(parsed) as { Storage: { S3: Record<string, string> } };
    Object.assign(params.Storage.S3, {
      AWSAccessKeyId: akid,
      UploadPolicy: policy,
      UploadPolicySignature:
        parsed.flags['policy-signature'] ?? createHmac('sha1', secret).update(policy).digest('base64'),
    });
    this.print((await new QueryClient(ep).call('BundleInstance', params)).bundleInstanceTask ?? {});
  }

  protected print(task: XmlNode) {
    this.out([bundleTaskLine(task)]);
  }
}
