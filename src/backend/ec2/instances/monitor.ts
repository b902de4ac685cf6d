/**
 * Keeps instance states true to what the node controllers report: pending instances become
 * running when their node says so, and instances a node no longer knows end terminated. Polls
 * only the nodes that have instances in flight; terminated instances are forgotten an hour
 * after they ended (EC2 shows them for a while, then not).
 */
import { ComputeServices } from './services';
import { Instance, InstanceStore } from './store';

export class InstanceMonitor {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly instances: InstanceStore,
    private readonly services: ComputeServices,
    private readonly log: (line: string) => void,
    /** How long terminated instances stay listed (read at every poll: a property changes it live). */
    private readonly forgetAfterMs: () => number = () => 60 * 60 * 1000,
    /** A running instance its node, answering, no longer runs (the node restarted). */
    private readonly lost: (i: Instance) => Promise<void> = async () => undefined,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const inFlight = this.instances.list({ states: ['pending', 'running'] });
      const nodes = new Set(inFlight.filter((i) => i.node).map((i) => i.node!));
      for (const node of nodes) {
        let states: Map<string, string>;
        try {
          states = new Map((await this.services.nodes.describeInstances(node)).map((s) => [s.instanceId, s.state]));
        } catch (e) {
          this.log(`node ${node} unreachable: ${(e as Error).message}`);
          continue;
        }
        for (const i of inFlight.filter((x) => x.node === node)) {
          const there = states.get(i.id);
          if (i.state === 'pending' && there === 'running') this.instances.update(i.id, { state: 'running' });
          // A running instance the node no longer has, or has seen end: it is gone.
          else if (i.state === 'running' && (there === undefined || there === 'terminated')) await this.lost(i);
        }
      }
      this.instances.purgeEndedBefore(new Date(Date.now() - this.forgetAfterMs()).toISOString());
    } finally {
      this.busy = false;
    }
  }
}
