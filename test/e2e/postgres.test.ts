/**
 * A cloud whose state is on PostgreSQL (`eucalyptus-cloud start --db URL`), against a server of
 * its own (scripts/postgres-dev.sh): the setting is kept in eucalyptus.conf (readable by its owner
 * alone when the URL holds a password, which no log shows), the state is in the database and not
 * in the data dir, a restart finds it there, and the admin tools read the same database. The rest
 * of the suite runs on PostgreSQL too (scripts/test-postgres.sh).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { cloudPaths } from '../../src/shared/paths';
import { cleanEnv, run, runOk, tempDir } from '../helpers/cli';
import { startCloud, startFrontEnd } from '../helpers/cloud';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const script = path.join(ROOT, 'scripts', 'postgres-dev.sh');
let serverDir: string;
let server: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

before(async () => {
  serverDir = tempDir('euca-pg-');
  server = execFileSync('bash', [script, 'start', serverDir, String(await freePort())], { encoding: 'utf8' }).trim();
});

after(() => {
  execFileSync('bash', [script, 'stop', serverDir]);
});

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

test('a cloud on PostgreSQL: --db kept in eucalyptus.conf, the state in the database, a restart and euca_conf find it', async () => {
  await query(server, 'CREATE DATABASE cloud_one');
  // A password in the URL (the test server trusts its clients, but the URL is kept as given).
  const url = server.replace('//euca@', '//euca:s3cret-pw@').replace(/\/postgres$/, '/cloud_one');
  const dataDir = tempDir('euca-cloud-');
  let cloud = await startCloud(dataDir, 0, { db: url });
  try {
    const paths = cloudPaths(dataDir);
    assert.match(
      fs.readFileSync(paths.conf, 'utf8'),
      new RegExp(`^CLOUD_DB="${url.replace(/[.?*+]/g, '\\$&')}"$`, 'm'),
    );
    assert.equal(fs.statSync(paths.conf).mode & 0o777, 0o600, 'a conf holding a password is 0600');
    assert.ok(!cloud.output().includes('s3cret-pw'), 'no log shows the password');
    assert.match(cloud.output(), /state in postgresql:\/\/euca:\*\*\*@127\.0\.0\.1/);

    await runOk('euca-create-keypair', ['on-postgres'], cloud.env);
    const rows = await query<{ name: string }>(url, "SELECT name FROM keypairs WHERE name = 'on-postgres'");
    assert.deepEqual(rows, [{ name: 'on-postgres' }]);
    assert.ok(!fs.existsSync(paths.db), 'no SQLite database in the data dir');

    // A restart (no --db) finds its state in the database eucalyptus.conf names.
    await cloud.stop();
    cloud = await startCloud(dataDir, cloud.port);
    assert.match(await runOk('euca-describe-keypairs', ['on-postgres'], cloud.env), /^KEYPAIR\ton-postgres\t/);
    // The admin tools read the same database.
    const nodes = await runOk('euca_conf', ['--list-nodes'], cleanEnv({ EUCA_LOCAL_DIR: dataDir }));
    assert.match(nodes, /^NODE\t/m);
  } finally {
    await cloud.stop();
  }
});

test('a --db that cannot work is one line and exit status 1; nothing is changed', async () => {
  const dataDir = tempDir('euca-cloud-');
  const env = cleanEnv();
  const relative = await run(
    'eucalyptus-cloud',
    ['start', '--foreground', '--data-dir', dataDir, '--db', 'state.db'],
    env,
  );
  assert.equal(relative.code, 1);
  assert.match(relative.stderr, /--db takes a postgresql:\/\/ URL or the absolute path of a SQLite file/);
  assert.equal(relative.stderr.trimEnd().split('\n').length, 1);
  assert.ok(
    !fs.existsSync(cloudPaths(dataDir).conf) || !/CLOUD_DB/.test(fs.readFileSync(cloudPaths(dataDir).conf, 'utf8')),
  );

  // A server that is not there: said in one line, and the setting is not kept.
  const gone = `postgresql://euca:pw@127.0.0.1:${await freePort()}/nowhere`;
  const down = await run(
    'eucalyptus-cloud',
    ['start', '--foreground', '--port', '0', '--data-dir', dataDir, '--db', gone],
    env,
  );
  assert.equal(down.code, 1);
  assert.equal(down.stderr.trimEnd().split('\n').length, 1, down.stderr);
  assert.match(
    down.stderr,
    /cannot open the cloud's database postgresql:\/\/euca:\*\*\*@127\.0\.0\.1:\d+\/nowhere: .*ECONNREFUSED/,
  );
  assert.ok(
    !fs.existsSync(cloudPaths(dataDir).conf) || !/CLOUD_DB/.test(fs.readFileSync(cloudPaths(dataDir).conf, 'utf8')),
  );
});

test('two front ends on one database: either answers, one runs the background work, the other takes over when it dies', async () => {
  await query(server, 'CREATE DATABASE two_fronts');
  const url = server.replace(/\/postgres$/, '/two_fronts');
  const first = await startCloud(tempDir('euca-cloud-'), 0, { db: url });
  let second: Awaited<ReturnType<typeof startCloud>> | undefined;
  try {
    second = await startFrontEnd(first, url);
    assert.match(first.output(), /leadership: \S+ runs the background work/);
    assert.match(second.output(), /other front ends are running; their jobs in flight are left to them/);
    assert.doesNotMatch(second.output(), /runs the background work/);

    await runOk('euca-create-keypair', ['both-see-it'], first.env);
    assert.match(await runOk('euca-describe-keypairs', ['both-see-it'], second.env), /^KEYPAIR\tboth-see-it\t/);
    await runOk('euare-usercreate', ['-u', 'made-on-second'], second.env);
    assert.match(await runOk('euare-userlistbypath', [], first.env), /user\/made-on-second$/m);

    // The leader killed outright: the other takes the background work over within a few seconds.
    process.kill(Number(fs.readFileSync(cloudPaths(first.dataDir).pidFile, 'utf8')), 'SIGKILL');
    const until = Date.now() + 30_000;
    while (!/runs the background work/.test(second.output()) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 200));
    assert.match(second.output(), /leadership: \S+ runs the background work/);
    assert.match(await runOk('euca-describe-keypairs', ['both-see-it'], second.env), /^KEYPAIR\tboth-see-it\t/);
  } finally {
    await second?.stop();
    await first.stop();
  }
});
