/**
 * Lifecycle sweeps over a real Walrus and store, at a clock the test sets: noncurrent versions
 * expire NoncurrentDays after they became noncurrent (keeping NewerNoncurrentVersions), a delete
 * marker left with nothing behind it goes (ExpiredObjectDeleteMarker), size filters choose the
 * objects a rule expires, and documents read back in the form they were written.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { createAccountWithAdmin } from '../../src/backend/iam/accounts';
import { ObjectFiles, SqlWalrusStore, Walrus } from '../../src/backend/s3';
import { MasterKey } from '../../src/backend/s3/encryption';
import { lifecycleDocument, parseLifecycle } from '../../src/backend/s3/lifecycle';
import { applyLifecycle } from '../../src/backend/s3/lifecycle-sweeps';
import { RequestPayload } from '../../src/backend/s3/payload';
import { SqlStore } from '../../src/backend/store/sql-store';
import { testStoreLocation } from '../helpers/database';
import type { Principal } from '../../src/backend/store/types';
import { tempDir } from '../helpers/cli';

const DAY = 24 * 3600 * 1000;
const doc = (rules: string) => Buffer.from(`<LifecycleConfiguration>${rules}</LifecycleConfiguration>`);

async function world() {
  const dir = tempDir('euca-lifecycle-');
  const store = await SqlStore.open(await testStoreLocation(path.join(dir, 'cloud.db')));
  const account = await createAccountWithAdmin(store, 'alice', async () => undefined);
  const user = (await store.findUser(account.id, 'admin'))!;
  const key = await store.createAccessKey(user.id);
  const p: Principal = { account, user, accessKeyId: key.id };
  const walrus = new Walrus({
    store: new SqlWalrusStore(store.db),
    files: new ObjectFiles(path.join(dir, 'walrus')),
    accounts: store,
    cloudAccountName: 'eucalyptus',
    masterKey: new MasterKey(path.join(dir, 'master.key')),
  });
  const put = (bucket: string, k: string, data: string) =>
    walrus.putObject(
      p,
      bucket,
      k,
      new RequestPayload(
        (async function* () {
          yield Buffer.from(data);
        })(),
        { 'content-length': String(data.length) },
        undefined,
        data.length,
      ),
      { headers: {} },
      { canned: 'private' },
    );
  return { walrus, p, put };
}

test('noncurrent versions expire after NoncurrentDays, the newest kept; a lone delete marker goes', async () => {
  const { walrus, p, put } = await world();
  await walrus.createBucket(p, 'lc-test', { acl: { canned: 'private' } });
  await walrus.setBucketConfig(p, 'lc-test', 'versioning', 'Enabled');
  await walrus.setBucketConfig(
    p,
    'lc-test',
    'lifecycle',
    parseLifecycle(
      doc(
        '<Rule><ID>old</ID><Filter><Prefix>v/</Prefix></Filter><Status>Enabled</Status>' +
          '<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>' +
          '<Rule><ID>markers</ID><Filter><Prefix>m/</Prefix></Filter><Status>Enabled</Status>' +
          '<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>' +
          '<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>',
      ),
    ),
  );
  for (const v of ['1', '2', '3']) await put('lc-test', 'v/k', v);
  await put('lc-test', 'm/gone', 'x');
  await walrus.deleteObject(p, 'lc-test', 'm/gone');
  const versions = async (prefix: string) =>
    (await walrus.listVersions(p, 'lc-test', { prefix, maxKeys: 100 })).entries.map((v) =>
      v.deleteMarker ? 'marker' : v.current ? 'current' : 'noncurrent',
    );
  assert.deepEqual(await versions('v/'), ['current', 'noncurrent', 'noncurrent']);
  assert.deepEqual(await versions('m/'), ['marker', 'noncurrent']);

  // Today nothing is old enough.
  assert.deepEqual(await applyLifecycle(walrus, Date.now()), { expired: 0, aborted: 0, versions: 0 });
  // Two days on: the oldest noncurrent version of v/k goes (the newest one is kept); m/gone's
  // version goes, and then its marker, alone now.
  const later = await applyLifecycle(walrus, Date.now() + 2 * DAY);
  assert.deepEqual(later, { expired: 0, aborted: 0, versions: 3 });
  assert.deepEqual(await versions('v/'), ['current', 'noncurrent']);
  assert.deepEqual(await versions('m/'), []);
});

test('size filters choose what a rule expires; documents read back as written; bad dates refused', async () => {
  const { walrus, p, put } = await world();
  await walrus.createBucket(p, 'sz-test', { acl: { canned: 'private' } });
  const rules = parseLifecycle(
    doc(
      '<Rule><ID>big</ID><Filter><ObjectSizeGreaterThan>3</ObjectSizeGreaterThan></Filter><Status>Enabled</Status>' +
        '<Expiration><Days>1</Days></Expiration></Rule>' +
        '<Rule><ID>legacy</ID><Prefix>logs/</Prefix><Status>Disabled</Status><Expiration><Days>9</Days></Expiration></Rule>',
    ),
  );
  await walrus.setBucketConfig(p, 'sz-test', 'lifecycle', rules);
  await put('sz-test', 'small', 'ab');
  await put('sz-test', 'large', 'abcdef');
  assert.equal((await applyLifecycle(walrus, Date.now() + 2 * DAY)).expired, 1);
  assert.deepEqual(
    (await walrus.listObjects(p, 'sz-test', { prefix: '', maxKeys: 10 })).entries.map((o) => o.key),
    ['small'],
  );
  const written = lifecycleDocument(rules);
  assert.match(written, /<Filter><ObjectSizeGreaterThan>3<\/ObjectSizeGreaterThan><\/Filter>/);
  assert.match(written, /<ID>legacy<\/ID><Prefix>logs\/<\/Prefix>/);
  for (const date of ['2020-02-30T00:00:00Z', '2020-13-01T00:00:00Z', 'Feb 1 2020', '2020-02-01T10:00:00Z'])
    assert.throws(
      () => parseLifecycle(doc(`<Rule><Status>Enabled</Status><Expiration><Date>${date}</Date></Expiration></Rule>`)),
      { code: 'InvalidArgument' },
      date,
    );
  assert.throws(
    () =>
      parseLifecycle(
        doc(
          '<Rule><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>',
        ),
      ),
    { code: 'NotImplemented' },
  );
});
