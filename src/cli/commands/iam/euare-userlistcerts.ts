import { Args, Flags } from '@oclif/core';
import { type ParsedOf } from '../../command';
import { asAccountFlag, IamCommand, named } from '../../iam-command';
import { listOf, type XmlNode } from '../../xml';

export default class UserListCerts extends IamCommand {
  static override summary = "List a user's signing certificates";
  static override args = { name: Args.string({ description: 'name of the user' }) };
  static override flags = {
    'user-name': Flags.string({ char: 'u', summary: 'name of the user (default: the caller)', helpValue: 'USER' }),
    verbose: Flags.boolean({ char: 'v', summary: 'also print the certificates' }),
    'as-account': asAccountFlag,
  };
  static override action = 'ListSigningCertificates';

  static override route = {
    'user-name': named('UserName', 'user name', true),
  };

  protected override print(result: XmlNode, parsed: ParsedOf<typeof UserListCerts>) {
    const { flags } = parsed;
    // Per certificate, as euca2ools prints them: its ID, its body (-v) as it came, its status, its user.
    this.out(
      listOf(result, 'Certificates').flatMap((c) => [
        c.CertificateId,
        // The body as euca2ools prints it: with its own last newline, so a blank line follows.
        ...(flags.verbose ? [String(c.CertificateBody).replace(/\n?$/, '\n')] : []),
        c.Status,
        String(c.UserName ?? ''),
      ]),
    );
  }
}
