import { Args, Flags } from '@oclif/core';
import * as fs from 'node:fs';
import { type ParsedOf, QueryCommand } from '../../command';
import { CliError } from '../../../shared/errors';
import { type XmlNode } from '../../xml';

export default class GetPassword extends QueryCommand {
  static override summary = "Retrieve and decrypt a Windows instance's Administrator password";
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override flags = {
    'priv-launch-key': Flags.string({
      char: 'k',
      required: true,
      summary: 'the private key of the key pair the instance was launched with',
      helpValue: 'FILE',
    }),
  };
  static override examples = ['<%= command.id %> i-5176095D -k mykey.private'];
  static override action = 'GetPasswordData';

  protected override params({ args, flags }: ParsedOf<typeof GetPassword>) {
    if (!fs.existsSync(flags['priv-launch-key']))
      throw new CliError('FileNotFound', `no private key file ${flags['priv-launch-key']}`);
    return { InstanceId: args.instance };
  }

  protected print(result: XmlNode, { args, flags }: ParsedOf<typeof GetPassword>) {
    const data = String(result.passwordData ?? '').trim();
    if (!data)
      throw new CliError(
        'PasswordNotReady',
        `the password of ${args.instance} is not available yet (Windows generates it at first boot)`,
      );
    // PKCS#1 v1.5, which Node's crypto.privateDecrypt refuses: node-forge does this one operation.
    const forge = require('node-forge') as typeof import('node-forge');
    let password: string;
    try {
      const key = forge.pki.privateKeyFromPem(fs.readFileSync(flags['priv-launch-key'], 'utf8'));
      password = key.decrypt(forge.util.decode64(data), 'RSAES-PKCS1-V1_5');
    } catch {
      throw new CliError(
        'InvalidKey',
        `${flags['priv-launch-key']} does not decrypt the password ` +
          `of ${args.instance}: is it the private key of the instance's key pair?`,
      );
    }
    this.out([password]);
  }
}
