/**
 * Registered images as the cloud keeps them: the ImageStore interface and its SQLite
 * implementation on the shared connection.
 */
import type { SqlDatabase } from '../../store/sql';

export type ImageType = 'machine' | 'kernel' | 'ramdisk';
export type ImageState = 'pending' | 'available' | 'failed';

export interface BlockDeviceMapping {
  deviceName: string;
  virtualName?: string;
  snapshotId?: string;
  volumeSize?: number;
  deleteOnTermination?: boolean;
  noDevice?: boolean;
}

export interface Image {
  id: string;
  accountId: string;
  type: ImageType;
  location?: string;
  name: string;
  description?: string;
  architecture: string;
  kernelId?: string;
  ramdiskId?: string;
  platform?: string;
  rootDeviceType: 'instance-store' | 'ebs';
  rootDeviceName: string;
  virtualizationType: string;
  state: ImageState;
  stateReason?: string;
  size?: number;
  isPublic: boolean;
  blockDeviceMappings: BlockDeviceMapping[];
  created: string;
  /** A bundled image's manifest as read (and checked) at registration: its SHA-256. */
  manifestSha256?: string;
}

export interface ImageStore {
  insert(image: Image): Promise<void>;
  get(id: string): Promise<Image | undefined>;
  /** Every image the account may see: its own, public ones, and those it has launch permission for. */
  visibleTo(accountId: string): Promise<Image[]>;
  all(): Promise<Image[]>;
  inState(state: ImageState): Promise<Image[]>;
  setState(id: string, state: ImageState, reason?: string, size?: number): Promise<void>;
  update(
    id: string,
    fields: Partial<Pick<Image, 'description' | 'kernelId' | 'ramdiskId' | 'isPublic'>>,
  ): Promise<void>;
  delete(id: string): Promise<void>;
  /** Deletes the image and remembers it was its owner's, for InvalidAMIID.Unavailable. */
  deregister(image: Image): Promise<void>;
  /** The owner of a deregistered image, when the ID is one. */
  deregisteredOwner(id: string): Promise<string | undefined>;
  launchPermissions(id: string): Promise<string[]>;
  /** Accounts with explicit launch permission on the image, by image, for a set of images. */
  permittedAccounts(ids: string[]): Promise<Map<string, Set<string>>>;
  addLaunchPermissions(id: string, accountIds: string[]): Promise<void>;
  removeLaunchPermissions(id: string, accountIds: string[]): Promise<void>;
  productCodes(id: string): Promise<string[]>;
  /** The product codes of each of these images (one query). */
  productCodesOf(ids: string[]): Promise<Map<string, string[]>>;
  addProductCodes(id: string, codes: string[]): Promise<void>;
}

/** A row of images. */
interface Row {
  id: string;
  account_id: string;
  type: ImageType;
  location: string | null;
  name: string;
  description: string | null;
  architecture: string;
  kernel_id: string | null;
  ramdisk_id: string | null;
  platform: string | null;
  root_device_type: Image['rootDeviceType'];
  root_device_name: string;
  virtualization_type: string;
  state: ImageState;
  state_reason: string | null;
  size: number | null;
  is_public: number;
  /** JSON of BlockDeviceMapping[] */
  block_device_mappings: string;
  created: string;
  manifest_sha256: string | null;
}
type PermissionRow = { account_id: string };
type ProductCodeRow = { code: string };

function toImage(r: Row): Image {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type,
    location: r.location ?? undefined,
    name: r.name,
    description: r.description ?? undefined,
    architecture: r.architecture,
    kernelId: r.kernel_id ?? undefined,
    ramdiskId: r.ramdisk_id ?? undefined,
    platform: r.platform ?? undefined,
    rootDeviceType: r.root_device_type,
    rootDeviceName: r.root_device_name,
    virtualizationType: r.virtualization_type,
    state: r.state,
    stateReason: r.state_reason ?? undefined,
    size: r.size ?? undefined,
    isPublic: !!r.is_public,
    blockDeviceMappings: JSON.parse(r.block_device_mappings),
    created: r.created,
    manifestSha256: r.manifest_sha256 ?? undefined,
  };
}

const COLUMNS: Record<string, string> = {
  description: 'description',
  kernelId: 'kernel_id',
  ramdiskId: 'ramdisk_id',
  isPublic: 'is_public',
};

export class SqlImageStore implements ImageStore {
  constructor(private readonly db: SqlDatabase) {}

  async insert(i: Image): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO images (id, account_id, type, location, name, description, architecture, kernel_id, ramdisk_id, platform,
           root_device_type, root_device_name, virtualization_type, state, state_reason, size, is_public, block_device_mappings, created, manifest_sha256)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        i.id,
        i.accountId,
        i.type,
        i.location ?? null,
        i.name,
        i.description ?? null,
        i.architecture,
        i.kernelId ?? null,
        i.ramdiskId ?? null,
        i.platform ?? null,
        i.rootDeviceType,
        i.rootDeviceName,
        i.virtualizationType,
        i.state,
        i.stateReason ?? null,
        i.size ?? null,
        i.isPublic ? 1 : 0,
        JSON.stringify(i.blockDeviceMappings),
        i.created,
        i.manifestSha256 ?? null,
      );
  }

  async get(id: string): Promise<Image | undefined> {
    const r = (await this.db.prepare('SELECT * FROM images WHERE id = ?').get(id)) as Row | undefined;
    return r && toImage(r);
  }

  async visibleTo(accountId: string): Promise<Image[]> {
    return (
      (await this.db
        .prepare(
          `SELECT * FROM images WHERE account_id = ? OR is_public = 1
             OR id IN (SELECT image_id FROM image_launch_permissions WHERE account_id = ?) ORDER BY id`,
        )
        .all(accountId, accountId)) as Row[]
    ).map(toImage);
  }

  async all(): Promise<Image[]> {
    return ((await this.db.prepare('SELECT * FROM images ORDER BY id').all()) as Row[]).map(toImage);
  }

  async inState(state: ImageState): Promise<Image[]> {
    return ((await this.db.prepare('SELECT * FROM images WHERE state = ?').all(state)) as Row[]).map(toImage);
  }

  async setState(id: string, state: ImageState, reason?: string, size?: number): Promise<void> {
    await this.db
      .prepare('UPDATE images SET state = ?, state_reason = ?, size = COALESCE(?, size) WHERE id = ?')
      .run(state, reason ?? null, size ?? null, id);
  }

  async update(
    id: string,
    fields: Partial<Pick<Image, 'description' | 'kernelId' | 'ramdiskId' | 'isPublic'>>,
  ): Promise<void> {
    for (const [k, v] of Object.entries(fields)) {
      await this.db
        .prepare(`UPDATE images SET ${COLUMNS[k]} = ? WHERE id = ?`)
        .run(typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null), id);
    }
  }

  async delete(id: string): Promise<void> {
    await this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
  }

  /** Deregisters an image: it goes, and its ID and owner are kept to say so when it is asked for again. */
  async deregister(image: Image): Promise<void> {
    await this.db.transaction(async () => {
      await this.delete(image.id);
      await this.db
        .prepare(
          'INSERT INTO deregistered_images (id, account_id, deregistered) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE ' +
            'SET account_id = excluded.account_id, deregistered = excluded.deregistered',
        )
        .run(image.id, image.accountId, new Date().toISOString());
    });
  }

  /** The account a deregistered image was, when the ID is one. */
  async deregisteredOwner(id: string): Promise<string | undefined> {
    const r = (await this.db.prepare('SELECT account_id FROM deregistered_images WHERE id = ?').get(id)) as
      { account_id: string } | undefined;
    return r?.account_id;
  }

  async launchPermissions(id: string): Promise<string[]> {
    return (
      (await this.db
        .prepare('SELECT account_id FROM image_launch_permissions WHERE image_id = ? ORDER BY account_id')
        .all(id)) as PermissionRow[]
    ).map((r) => r.account_id);
  }

  async permittedAccounts(ids: string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    const stmt = this.db.prepare<PermissionRow>('SELECT account_id FROM image_launch_permissions WHERE image_id = ?');
    for (const id of ids) out.set(id, new Set((await stmt.all(id)).map((r) => r.account_id)));
    return out;
  }

  async addLaunchPermissions(id: string, accountIds: string[]): Promise<void> {
    const stmt = this.db.prepare(
      'INSERT INTO image_launch_permissions (image_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    for (const a of accountIds) await stmt.run(id, a);
  }

  async removeLaunchPermissions(id: string, accountIds: string[]): Promise<void> {
    const stmt = this.db.prepare('DELETE FROM image_launch_permissions WHERE image_id = ? AND account_id = ?');
    for (const a of accountIds) await stmt.run(id, a);
  }

  async productCodes(id: string): Promise<string[]> {
    return (
      (await this.db
        .prepare('SELECT code FROM image_product_codes WHERE image_id = ? ORDER BY code')
        .all(id)) as ProductCodeRow[]
    ).map((r) => r.code);
  }

  async productCodesOf(ids: string[]): Promise<Map<string, string[]>> {
    const wanted = new Set(ids);
    const out = new Map<string, string[]>();
    const rows = await this.db
      .prepare<{ image_id: string; code: string }>('SELECT image_id, code FROM image_product_codes ORDER BY code')
      .all();
    for (const r of rows) if (wanted.has(r.image_id)) out.set(r.image_id, [...(out.get(r.image_id) ?? []), r.code]);
    return out;
  }

  async addProductCodes(id: string, codes: string[]): Promise<void> {
    const stmt = this.db.prepare(
      'INSERT INTO image_product_codes (image_id, code) VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    for (const c of codes) await stmt.run(id, c);
  }
}
