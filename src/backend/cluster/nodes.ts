/**
 * Node controllers as the cluster controller knows them: where each answers, whether it did the
 * last time it was asked, and the capacity it reported (cores, memory, disk) through the NC
 * protocol's DescribeResource. The client is injected (NodeClient) so the protocol library can
 * be wired in by the cloud and a fake given by tests.
 */
import type { NetworkRequest } from '../../shared/nc-protocol';
import type { SqlDatabase } from '../store/sql';

export interface NodeAddress {
  host: string;
  port: number;
}

export interface NodeCapacity {
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  /** What each instance costs the node beyond its guest memory (QEMU's own), in MiB. */
  overheadMiB?: number;
  /** What runs its instances: kvm, qemu or simulated. */
  hypervisor?: string;
}

/** What the cluster needs of the NC protocol client. */
export interface NodeClient {
  describeResource(node: NodeAddress): Promise<NodeCapacity>;
  /** Tells a node (host:port) an instance's public address and forwarded ports. */
  configureNetwork?(node: string, req: NetworkRequest): Promise<void>;
}

export type NodeStatus = 'enabled' | 'unreachable';

export interface NodeRecord extends NodeAddress {
  cluster: string;
  status: NodeStatus;
  registered: string;
  lastSeen?: string;
  capacity?: NodeCapacity;
}

/** A row of nodes. */
interface Row {
  host: string;
  port: number;
  cluster: string;
  status: NodeRecord['status'];
  registered: string;
  last_seen: string | null;
  /** JSON of NodeCapacity */
  capacity: string | null;
}
const toNode = (r: Row): NodeRecord => ({
  host: r.host,
  port: r.port,
  cluster: r.cluster,
  status: r.status,
  registered: r.registered,
  lastSeen: r.last_seen ?? undefined,
  capacity: r.capacity ? JSON.parse(r.capacity) : undefined,
});

export class SqlNodeStore {
  constructor(private readonly db: SqlDatabase) {}

  /** Registers a node (again): a new one starts unreachable until it answers. */
  async register(cluster: string, node: NodeAddress): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO nodes (host, port, cluster, status, registered) VALUES (?, ?, ?, 'unreachable', ?)
         ON CONFLICT(host, port) DO UPDATE SET cluster = excluded.cluster`,
      )
      .run(node.host, node.port, cluster, new Date().toISOString());
  }

  /**
   * The same node controller answering at a new address (the local node, restarted on another
   * port): its registration and the placements on it move there, in one transaction.
   */
  async move(from: NodeAddress, to: NodeAddress): Promise<void> {
    await this.db.transaction(async () => {
      const old = (await this.db
        .prepare('SELECT cluster FROM nodes WHERE host = ? AND port = ?')
        .get(from.host, from.port)) as { cluster: string } | undefined;
      if (!old) return;
      await this.register(old.cluster, to);
      await this.db
        .prepare('UPDATE placements SET host = ?, port = ? WHERE host = ? AND port = ?')
        .run(to.host, to.port, from.host, from.port);
      await this.deregister(from);
    });
  }

  async deregister(node: NodeAddress): Promise<boolean> {
    return (
      (await this.db.prepare('DELETE FROM nodes WHERE host = ? AND port = ?').run(node.host, node.port)).changes > 0
    );
  }

  /** A cluster's nodes (every node without one), in a stable order: the scheduler's order. */
  async list(cluster?: string): Promise<NodeRecord[]> {
    const rows =
      cluster === undefined
        ? await this.db.prepare('SELECT * FROM nodes ORDER BY cluster, host, port').all()
        : await this.db.prepare('SELECT * FROM nodes WHERE cluster = ? ORDER BY host, port').all(cluster);
    return (rows as Row[]).map(toNode);
  }

  async answered(node: NodeAddress, capacity: NodeCapacity, at = new Date()): Promise<void> {
    await this.db
      .prepare(`UPDATE nodes SET status = 'enabled', last_seen = ?, capacity = ? WHERE host = ? AND port = ?`)
      .run(at.toISOString(), JSON.stringify(capacity), node.host, node.port);
  }

  async unreachable(node: NodeAddress): Promise<void> {
    await this.db
      .prepare(`UPDATE nodes SET status = 'unreachable' WHERE host = ? AND port = ?`)
      .run(node.host, node.port);
  }
}
