/**
 * Keeps instance states true to what the node controllers report: pending instances become
 * running when their node says so, and instances a node no longer knows are lost. Polls the
 * nodes that have instances in flight, and every node now and then: what a node runs that the
 * cloud has ended or never heard of (an instance whose termination a crash cut short, which the
 * node booted again) is terminated there. Terminated instances are forgotten an hour after they
 * ended (EC2 shows them for a while, then not).
 */
import { type ComputeServices } from './services';
import { type Instance, type InstanceStore } from './store';

/** Every this many polls, every node is looked at, not only those with instances in flight. */
const SWEEP_EVERY = 20;

export class InstanceMonitor {
  private timer?: NodeJS.Timeout;
  private current?: Promise<void>;
  /** Pending instances a node has listed: if it stops listing them, it lost them (it restarted). */
  private readonly seenPending = new Set<string>();

  constructor(
    private readonly instances: InstanceStore,
    private readonly services: ComputeServices,
    private readonly log: (line: string) => void,
    /** How long terminated instances stay listed (read at every poll: a property changes it live). */
    private readonly forgetAfterMs: () => Promise<number> = async () => 60 * 60 * 1000,
    /** An instance its node, answering, no longer runs (the node restarted; a boot failed: why). */
    private readonly lost: (i: Instance, why?: string) => Promise<void> = async () => undefined,
    /** Every registered node, looked at every SWEEP_EVERY polls for strays. */
    private readonly allNodes: () => Promise<string[]> = async () => [],
    private readonly intervalMs = 500,
  ) {}

  private polls = 0;

  /**
   * Launches a front end's stop cut short (the cloud starting alone, or a dead front end's, taken
   * over) may never have reached their node: each is confirmed by its node's next answer, or lost.
   */
  confirmPending(pending: Instance[]): void {
    for (const i of pending) this.seenPending.add(i.id);
  }

  /** Starts polling (again after a stop: never twice). */
  async start(): Promise<void> {
    this.stop();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the nodes; while one is under way, that one. */
  poll(): Promise<void> {
    this.current ??= this.pollOnce().finally(() => (this.current = undefined));
    return this.current;
  }

  /**
   * A look at the nodes that starts now (after whatever look is under way): at start-up, once
   * the cloud's own node is back, so that what it lost is settled before the cloud answers.
   */
  async confirm(): Promise<void> {
    await this.current;
    await this.poll();
  }

  private async pollOnce(): Promise<void> {
    const inFlight = await this.instances.list({ states: ['pending', 'running'] });
    const nodes = new Set(inFlight.filter((i) => i.node).map((i) => i.node!));
    if (this.polls++ % SWEEP_EVERY === 0) for (const n of await this.allNodes()) nodes.add(n);
    for (const node of nodes) {
      let states: Map<string, string>;
      let reasons: Map<string, string | undefined>;
      try {
        const listed = await this.services.nodes.describeInstances(node);
        states = new Map(listed.map((s) => [s.instanceId, s.state]));
        reasons = new Map(listed.map((s) => [s.instanceId, s.reason]));
      } catch (e) {
        this.log(`node ${node} unreachable: ${(e as Error).message}`);
        continue;
      }
      await this.stopStrays(node, states, inFlight);
      for (const i of inFlight.filter((x) => x.node === node)) {
        const there = states.get(i.id);
        if (i.state === 'pending' && there !== undefined && there !== 'terminated') this.seenPending.add(i.id);
        if (i.state === 'pending' && there === 'running') {
          await this.instances.update(i.id, { state: 'running' });
          this.seenPending.delete(i.id);
        } else if (
          (i.state === 'running' || this.seenPending.has(i.id)) &&
          (there === undefined || there === 'terminated')
        ) {
          // An instance the node ran (or was booting), which it no longer has: it is gone.
          this.seenPending.delete(i.id);
          await this.lost(i, reasons.get(i.id));
        }
      }
    }
    await this.instances.purgeEndedBefore(new Date(Date.now() - (await this.forgetAfterMs())).toISOString());
  }

  /** Terminates on a node what it runs that the cloud has ended, moved elsewhere or never had. */
  private async stopStrays(node: string, states: Map<string, string>, inFlight: Instance[]): Promise<void> {
    const onNode = new Set(inFlight.filter((i) => i.node === node).map((i) => i.id));
    for (const [id, state] of states) {
      // What the cloud has pending or running here is no stray: only the rest is looked up.
      if (state === 'terminated' || state === 'shutting-down' || onNode.has(id)) continue;
      const record = await this.instances.get(id);
      const held = record && record.node === node && record.state !== 'terminated' && record.state !== 'stopped';
      if (held) continue;
      this.log(
        `${id}: node ${node} runs it, but the cloud ${record ? `has it ${record.state}` : 'has no such instance'}; terminating it there`,
      );
      await this.services.nodes
        .terminateInstance(node, id)
        .catch((e: Error) => this.log(`${id}: terminating it on ${node} failed: ${e.message}`));
    }
  }
}
