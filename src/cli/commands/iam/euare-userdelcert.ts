import { Args, Flags } from '@oclif/core';
import { asAccountFlag, IamCommand, named } from '../../iam-command';

export default class UserDelCert extends IamCommand {
  static override summary = 'Delete a signing certificate';
  static override args = { name: Args.string({ description: 'the certificate to delete' }) };
  static override flags = {
    'certificate-id': Flags.string({ char: 'c', summary: 'the certificate to delete', helpValue: 'CERT_ID' }),
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteSigningCertificate';

  static override route = {
    'user-name': 'UserName',
    'certificate-id': named('CertificateId', 'certificate id'),
  };
}
