import { filterFlag, filterParams, QueryCommand } from '../../command';
import { TAG_FILTERS } from '../../filters';
import { tagLine } from '../../printers/tags';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeTags extends QueryCommand {
  static override filters = TAG_FILTERS;
  static override summary = "List tags associated with your account's resources";
  static override description =
    'Prints TAG resource-type resource-id key value: the same order as every other TAG line ' +
    "(euca-describe-images, euca-describe-groups, ...) and as EC2's own tools print tags.";
  static override flags = { filter: filterFlag };
  static override examples = ['<%= command.id %>', '<%= command.id %> --filter resource-type=image --filter key=Name'];
  static override action = 'DescribeTags';

  static override route = { filter: filterParams };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'tagSet').map((t) => tagLine(t, t.resourceId, t.resourceType)));
  }
}
