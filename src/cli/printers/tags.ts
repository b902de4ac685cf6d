/**
 * How tags print: `TAG resource-type resource-id key value`, the order euca2ools prints a
 * resource's tags in under its other lines and EC2's own tools print DescribeTags in; one order
 * for every TAG line, so one awk script reads them all.
 */
import { typeOfPrefix } from '../../shared/resource-types';
import { record } from '../output';
import { type XmlNode } from '../xml';

export function tagLine(
  tag: XmlNode,
  resourceId: string,
  resourceType = typeOfPrefix(resourceId.split('-')[0]),
): string {
  return record('TAG', resourceType, resourceId, tag.key, tag.value);
}
