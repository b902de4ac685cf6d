import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { type XmlNode } from '../../xml';
import * as fs from 'node:fs';
import { writeSecretFile } from '../../../shared/files';

export default class UserCreateCert extends IamCommand {
  static override summary = '[Eucalyptus only] Create a new signing certificate';
  static override description =
    'The cloud makes a key pair and a certificate signed by the cloud CA, and prints the certificate id, the ' +
    'certificate and the private key (or writes them with --out and --keyout).';
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    out: Flags.string({ summary: 'file to write the certificate to', helpValue: 'FILE' }),
    keyout: Flags.string({ summary: 'file to write the private key to (mode 0600)', helpValue: 'FILE' }),
    'as-account': asAccountFlag,
  };
  static override action = 'CreateSigningCertificate';

  static override route = {
    'user-name': named('UserName', 'user name', true),
  };

  protected override print(result: XmlNode, parsed: ParsedOf<typeof UserCreateCert>) {
    const { flags } = parsed;
    const c = result.Certificate;
    if (flags.out) fs.writeFileSync(flags.out, String(c.CertificateBody).trim() + '\n');
    if (flags.keyout) writeSecretFile(flags.keyout, String(c.PrivateKey).trim() + '\n');
    this.out([
      c.CertificateId,
      ...(flags.out ? [] : [String(c.CertificateBody).trim()]),
      ...(flags.keyout ? [] : [String(c.PrivateKey).trim()]),
    ]);
  }
}
