/**
 * A test cloud in a given networking mode: its eucalyptus.conf written (the defaults, with
 * VNET_MODE set) before the first start, so tests do not depend on which mode is the default.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONF, setConfValues } from '../../src/backend/conf';
import { cloudPaths } from '../../src/shared/paths';
import { tempDir } from './cli';
import { startCloud, type TestCloud } from './cloud';

export function startCloudInMode(mode: 'SYSTEM' | 'STATIC' | 'MANAGED' | 'MANAGED-NOVLAN'): Promise<TestCloud> {
  const dataDir = tempDir('euca-cloud-');
  const conf = cloudPaths(dataDir).conf;
  fs.mkdirSync(path.dirname(conf), { recursive: true });
  fs.writeFileSync(conf, DEFAULT_CONF);
  setConfValues(conf, { VNET_MODE: mode });
  return startCloud(dataDir);
}
