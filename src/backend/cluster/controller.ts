/**
 * The cluster controller's scheduler: how many instances of each VM type fit on the nodes
 * (free / max, as `euca-describe-availability-zones verbose` prints), and placing instances on
 * nodes by SCHEDPOLICY — ROUNDROBIN rotates through the nodes, GREEDY fills the first node that
 * has room. Placements are rows in SQLite, so capacity survives a restart and returns when the
 * instances work releases an instance. Node capacity comes from polling the nodes' DescribeResource.
 */
import type { SqlDatabase } from '../store/sql';
import { ServiceError } from '../errors';
import { type NodeAddress, type NodeCapacity, type NodeClient, type NodeRecord, type SqlNodeStore } from './nodes';
import { type SqlVmTypeStore, type VmType } from './vm-types';

export type SchedulingPolicy = 'ROUNDROBIN' | 'GREEDY';

/** One instance's room on a node; give it back with releaseInstance. */
export interface Placement {
  id: number;
  zone: string;
  node: NodeAddress;
  vmType: VmType;
}

export interface VmTypeAvailability extends VmType {
  free: number;
  max: number;
}

export interface ZoneAvailability {
  zone: string;
  vmTypes: VmTypeAvailability[];
  nodes: NodeRecord[];
}

export interface ClusterControllerOptions {
  db: SqlDatabase;
  vmTypes: SqlVmTypeStore;
  nodes: SqlNodeStore;
  /** The NC protocol client; without one, nodes keep the state they last had. */
  client?: NodeClient;
  policy?: SchedulingPolicy;
  /** How long a node has to answer DescribeResource. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * How many instances of a type fit in the given resources, each costing its memory and the
 * node's overhead per instance (what QEMU itself takes).
 */
export function fits(room: NodeCapacity, t: VmType, overheadMiB = 0): number {
  return Math.max(
    0,
    Math.min(
      Math.floor(room.cores / t.cpus),
      Math.floor(room.memoryMiB / (t.memoryMiB + overheadMiB)),
      Math.floor(room.diskGiB / t.diskGiB),
    ),
  );
}

export function parsePolicy(value: string | undefined): SchedulingPolicy {
  const p = (value || 'ROUNDROBIN').toUpperCase();
  if (p !== 'ROUNDROBIN' && p !== 'GREEDY')
    throw new Error(`eucalyptus.conf: SCHEDPOLICY "${value}" is not ROUNDROBIN or GREEDY`);
  return p;
}

const key = (n: NodeAddress) => `${n.host}:${n.port}`;

/** How many polls in a row a node may miss before it counts as unreachable. */
const UNREACHABLE_AFTER = 3;

export class ClusterController {
  readonly vmTypes: SqlVmTypeStore;
  readonly nodes: SqlNodeStore;
  readonly policy: SchedulingPolicy;
  private readonly db: SqlDatabase;
  private readonly client?: NodeClient;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  /** ROUNDROBIN's position per zone: the node that took the last instance. */
  private readonly cursor = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  constructor(opts: ClusterControllerOptions) {
    this.db = opts.db;
    this.vmTypes = opts.vmTypes;
    this.nodes = opts.nodes;
    this.client = opts.client;
    this.policy = opts.policy ?? 'ROUNDROBIN';
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.log = opts.log ?? (() => {});
  }

  async registerNode(zone: string, node: NodeAddress): Promise<void> {
    await this.nodes.register(zone, node);
  }

  /** Asks every node for its resources; one that does not answer in time is marked unreachable. */
  /** Polls in a row a node has not answered. */
  private readonly misses = new Map<string, number>();

  async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await Promise.all(
      (await this.nodes.list()).map(async (n) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<never>(
            (_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), this.timeoutMs)),
          );
          const c = await Promise.race([client.describeResource(n), timeout]);
          await this.nodes.answered(n, c);
          this.misses.delete(key(n));
        } catch (e) {
          // A node busy laying out a large batch may answer late once; only repeated silence counts.
          const misses = (this.misses.get(key(n)) ?? 0) + 1;
          this.misses.set(key(n), misses);
          if (misses < UNREACHABLE_AFTER) return;
          if (n.status !== 'unreachable') this.log(`cluster: node ${key(n)} is unreachable: ${(e as Error).message}`);
          await this.nodes.unreachable(n);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  /** Polls the nodes every `intervalMs` until stop(). */
  start(intervalMs = 5000): void {
    this.stop();
    const tick = () =>
      void this.refresh().catch((e) => this.log(`cluster: polling nodes failed: ${(e as Error).message}`));
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** What each enabled node has left, after the placements on it. */
  private async room(zone: string): Promise<{ node: NodeRecord; total: NodeCapacity; left: NodeCapacity }[]> {
    const used = new Map<string, NodeCapacity>();
    const rows = (await this.db
      .prepare(
        `SELECT p.host, p.port, COUNT(*) AS n, SUM(p.cpus) AS cores, SUM(p.memory_mib) AS mem, SUM(p.disk_gib) AS disk
         FROM placements p JOIN nodes n ON n.host = p.host AND n.port = p.port WHERE n.cluster = ? GROUP BY p.host, p.port`,
      )
      .all(zone)) as { host: string; port: number; n: number; cores: number; mem: number; disk: number }[];
    const counts = new Map(rows.map((r) => [key(r), r.n]));
    for (const r of rows) used.set(key(r), { cores: r.cores, memoryMiB: r.mem, diskGiB: r.disk });
    return (await this.nodes.list(zone))
      .filter((n) => n.status === 'enabled' && n.capacity)
      .map((node) => {
        const total = node.capacity!;
        const u = used.get(key(node)) ?? { cores: 0, memoryMiB: 0, diskGiB: 0 };
        // Each instance placed costs the node its hypervisor's overhead too.
        u.memoryMiB += (counts.get(key(node)) ?? 0) * (total.overheadMiB ?? 0);
        return {
          node,
          total,
          left: {
            cores: total.cores - u.cores,
            memoryMiB: total.memoryMiB - u.memoryMiB,
            diskGiB: total.diskGiB - u.diskGiB,
          },
        };
      });
  }

  /** free / max per VM type for a zone, and its nodes (reachable or not). */
  async availability(zone: string): Promise<ZoneAvailability> {
    const room = await this.room(zone);
    const vmTypes = (await this.vmTypes.list()).map((t) => ({
      ...t,
      free: room.reduce((s, r) => s + fits(r.left, t, r.total.overheadMiB), 0),
      max: room.reduce((s, r) => s + fits(r.total, t, r.total.overheadMiB), 0),
    }));
    return { zone, vmTypes, nodes: await this.nodes.list(zone) };
  }

  /**
   * Reserves room for between `min` and `max` instances of a type, as many as fit, and says where
   * each goes. Fewer than `min` fit: InsufficientInstanceCapacity, and nothing is reserved.
   */
  async placeInstances(zone: string, vmTypeName: string, min: number, max: number): Promise<Placement[]> {
    const vmType = await this.vmTypes.get(vmTypeName);
    if (!vmType) throw new ServiceError('InvalidParameterValue', `Invalid value '${vmTypeName}' for InstanceType`);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new ServiceError('InvalidParameterValue', `Invalid instance count: minimum ${min}, maximum ${max}`);
    }
    return this.db.transaction(async () => {
      const room = await this.room(zone);
      const chosen: NodeRecord[] = [];
      let at = this.startIndex(
        zone,
        room.map((r) => r.node),
      );
      for (let i = 0; i < max; i++) {
        let found = -1;
        for (let step = 0; step < room.length; step++) {
          const j = (at + step) % room.length;
          if (fits(room[j].left, vmType, room[j].total.overheadMiB) > 0) {
            found = j;
            break;
          }
        }
        if (found < 0) break;
        const r = room[found];
        r.left = {
          cores: r.left.cores - vmType.cpus,
          memoryMiB: r.left.memoryMiB - vmType.memoryMiB - (r.total.overheadMiB ?? 0),
          diskGiB: r.left.diskGiB - vmType.diskGiB,
        };
        chosen.push(r.node);
        // GREEDY keeps filling from the first node; ROUNDROBIN moves on past the one just used.
        at = this.policy === 'GREEDY' ? 0 : (found + 1) % room.length;
      }
      if (chosen.length < min) {
        throw new ServiceError(
          'InsufficientInstanceCapacity',
          `Not enough resources ` +
            `available: ${min} ${vmTypeName} instance(s) requested, ${chosen.length} can be placed in ${zone}`,
        );
      }
      if (this.policy === 'ROUNDROBIN' && chosen.length) this.cursor.set(zone, key(chosen[chosen.length - 1]));
      const insert = this.db.prepare<{ id: number }>(
        'INSERT INTO placements (host, port, vm_type, cpus, memory_mib, disk_gib) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      );
      const placements: Placement[] = [];
      for (const n of chosen) {
        const row = await insert.get(n.host, n.port, vmType.name, vmType.cpus, vmType.memoryMiB, vmType.diskGiB);
        placements.push({
          id: Number(row!.id),
          zone,
          node: { host: n.host, port: n.port },
          vmType: { ...vmType },
        });
      }
      return placements;
    });
  }

  /** Gives an instance's room back (on terminate). Releasing twice is harmless. */
  async releaseInstance(placement: Pick<Placement, 'id'>): Promise<void> {
    await this.db.prepare('DELETE FROM placements WHERE id = ?').run(placement.id);
  }

  /** Every placement's id: what recovery checks against the instances that hold them. */
  async placementIds(): Promise<number[]> {
    return ((await this.db.prepare('SELECT id FROM placements ORDER BY id').all()) as { id: number }[]).map(
      (r) => r.id,
    );
  }

  /** ROUNDROBIN starts after the node that took the last instance; GREEDY at the first node. */
  private startIndex(zone: string, nodes: NodeRecord[]): number {
    if (this.policy === 'GREEDY' || !nodes.length) return 0;
    const last = this.cursor.get(zone);
    const i = nodes.findIndex((n) => key(n) === last);
    return i < 0 ? 0 : (i + 1) % nodes.length;
  }
}
