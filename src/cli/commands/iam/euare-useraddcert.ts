import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, delegate, IamCommand, userParam } from '../../iam-command';
import { type XmlNode } from '../../xml';
import * as fs from 'node:fs';
import { UsageError } from '../../../shared/errors';

function readCert(file: string | undefined): string {
  if (!file) throw new UsageError('one of the arguments -c/--certificate-body -f/--certificate-file is required');
  return fs.readFileSync(file, 'utf8');
}

export default class UserAddCert extends IamCommand {
  static override summary = 'Upload a signing certificate';
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'certificate-body': Flags.string({
      char: 'c',
      summary: 'the PEM certificate',
      helpValue: 'CERT',
      exclusive: ['certificate-file'],
    }),
    'certificate-file': Flags.string({
      char: 'f',
      summary: 'file with the PEM certificate',
      helpValue: 'FILE',
      exclusive: ['certificate-body'],
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'UploadSigningCertificate';

  protected override params(parsed: ParsedOf<typeof UserAddCert>) {
    const { flags } = parsed;
    return {
      ...delegate(flags),
      ...userParam(parsed),
      CertificateBody: flags['certificate-body'] ?? readCert(flags['certificate-file']),
    };
  }

  protected override print(result: XmlNode) {
    this.out([result.Certificate.CertificateId]);
  }
}
