/**
 * Packaging: `npm pack` and a global install of the tarball put every command on PATH, with its
 * man page, and the installed commands work against the embedded cloud.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cleanEnv, PKG, ROOT, run, tempDir } from '../helpers/cli';

test(
  'npm pack, then npm install -g of the tarball, puts every command and man page in place',
  { timeout: 600_000 },
  async () => {
    const work = tempDir('euca-pack-');
    const tarball = execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')
      .pop()!;
    const prefix = path.join(work, 'prefix');
    execFileSync(
      'npm',
      ['install', '-g', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', prefix, path.join(work, tarball)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const name of Object.keys(PKG.bin)) {
      assert.ok(fs.existsSync(path.join(prefix, 'bin', name)), `${name} on PATH`);
      if (name !== 'euca2ools')
        assert.ok(fs.existsSync(path.join(prefix, 'share', 'man', 'man1', `${name}.1`)), `man page of ${name}`);
    }
    const home = tempDir('euca-home-');
    const env = {
      ...cleanEnv({ HOME: home }),
      PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}`,
    };
    try {
      const version = await run('euca-version', [], env);
      assert.equal(version.stderr, `euca2ools ${PKG.version} (euca2ools 3 compatible)\n`);
      const zones = await run('euca-describe-availability-zones', [], env);
      assert.equal(zones.code, 0, zones.stderr);
      assert.match(zones.stdout, /^AVAILABILITYZONE\tcluster01\tavailable\t$/m);
    } finally {
      await run('eucalyptus-cloud', ['stop'], env);
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);
