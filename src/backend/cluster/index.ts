/**
 * The cluster controller inside the cloud process: VM types and nodes (the scheduler), the
 * network manager, and the iptables file it renders. What it needs from parts that are not its
 * own is given when it is made: a security group's rules (for the firewall) and the NC protocol
 * client (for node capacity).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDatabase } from '../store/sql';
import { writeFileAtomic } from '../../shared/files';
import { ClusterController, parsePolicy } from './controller';
import { type NetworkConfig } from './network/config';
import { renderIptables, type Rule } from './network/iptables';
import { NetworkManager } from './network/manager';
import { type NodeClient, SqliteNodeStore } from './nodes';
import { SqliteVmTypeStore } from './vm-types';

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
  log?: (line: string) => void;
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

  private constructor(opts: ClusterOptions, network: NetworkManager) {
    this.controller = new ClusterController({
      db: opts.db,
      vmTypes: new SqliteVmTypeStore(opts.db),
      nodes: new SqliteNodeStore(opts.db),
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
  }
}
