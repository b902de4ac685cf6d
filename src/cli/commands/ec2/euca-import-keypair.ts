import { Args, Flags } from '@oclif/core';
import * as fs from 'node:fs';
import { type ParsedOf, QueryCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class ImportKeypair extends QueryCommand {
  static override summary = 'Import a public RSA key as a new key pair';
  static override description =
    'The file holds an RSA public key: an OpenSSH line (ssh-rsa AAAA... as in ~/.ssh/id_rsa.pub), an SSH2 ' +
    'block, or PEM. The fingerprint printed is the MD5 of the public key in DER form, as EC2 computes it for ' +
    'imported keys.';
  static override args = { keypair: Args.string({ description: 'name for the new key pair', required: true }) };
  static override flags = {
    'public-key-file': Flags.string({
      char: 'f',
      summary: 'name of a file containing the public key to import',
      helpValue: 'FILE',
      required: true,
    }),
  };
  static override examples = ['<%= command.id %> -f ~/.ssh/id_rsa.pub mykey'];
  static override action = 'ImportKeyPair';

  protected override params({ args, flags }: ParsedOf<typeof ImportKeypair>) {
    let text: Buffer;
    try {
      text = fs.readFileSync(flags['public-key-file']);
    } catch (e) {
      throw new CliError(
        'FileNotFound',
        `cannot read ${flags['public-key-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    return { KeyName: args.keypair, PublicKeyMaterial: text.toString('base64') };
  }

  protected print(result: XmlNode) {
    this.out([record('KEYPAIR', result.keyName, result.keyFingerprint)]);
  }
}
