import { Flags } from '@oclif/core';
import { asAccountFlag, IamCommand } from '../../iam-command';
import { listOf, type XmlNode } from '../../xml';

export default class GroupListByPath extends IamCommand {
  static override summary = "List the account's groups";
  static override flags = {
    'path-prefix': Flags.string({
      char: 'p',
      summary: 'list only the groups whose path begins with PREFIX',
      helpValue: 'PREFIX',
    }),
    'as-account': asAccountFlag,
  };
  static override action = 'ListGroups';

  static override route = {
    'path-prefix': 'PathPrefix',
  };

  protected override print(result: XmlNode) {
    this.out(['groups', ...listOf(result, 'Groups').map((g) => `   ${g.Arn}`)]);
  }
}
