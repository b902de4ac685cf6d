/**
 * The network manager: gives instances their addresses by networking mode and keeps the pool of
 * public addresses. SYSTEM hands out addresses of the subnet as a DHCP server would (public equal
 * to private); STATIC gives out VNET_MACMAP pairs first come, first served; the MANAGED modes give
 * every active security group (account, group name) its own network of VNET_ADDRSPERNET
 * addresses (and in MANAGED a VLAN tag), and public addresses from VNET_PUBLICIPS at boot or as
 * elastic IPs. Everything is bookkeeping in SQLite: nothing here touches a real network.
 */
import type { SqlDatabase } from '../../store/sql';
import { ServiceError } from '../../errors';
import { type NetworkConfig, FIRST_VLAN, isManaged } from './config';
import { intToIp, ipToInt, macForIp, managedNetwork, type ManagedNetwork, networkHost, subnetSize } from './ip';

export type Addressing = 'public' | 'private';

/** What an instance is given: the `network` of the NC protocol's RunInstance. */
export interface InstanceAddresses {
  mac: string;
  privateIp: string;
  publicIp?: string;
  vlan?: number;
}

export interface GroupNetwork extends ManagedNetwork {
  accountId: string;
  groupName: string;
  vlan?: number;
  /** CIDR of the network, e.g. 10.128.0.0/27. */
  cidr: string;
}

export interface PublicAddress {
  ip: string;
  accountId?: string;
  kind?: 'elastic' | 'boot';
  instanceId?: string;
  privateIp?: string;
}

/** A row of public_addresses. */
interface PublicRow {
  ip: string;
  account_id: string | null;
  kind: PublicAddress['kind'] | null;
  instance_id: string | null;
  private_ip: string | null;
}
/** A row of group_networks. */
interface NetworkRow {
  net_index: number;
  account_id: string;
  group_name: string;
  vlan: number | null;
}
/** A row of address_leases. */
interface LeaseRow {
  private_ip: string;
  mac: string;
  account_id: string;
  group_name: string;
  net_index: number | null;
  instance_id: string | null;
}
const toPublic = (r: PublicRow): PublicAddress => ({
  ip: r.ip,
  accountId: r.account_id ?? undefined,
  kind: r.kind ?? undefined,
  instanceId: r.instance_id ?? undefined,
  privateIp: r.private_ip ?? undefined,
});
const noCapacity = (message: string) => new ServiceError('InsufficientAddressCapacity', message);

export class NetworkManager {
  /** Called after any change the rendered firewall rules depend on. */
  onChange: () => void = () => {};

  private constructor(
    private readonly db: SqlDatabase,
    readonly config: NetworkConfig,
  ) {}

  /** The manager of this configuration, its public pool brought in line with it. */
  static async open(db: SqlDatabase, config: NetworkConfig): Promise<NetworkManager> {
    const manager = new NetworkManager(db, config);
    await manager.syncPublicPool();
    return manager;
  }

  /** Where the search for a free host of each group network starts next. */
  private readonly nextHost = new Map<number, number>();

  get managed(): boolean {
    return isManaged(this.config.mode);
  }

  /** Brings the pool in line with VNET_PUBLICIPS: adds new addresses, drops unused removed ones. */
  private async syncPublicPool(): Promise<void> {
    const wanted = new Set(this.config.publicIps);
    await this.db.transaction(async () => {
      const insert = this.db.prepare('INSERT INTO public_addresses (ip) VALUES (?) ON CONFLICT DO NOTHING');
      for (const ip of wanted) await insert.run(ip);
      for (const r of (await this.db
        .prepare('SELECT ip FROM public_addresses WHERE account_id IS NULL')
        .all()) as PublicRow[]) {
        if (!wanted.has(r.ip)) await this.db.prepare('DELETE FROM public_addresses WHERE ip = ?').run(r.ip);
      }
    });
  }

  /**
   * Addresses for a new instance in a security group. `instanceId`, when known, is recorded with
   * them (bindInstance records it later otherwise). Runs out → InsufficientAddressCapacity.
   */
  async allocateInstanceAddresses(
    accountId: string,
    groupName: string,
    addressing: Addressing = 'public',
    instanceId?: string,
  ): Promise<InstanceAddresses> {
    const out = await this.db.transaction(async (): Promise<InstanceAddresses> => {
      const c = this.config;
      if (c.mode === 'STATIC') {
        const leased = await this.leasedIps();
        const pair = c.macmap.find((p) => !leased.has(p.ip));
        if (!pair) throw noCapacity(`No free address left: all ${c.macmap.length} VNET_MACMAP pairs are in use`);
        await this.lease(pair.ip, pair.mac, accountId, groupName, null, instanceId);
        return { mac: pair.mac, privateIp: pair.ip, publicIp: pair.ip };
      }
      if (c.mode === 'SYSTEM') {
        const leased = await this.leasedIps();
        const base = ipToInt(c.subnet);
        const size = subnetSize(c.netmask);
        // The network address, the router (.1) and the broadcast address are never handed out.
        for (let i = 2; i < size - 1; i++) {
          const ip = intToIp(base + i);
          if (leased.has(ip)) continue;
          const mac = macForIp(ip);
          await this.lease(ip, mac, accountId, groupName, null, instanceId);
          return { mac, privateIp: ip, publicIp: ip };
        }
        throw noCapacity(`No free address left in ${c.subnet}/${c.netmask}`);
      }
      const net = await this.ensureGroupNetwork(accountId, groupName);
      const ip = await this.freeHost(net.index);
      if (!ip)
        throw noCapacity(
          `No free address left in the network of security group ${groupName}: it holds ${c.addrsPerNet - 3} instances`,
        );
      const mac = macForIp(ip);
      await this.lease(ip, mac, accountId, groupName, net.index, instanceId);
      const result: InstanceAddresses = { mac, privateIp: ip, vlan: net.vlan };
      if (addressing === 'public') {
        const free = (await this.db
          .prepare('SELECT ip FROM public_addresses WHERE account_id IS NULL ORDER BY ip')
          .all()) as PublicRow[];
        const pub = free.map((r) => r.ip as string).sort((a, b) => ipToInt(a) - ipToInt(b))[0];
        // No public address left: the instance still runs, reachable on its private address.
        if (pub) {
          await this.db
            .prepare(
              `UPDATE public_addresses SET account_id = ?, kind = 'boot', instance_id = ?, private_ip = ? WHERE ip = ?`,
            )
            .run(accountId, instanceId ?? null, ip, pub);
          result.publicIp = pub;
        }
      }
      if (result.vlan === undefined) delete result.vlan;
      return result;
    });
    this.onChange();
    return out;
  }

  /** Every leased private address: what recovery checks against the instances that hold them. */
  async leasedAddresses(): Promise<string[]> {
    return [...(await this.leasedIps())];
  }

  /** Records which instance holds a private address (and its boot-time public address). */
  async bindInstance(privateIp: string, instanceId: string): Promise<void> {
    await this.db.prepare('UPDATE address_leases SET instance_id = ? WHERE private_ip = ?').run(instanceId, privateIp);
    await this.db
      .prepare(`UPDATE public_addresses SET instance_id = ? WHERE private_ip = ? AND kind = 'boot'`)
      .run(instanceId, privateIp);
  }

  /**
   * Gives an instance's addresses back (on terminate): its lease, its boot-time public address,
   * and any elastic IP associated with it (which stays allocated to its account). A group network
   * with no instance left is freed.
   */
  async releaseInstanceAddresses(addresses: Pick<InstanceAddresses, 'privateIp'>): Promise<void> {
    await this.db.transaction(async () => {
      const lease = (await this.db
        .prepare('SELECT * FROM address_leases WHERE private_ip = ?')
        .get(addresses.privateIp)) as LeaseRow | undefined;
      await this.db
        .prepare(
          `UPDATE public_addresses SET account_id = NULL, kind = NULL, instance_id = NULL, private_ip = NULL ` +
            `WHERE private_ip = ? AND kind = 'boot'`,
        )
        .run(addresses.privateIp);
      await this.db
        .prepare(
          `UPDATE public_addresses SET instance_id = NULL, private_ip = NULL WHERE private_ip = ? AND kind = 'elastic'`,
        )
        .run(addresses.privateIp);
      if (!lease) return;
      await this.db.prepare('DELETE FROM address_leases WHERE private_ip = ?').run(addresses.privateIp);
      if (lease.net_index !== null) {
        const left = (await this.db
          .prepare<{ n: number }>('SELECT COUNT(*) AS n FROM address_leases WHERE net_index = ?')
          .get(lease.net_index))!;
        if (!left.n) {
          await this.db.prepare('DELETE FROM group_networks WHERE net_index = ?').run(lease.net_index);
          this.nextHost.delete(lease.net_index); // a network given to another group starts at its first host
        }
      }
    });
    this.onChange();
  }

  /** The networks of the active security groups (MANAGED modes), in index order. */
  async groupNetworks(): Promise<GroupNetwork[]> {
    return ((await this.db.prepare('SELECT * FROM group_networks ORDER BY net_index').all()) as NetworkRow[]).map((r) =>
      this.toGroupNetwork(r),
    );
  }

  async groupNetwork(accountId: string, groupName: string): Promise<GroupNetwork | undefined> {
    const r = (await this.db
      .prepare('SELECT * FROM group_networks WHERE account_id = ? AND group_name = ?')
      .get(accountId, groupName)) as NetworkRow | undefined;
    return r && this.toGroupNetwork(r);
  }

  async publicAddresses(): Promise<PublicAddress[]> {
    return ((await this.db.prepare('SELECT * FROM public_addresses').all()) as PublicRow[])
      .map(toPublic)
      .sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip));
  }

  async publicAddress(ip: string): Promise<PublicAddress | undefined> {
    const r = (await this.db.prepare('SELECT * FROM public_addresses WHERE ip = ?').get(ip)) as PublicRow | undefined;
    return r && toPublic(r);
  }

  /** The public address an instance is reachable at, if any (elastic first). */
  async publicAddressOf(instanceId: string): Promise<string | undefined> {
    const r = (await this.db
      .prepare(
        `SELECT ip FROM public_addresses WHERE instance_id = ? ORDER BY CASE WHEN kind = 'elastic' THEN 1 ELSE 0 END DESC, ip LIMIT 1`,
      )
      .get(instanceId)) as PublicRow | undefined;
    return r?.ip;
  }

  /** The public address each instance holding one is reachable at (elastic first), in one query. */
  async publicAddressesByInstance(): Promise<Map<string, string>> {
    const rows = await this.db
      .prepare<Pick<PublicRow, 'ip' | 'instance_id'>>(
        `SELECT ip, instance_id FROM public_addresses WHERE instance_id IS NOT NULL ORDER BY CASE WHEN kind = 'elastic' THEN 1 ELSE 0 END, ip`,
      )
      .all();
    // Ordered elastic last: an instance's elastic IP overwrites its boot-time address.
    return new Map(rows.map((r) => [r.instance_id!, r.ip]));
  }

  /** Elastic IPs: the lowest free pool address, now the account's. */
  async allocateElastic(accountId: string): Promise<string> {
    const ip = await this.db.transaction(async () => {
      const free = (
        (await this.db.prepare('SELECT ip FROM public_addresses WHERE account_id IS NULL').all()) as PublicRow[]
      ).map((r) => r.ip as string);
      if (!free.length)
        throw new ServiceError(
          'AddressLimitExceeded',
          'Too many addresses allocated: no public address is left in the pool (VNET_PUBLICIPS)',
        );
      const pick = free.sort((a, b) => ipToInt(a) - ipToInt(b))[0];
      await this.db
        .prepare(`UPDATE public_addresses SET account_id = ?, kind = 'elastic' WHERE ip = ?`)
        .run(accountId, pick);
      return pick;
    });
    return ip;
  }

  /**
   * Points an elastic IP at an instance's private address. The instance's boot-time public
   * address, if it had one, goes back to the pool; an address associated elsewhere moves.
   */
  /*
   * The elastic IP operations change an address only while it is still the account's elastic IP
   * (checked in the same statement): false when it changed hands since the caller looked.
   */

  async associateElastic(ip: string, accountId: string, instanceId: string, privateIp: string): Promise<boolean> {
    const done = await this.db.transaction(async () => {
      const taken = await this.db
        .prepare(
          `UPDATE public_addresses SET instance_id = ?, private_ip = ? WHERE ip = ? AND account_id = ? ` +
            `AND kind = 'elastic'`,
        )
        .run(instanceId, privateIp, ip, accountId);
      if (!taken.changes) return false;
      await this.db
        .prepare(
          `UPDATE public_addresses SET account_id = NULL, kind = NULL, instance_id = NULL, private_ip = NULL ` +
            `WHERE instance_id = ? AND kind = 'boot'`,
        )
        .run(instanceId);
      await this.db
        .prepare(
          `UPDATE public_addresses SET instance_id = NULL, private_ip = NULL WHERE instance_id = ? AND kind ` +
            `= 'elastic' AND ip <> ?`,
        )
        .run(instanceId, ip);
      return true;
    });
    if (done) this.onChange();
    return done;
  }

  async disassociateElastic(ip: string, accountId: string): Promise<boolean> {
    const r = await this.db
      .prepare(
        `UPDATE public_addresses SET instance_id = NULL, private_ip = NULL WHERE ip = ? AND account_id = ? ` +
          `AND kind = 'elastic'`,
      )
      .run(ip, accountId);
    this.onChange();
    return r.changes > 0;
  }

  async releaseElastic(ip: string, accountId: string): Promise<boolean> {
    const r = await this.db
      .prepare(
        'UPDATE public_addresses SET account_id = NULL, kind = NULL, instance_id = NULL, private_ip = NULL ' +
          `WHERE ip = ? AND account_id = ? AND kind = 'elastic' AND instance_id IS NULL`,
      )
      .run(ip, accountId);
    this.onChange();
    return r.changes > 0;
  }

  private toGroupNetwork(r: NetworkRow): GroupNetwork {
    const net = managedNetwork(this.config.subnet, this.config.addrsPerNet, r.net_index);
    const prefix = 32 - Math.log2(this.config.addrsPerNet);
    return {
      ...net,
      accountId: r.account_id,
      groupName: r.group_name,
      vlan: r.vlan ?? undefined,
      cidr: `${net.network}/${prefix}`,
    };
  }

  private async ensureGroupNetwork(accountId: string, groupName: string): Promise<GroupNetwork> {
    const have = await this.groupNetwork(accountId, groupName);
    if (have) return have;
    const used = new Set(
      ((await this.db.prepare('SELECT net_index FROM group_networks').all()) as NetworkRow[]).map(
        (r) => r.net_index as number,
      ),
    );
    let index = 0;
    while (used.has(index)) index++;
    if (index >= this.config.networks) {
      throw noCapacity(
        `No free network for security ` +
          `group ${groupName}: all ${this.config.networks} security group networks are in use`,
      );
    }
    const vlan = this.config.mode === 'MANAGED' ? FIRST_VLAN + index : null;
    await this.db
      .prepare('INSERT INTO group_networks (net_index, account_id, group_name, vlan) VALUES (?, ?, ?, ?)')
      .run(index, accountId, groupName, vlan);
    return (await this.groupNetwork(accountId, groupName))!;
  }

  /**
   * The first free host of a group network, probing from where the last search ended (a hint kept
   * in memory), so handing out the n-th address costs a probe or two, not a scan of n leases.
   */
  private async freeHost(netIndex: number): Promise<string | undefined> {
    const c = this.config;
    const hosts = c.addrsPerNet - 3; // network, router and broadcast are never handed out
    const taken = this.db.prepare<{ one: number }>('SELECT 1 AS one FROM address_leases WHERE private_ip = ?');
    const start = this.nextHost.get(netIndex) ?? 0;
    for (let k = 0; k < hosts; k++) {
      const offset = (start + k) % hosts;
      const ip = networkHost(c.subnet, c.addrsPerNet, netIndex, offset);
      if (!(await taken.get(ip))) {
        this.nextHost.set(netIndex, (offset + 1) % hosts);
        return ip;
      }
    }
    return undefined;
  }

  private async leasedIps(netIndex?: number): Promise<Set<string>> {
    const rows =
      netIndex === undefined
        ? await this.db.prepare('SELECT private_ip FROM address_leases').all()
        : await this.db.prepare('SELECT private_ip FROM address_leases WHERE net_index = ?').all(netIndex);
    return new Set((rows as LeaseRow[]).map((r) => r.private_ip as string));
  }

  private async lease(
    ip: string,
    mac: string,
    accountId: string,
    groupName: string,
    netIndex: number | null,
    instanceId?: string,
  ): Promise<void> {
    await this.db
      .prepare(
        'INSERT INTO address_leases (private_ip, mac, account_id, group_name, net_index, instance_id) VALUES ' +
          '(?, ?, ?, ?, ?, ?)',
      )
      .run(ip, mac, accountId, groupName, netIndex, instanceId ?? null);
  }
}
