import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { writeSecretFile } from '../../../shared/files';
import { record } from '../../output';
import { type XmlNode } from '../../xml';

export default class AddKeypair extends QueryCommand {
  static override aliases = ['euca-create-keypair'];
  static override summary = 'Create a new SSH key pair for use with instances';
  static override description =
    'The cloud keeps the public key and prints the private key once: KEYPAIR NAME FINGERPRINT, then the ' +
    'private key in PEM form, so `euca-add-keypair mykey > mykey.private` saves it (then chmod 0600 ' +
    'mykey.private). With -f the private key goes to FILE (mode 0600) instead.';
  static override args = { keypair: Args.string({ description: 'name of the new key pair', required: true }) };
  static override flags = {
    filename: Flags.string({
      char: 'f',
      summary: 'file name to save the private key to (mode 0600)',
      helpValue: 'FILE',
    }),
  };
  static override examples = ['<%= command.id %> mykey > mykey.private', '<%= command.id %> -f mykey.private mykey'];
  static override action = 'CreateKeyPair';

  static override route = {
    keypair: 'KeyName',
  };

  protected print(result: XmlNode, { flags }: ParsedOf<typeof AddKeypair>) {
    const pem = String(result.keyMaterial).trim() + '\n';
    if (flags.filename) writeSecretFile(flags.filename, pem);
    this.out([record('KEYPAIR', result.keyName, result.keyFingerprint), ...(flags.filename ? [] : [pem.trimEnd()])]);
  }
}
