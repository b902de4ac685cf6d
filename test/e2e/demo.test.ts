/**
 * The README's first command: `npm run demo` (scripts/demo.sh after the build) runs the seeds'
 * quick start on a local cloud it starts itself, and every step it shows succeeds, or is denied
 * where the demo says it is.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cleanEnv, ROOT, run, tempDir } from '../helpers/cli';

test('the demo runs end to end on a fresh local cloud', async () => {
  const home = tempDir('euca-demo-');
  const env = cleanEnv({ HOME: home, EUCA_LOCAL_DIR: path.join(home, 'local') });
  try {
    const r = await run('bash', [path.join(ROOT, 'scripts', 'demo.sh')], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^INSTANCE\ti-\w+\temi-\w+\t.*\trunning\t/m);
    assert.match(r.stdout, /^ADDRESS\t\S+\ti-\w+$/m);
    assert.match(r.stdout, /^ATTACHMENT\tvol-\w+\ti-\w+\t\/dev\/sdf\tattached\t/m);
    assert.match(r.stdout, /^SNAPSHOT\tsnap-\w+\tvol-\w+\tcompleted\t.*\t100%\t/m);
    assert.match(r.stdout, /\(as reader-\d+\) euca-describe-availability-zones\nAVAILABILITYZONE/);
    assert.match(r.stderr, /euca-add-keypair: error \(UnauthorizedOperation\)/);
    assert.match(r.stdout, /\(denied, as the policy says\)/);
  } finally {
    await run('eucalyptus-cloud', ['stop'], env);
    fs.rmSync(home, { recursive: true, force: true });
  }
});
