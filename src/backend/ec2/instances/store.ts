/**
 * Instances as the cloud keeps them: the InstanceStore interface and its SQLite implementation.
 * Listing pushes the account, ids and state into SQL so describing one instance among ten
 * thousand reads one row.
 */
import type { SqlDatabase, SqlValue } from '../../store/sql';

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** What a stop or terminate the user asked for says of itself, as EC2 says it. */
export function userInitiated(now = new Date()): Pick<Instance, 'stateReason' | 'transitionReason'> {
  const at = now
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' GMT');
  return {
    stateReason: 'Client.UserInitiatedShutdown: User initiated shutdown',
    transitionReason: `User initiated (${at})`,
  };
}

/** A stopped instance holds no node, place or address: what it was given by its last start. */
export const STOPPED: Partial<Instance> = {
  state: 'stopped',
  node: undefined,
  placementId: undefined,
  publicIp: undefined,
  privateIp: undefined,
  mac: undefined,
  vlan: undefined,
};

export const STATE_CODES: Record<InstanceState, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Instance {
  id: string;
  reservationId: string;
  accountId: string;
  imageId: string;
  kernelId?: string;
  ramdiskId?: string;
  platform?: string;
  architecture: string;
  instanceType: string;
  keyName?: string;
  launchIndex: number;
  state: InstanceState;
  stateReason?: string;
  /** EC2's StateTransitionReason: why the state last changed, as `User initiated (2026-01-01 10:00:00 GMT)`. */
  transitionReason?: string;
  zone: string;
  /** The node controller running it, host:port, and the cluster's placement there. */
  node?: string;
  placementId?: number;
  privateIp?: string;
  publicIp?: string;
  mac?: string;
  vlan?: number;
  groupId: string;
  groupName: string;
  /** Base64, as RunInstances received it. */
  userData?: string;
  addressing: 'public' | 'private';
  shutdownBehavior: 'stop' | 'terminate';
  disableApiTermination: boolean;
  clientToken?: string;
  passwordData?: string;
  launchTime: string;
  endedTime?: string;
  /** EBS-backed instances only: their root is a volume, and they can be stopped and started. */
  rootDeviceType?: 'ebs';
  rootDeviceName?: string;
}

export interface InstanceQuery {
  accountId?: string;
  ids?: string[];
  states?: InstanceState[];
}

export interface InstanceStore {
  insert(instances: Instance[]): Promise<void>;
  get(id: string): Promise<Instance | undefined>;
  list(q: InstanceQuery): Promise<Instance[]>;
  update(id: string, fields: Partial<Instance>): Promise<void>;
  /**
   * Updates the instance only if it is still in one of `states` (checked in the same statement):
   * false when another request moved it first. Every state change a request makes goes this way.
   */
  updateIf(id: string, states: InstanceState[], fields: Partial<Instance>): Promise<boolean>;
  moveNode(from: string, to: string): Promise<number>;
  /** The instances an account launched with a client token (one launch's). */
  withClientToken(accountId: string, token: string): Promise<Instance[]>;
  /** Instances of an account's group that are not terminated. */
  countInGroup(accountId: string, groupName: string): Promise<number>;
  /** Forget terminated instances that ended before this time. */
  purgeEndedBefore(iso: string): Promise<number>;
}

const COLUMNS: Record<keyof Instance, string> = {
  id: 'id',
  reservationId: 'reservation_id',
  accountId: 'account_id',
  imageId: 'image_id',
  kernelId: 'kernel_id',
  ramdiskId: 'ramdisk_id',
  platform: 'platform',
  architecture: 'architecture',
  instanceType: 'instance_type',
  keyName: 'key_name',
  launchIndex: 'launch_index',
  state: 'state',
  stateReason: 'state_reason',
  transitionReason: 'transition_reason',
  zone: 'zone',
  node: 'node',
  placementId: 'placement_id',
  privateIp: 'private_ip',
  publicIp: 'public_ip',
  mac: 'mac',
  vlan: 'vlan',
  groupId: 'group_id',
  groupName: 'group_name',
  userData: 'user_data',
  addressing: 'addressing',
  shutdownBehavior: 'shutdown_behavior',
  disableApiTermination: 'disable_api_termination',
  clientToken: 'client_token',
  passwordData: 'password_data',
  launchTime: 'launch_time',
  endedTime: 'ended_time',
  rootDeviceType: 'root_device_type',
  rootDeviceName: 'root_device_name',
};
const FIELDS = Object.keys(COLUMNS) as (keyof Instance)[];

/** A row of instances: each field's column (COLUMNS), read and written by the one mapping below. */
type Row = Record<string, SqlValue>;

function toInstance(r: Row): Instance {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = r[COLUMNS[f]];
    if (v !== null && v !== undefined) out[f] = f === 'disableApiTermination' ? !!v : v;
  }
  if (out.disableApiTermination === undefined) out.disableApiTermination = false;
  return out as unknown as Instance;
}

const toColumn = (v: unknown): SqlValue =>
  v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : (v as SqlValue);

export class SqlInstanceStore implements InstanceStore {
  private readonly insertStmt;

  constructor(private readonly db: SqlDatabase) {
    this.insertStmt = db.prepare(
      `INSERT INTO instances ` +
        `(${FIELDS.map((f) => COLUMNS[f]).join(', ')}) VALUES (${FIELDS.map(() => '?').join(', ')})`,
    );
  }

  async insert(instances: Instance[]): Promise<void> {
    await this.db.transaction(async () => {
      for (const i of instances) await this.insertStmt.run(...FIELDS.map((f) => toColumn(i[f])));
    });
  }

  async get(id: string): Promise<Instance | undefined> {
    const r = (await this.db.prepare('SELECT * FROM instances WHERE id = ?').get(id)) as Row | undefined;
    return r && toInstance(r);
  }

  async list(q: InstanceQuery): Promise<Instance[]> {
    const where: string[] = [];
    const args: SqlValue[] = [];
    if (q.accountId) {
      where.push('account_id = ?');
      args.push(q.accountId);
    }
    if (q.ids?.length) {
      where.push(`id IN (${q.ids.map(() => '?').join(', ')})`);
      args.push(...q.ids);
    }
    if (q.states?.length) {
      where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
      args.push(...q.states);
    }
    const sql = `SELECT * FROM instances ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY launch_time, reservation_id, launch_index`;
    return ((await this.db.prepare(sql).all(...args)) as Row[]).map(toInstance);
  }

  async update(id: string, fields: Partial<Instance>): Promise<void> {
    const keys = Object.keys(fields) as (keyof Instance)[];
    if (!keys.length) return;
    await this.db
      .prepare(`UPDATE instances SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`)
      .run(...keys.map((k) => toColumn(fields[k])), id);
  }

  async updateIf(id: string, states: InstanceState[], fields: Partial<Instance>): Promise<boolean> {
    const keys = Object.keys(fields) as (keyof Instance)[];
    const r = await this.db
      .prepare(
        `UPDATE instances SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE id = ? ` +
          `AND state IN (${states.map(() => '?').join(', ')})`,
      )
      .run(...keys.map((k) => toColumn(fields[k])), id, ...states);
    return r.changes > 0;
  }

  async withClientToken(accountId: string, token: string): Promise<Instance[]> {
    return (
      (await this.db
        .prepare('SELECT * FROM instances WHERE account_id = ? AND client_token = ? ORDER BY launch_index')
        .all(accountId, token)) as Row[]
    ).map(toInstance);
  }

  /** The instances placed on a node that now answers at another address go with it. */
  async moveNode(from: string, to: string): Promise<number> {
    return (await this.db.prepare('UPDATE instances SET node = ? WHERE node = ?').run(to, from)).changes;
  }

  async countInGroup(accountId: string, groupName: string): Promise<number> {
    return (await this.db
      .prepare<{ n: number }>(
        `SELECT COUNT(*) AS n FROM instances WHERE account_id = ? AND group_name = ? AND state != 'terminated'`,
      )
      .get(accountId, groupName))!.n;
  }

  async purgeEndedBefore(iso: string): Promise<number> {
    return (await this.db.prepare(`DELETE FROM instances WHERE state = 'terminated' AND ended_time < ?`).run(iso))
      .changes;
  }
}
