import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserModCert extends IamCommand {
  static override summary = 'Activate or deactivate a signing certificate';
  static override args = { name: Args.string({ description: 'the certificate to change' }) };
  static override flags = {
    'certificate-id': Flags.string({ char: 'c', summary: 'the certificate to change', helpValue: 'CERT_ID' }),
    status: Flags.string({
      char: 's',
      summary: "the certificate's new status",
      options: ['Active', 'Inactive'],
      required: true,
    }),
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'UpdateSigningCertificate';

  static override route = {
    'user-name': 'UserName',
    'certificate-id': named('CertificateId', 'certificate id'),
    status: 'Status',
  };
}
