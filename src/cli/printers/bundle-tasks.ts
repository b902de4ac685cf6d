/** How bundle tasks print, in euca2ools' columns: the BUNDLE line. */
import { record } from '../output';
import { type XmlNode } from '../xml';

export function bundleTaskLine(t: XmlNode): string {
  const s3 = t.storage?.S3 ?? {};
  return record(
    'BUNDLE',
    t.bundleId,
    t.instanceId,
    s3.bucket,
    s3.prefix,
    t.startTime,
    t.updateTime,
    t.state,
    t.progress,
    s3.bucket && s3.prefix ? `${s3.bucket}/${s3.prefix}.manifest.xml` : undefined,
  );
}
