import { Flags } from '@oclif/core';
import { Parsed } from '../../lib/command';
import { asAccountFlag, delegate, IamCommand } from '../../lib/iam-command';
import { listOf, XmlNode } from '../../lib/xml';

export default class GroupListByPath extends IamCommand {
  static override summary = "List the account's groups";
  static override flags = { 'path-prefix': Flags.string({ char: 'p', summary: 'list only the groups whose path begins with PREFIX', helpValue: 'PREFIX' }), 'as-account': asAccountFlag };
  static override action = 'ListGroups';

  protected params(parsed: Parsed) {
    const { flags } = parsed;
    return { ...delegate(flags), ...(flags['path-prefix'] ? { PathPrefix: flags['path-prefix'] } : {}) };
  }

  protected override print(result: XmlNode, parsed: Parsed) {
    this.out(['groups', ...listOf(result, 'Groups').map((g) => `   ${g.Arn}`)]);
  }
}
