/**
 * The cloud's own buckets in Walrus (`eucalyptus-snapshots`): made at start, owned by the cloud's
 * account, outside the users' namespace (Walrus.userBucket refuses every request of theirs), and
 * written, read and cleaned here with no access check. A bucket of that name another account
 * made before the name was reserved is neither written nor read.
 */
import { createHash } from 'node:crypto';
import { type Readable } from 'node:stream';
import { ServiceError } from '../errors';
import { type BucketRecord, type ObjectRecord } from './store';
import { type Walrus } from './walrus';

const now = () => new Date().toISOString();

export class CloudBuckets {
  constructor(private readonly walrus: Walrus) {}

  /** Creates those missing; returns the names found owned by another account. */
  async ensure(): Promise<string[]> {
    const owner = await this.walrus.cloudAccount();
    if (!owner) return [];
    const squatted: string[] = [];
    for (const name of this.walrus.systemBuckets) {
      const b = await this.walrus.store.findBucket(name);
      if (!b) await this.create(owner, name);
      else if (b.ownerAccountId !== owner) squatted.push(name);
    }
    return squatted;
  }

  /** The bucket, if it is there (and the cloud's). */
  async bucket(name: string): Promise<BucketRecord | undefined> {
    const b = await this.walrus.store.findBucket(name);
    if (b && b.ownerAccountId !== (await this.owner()))
      throw new ServiceError('BucketAlreadyExists', `bucket ${name} belongs to another account`, 409);
    return b;
  }

  /** Stores an object (a snapshot's chunk), the bucket made if missing. */
  async store(name: string, key: string, data: Buffer): Promise<void> {
    const owner = await this.owner();
    const b = (await this.bucket(name)) ?? (await this.create(owner, name));
    const fileId = await this.walrus.files.write(
      b.id,
      (async function* () {
        yield data;
      })(),
    );
    const md5 = createHash('md5').update(data).digest('hex');
    await this.walrus.commitObject({
      bucketId: b.id,
      key,
      fileId,
      size: data.length,
      etag: `"${md5}"`,
      headers: {},
      ownerAccountId: owner,
      acl: b.acl,
      lastModified: now(),
    });
  }

  /** An object's bytes; throws NoSuchBucket or NoSuchKey. */
  async open(name: string, key: string): Promise<Readable> {
    await this.bucket(name);
    return this.walrus.openObject(name, key);
  }

  /** The objects under a prefix, a page at a time, in key order. */
  async *objects(name: string, prefix: string): AsyncGenerator<ObjectRecord> {
    const b = await this.bucket(name);
    if (!b) return;
    let from = Buffer.from(prefix, 'utf8');
    for (
      let page = await this.walrus.store.scanObjects(b.id, { from, inclusive: true }, 1000);
      page.length;
      page = await this.walrus.store.scanObjects(b.id, { from, inclusive: false }, 1000)
    ) {
      const mine = page.filter((o) => o.key.startsWith(prefix));
      yield* mine;
      if (mine.length < page.length) return;
      from = Buffer.from(page[page.length - 1].key, 'utf8');
    }
  }

  /** Removes every object under a prefix. */
  async removeUnder(name: string, prefix: string): Promise<void> {
    const b = await this.bucket(name);
    if (!b) return;
    const all: ObjectRecord[] = [];
    for await (const o of this.objects(name, prefix)) all.push(o);
    for (const o of all) await this.walrus.removeObject(b.id, o.key, b.ownerAccountId);
  }

  private async owner(): Promise<string> {
    const owner = await this.walrus.cloudAccount();
    if (!owner) throw new Error('the cloud account does not exist yet');
    return owner;
  }

  private async create(owner: string, name: string): Promise<BucketRecord> {
    const b: BucketRecord = {
      id: this.walrus.files.newId(),
      name,
      ownerAccountId: owner,
      location: '',
      acl: await this.walrus.grantsFor({}, { owner, bucketOwner: owner }),
      created: now(),
    };
    await this.walrus.store.createBucket(b);
    await this.walrus.files.createBucket(b.id);
    return b;
  }
}
