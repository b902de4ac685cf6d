/**
 * The cluster controller inside the cloud process: VM types and nodes (the scheduler), the
 * network manager, the iptables file it renders, and the part of that firewall nodes do apply:
 * each instance's public address and the ports its security group opens, forwarded by its node
 * to the guest (QEMU). What it needs from parts that are not its own is given when it is made: a
 * security group's rules, the instances that run, and the NC protocol client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDatabase } from '../store/sql';
import { writeFileAtomic } from '../../shared/files';
import { ClusterController, parsePolicy } from './controller';
import { type NetworkConfig } from './network/config';
import { openPorts } from './network/forwards';
import { renderIptables, type Rule } from './network/iptables';
import { NetworkManager } from './network/manager';
import { type NodeClient, SqlNodeStore } from './nodes';
import { SqlVmTypeStore } from './vm-types';

export interface ClusterOptions {
  db: SqlDatabase;
  conf: Record<string, string>;
  network: NetworkConfig;
  dataDir: string;
  accountName: (accountId: string) => Promise<string | undefined>;
  /** The NC protocol client the controller asks nodes with. */
  client: NodeClient;
  /** A security group's ingress rules, for the firewall. */
  groupRules: (accountId: string, groupName: string) => Promise<Rule[]>;
  /** The instances pending or running, with their node and group, whose ports nodes forward. */
  liveInstances: () => Promise<LiveInstance[]>;
  log?: (line: string) => void;
}

export interface LiveInstance {
  instanceId: string;
  /** host:port of its node controller. */
  node: string;
  accountId: string;
  groupName: string;
}

/** Where the rendered firewall goes, under the data dir. */
export function iptablesFile(dataDir: string): string {
  return path.join(dataDir, 'var', 'lib', 'eucalyptus', 'network', 'iptables-rules');
}

export class ClusterServices {
  readonly controller: ClusterController;
  readonly network: NetworkManager;
  private readonly rulesFile: string;
  private renderPending = false;
  private rendering: Promise<void> = Promise.resolve();
  private readonly accountName: ClusterOptions['accountName'];
  private readonly groupRules: ClusterOptions['groupRules'];
  private readonly liveInstances: ClusterOptions['liveInstances'];
  private readonly client: ClusterOptions['client'];
  private readonly log: ClusterOptions['log'];
  /** What each instance's node was last told (publicIp and ports), to tell it only changes. */
  private readonly told = new Map<string, string>();
  /** What each instance's node could not be told, as last logged (said once, not every retry). */
  private readonly untold = new Map<string, string>();
  private retry?: NodeJS.Timeout;

  private constructor(opts: ClusterOptions, network: NetworkManager) {
    this.controller = new ClusterController({
      db: opts.db,
      vmTypes: new SqlVmTypeStore(opts.db),
      nodes: new SqlNodeStore(opts.db),
      client: opts.client,
      policy: parsePolicy(opts.conf.SCHEDPOLICY),
      log: opts.log,
    });
    this.network = network;
    // Many changes in one request (an instance batch) render the file once, right after.
    this.network.onChange = () => {
      if (this.renderPending) return;
      this.renderPending = true;
      setImmediate(() => {
        this.renderPending = false;
        this.renderNetworkRules().catch((e: Error) => opts.log?.(`network rules not written: ${e.message}`));
      });
    };
    this.rulesFile = iptablesFile(opts.dataDir);
    this.accountName = opts.accountName;
    this.groupRules = opts.groupRules;
    this.liveInstances = opts.liveInstances;
    this.client = opts.client;
    this.log = opts.log;
  }

  static async open(opts: ClusterOptions): Promise<ClusterServices> {
    return new ClusterServices(opts, await NetworkManager.open(opts.db, opts.network));
  }

  /**
   * Writes the iptables-save file (MANAGED modes); call it too when a group's rules change.
   * Renders run one after another, each from what the store holds when it starts: the file is
   * never written from a mix of two moments, nor an older one after a newer.
   */
  renderNetworkRules(): Promise<void> {
    const next = this.rendering.then(
      () => this.render(),
      () => this.render(),
    );
    this.rendering = next.catch(() => undefined);
    return next;
  }

  private async render(): Promise<void> {
    if (!this.network.managed) return;
    const c = this.network.config;
    const networks = await this.network.groupNetworks();
    // The rules and account names the file is written from, read before it is rendered.
    const rules = new Map<string, Rule[]>();
    const names = new Map<string, string>();
    for (const n of networks) {
      rules.set(`${n.accountId}/${n.groupName}`, await this.groupRules(n.accountId, n.groupName));
      if (!names.has(n.accountId)) names.set(n.accountId, (await this.accountName(n.accountId)) ?? n.accountId);
    }
    const text = renderIptables({
      subnet: c.subnet,
      netmask: c.netmask,
      networks,
      publicAddresses: await this.network.publicAddresses(),
      groupRules: (accountId, groupName) => rules.get(`${accountId}/${groupName}`) ?? [],
      accountName: (id) => names.get(id) ?? id,
    });
    fs.mkdirSync(path.dirname(this.rulesFile), { recursive: true, mode: 0o755 });
    writeFileAtomic(this.rulesFile, text, 0o644);
    await this.tellNodes(async (accountId, groupName) => rules.get(`${accountId}/${groupName}`) ?? []);
  }

  /** The ports an instance of this group has forwarded (RunInstance carries them). */
  async portsFor(accountId: string, groupName: string): Promise<ReturnType<typeof openPorts>> {
    return this.network.managed ? openPorts(await this.groupRules(accountId, groupName)) : [];
  }

  /**
   * Tells each live instance's node its public address and forwarded ports where they changed. A
   * node that does not know the instance yet (its RunInstance is on the way, with them) or cannot
   * be reached is told again at the next render.
   */
  private async tellNodes(rulesOf: (accountId: string, groupName: string) => Promise<Rule[]>): Promise<void> {
    const configure = this.client.configureNetwork?.bind(this.client);
    if (!configure) return;
    const live = await this.liveInstances();
    const publicIps = new Map(
      (await this.network.publicAddresses()).filter((a) => a.instanceId).map((a) => [a.instanceId!, a.ip]),
    );
    const ids = new Set(live.map((i) => i.instanceId));
    for (const id of this.told.keys()) if (!ids.has(id)) this.told.delete(id);
    for (const id of this.untold.keys()) if (!ids.has(id)) this.untold.delete(id);
    let failed = false;
    await Promise.all(
      live.map(async (i) => {
        const request = {
          instanceId: i.instanceId,
          publicIp: publicIps.get(i.instanceId),
          ports: openPorts(await rulesOf(i.accountId, i.groupName)),
        };
        const said = JSON.stringify(request);
        if (this.told.get(i.instanceId) === said) return;
        try {
          await configure(i.node, request);
          this.told.set(i.instanceId, said);
          this.untold.delete(i.instanceId);
        } catch (e) {
          failed = true;
          const why = (e as Error).message;
          if (this.untold.get(i.instanceId) !== why)
            this.log?.(`${i.instanceId}: its node ${i.node} was not told its network: ${why}`);
          this.untold.set(i.instanceId, why);
        }
      }),
    );
    // Told again shortly: an address moving between instances is free once its last owner lets go.
    if (failed && !this.retry)
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.renderNetworkRules().catch(() => undefined);
      }, 5000).unref();
  }
}
