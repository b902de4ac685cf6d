import { Args, Flags } from '@oclif/core';
import { type Parsed } from '../../command';
import { asAccountFlag, delegate, IamCommand, nameOf, userParam } from '../../iam-command';

export default class UserDelCert extends IamCommand {
  static override summary = 'Delete a signing certificate';
  static override args = { name: Args.string({ description: 'the certificate to delete' }) };
  static override flags = {
    'certificate-id': Flags.string({ char: 'c', summary: 'the certificate to delete', helpValue: 'CERT_ID' }),
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    'as-account': asAccountFlag,
  };
  static override action = 'DeleteSigningCertificate';

  protected params(parsed: Parsed) {
    const { flags } = parsed;
    return {
      ...delegate(flags),
      ...userParam({ ...parsed, args: {} }),
      CertificateId: nameOf(parsed, 'certificate-id', 'certificate id'),
    };
  }
}
