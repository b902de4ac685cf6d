/**
 * The background work that runs in one front end at a time when several serve one database: the
 * instance monitor, node polling and Walrus's lifecycle sweeps. The front end holding the `leader`
 * lease (store/leases.ts) runs them and renews the lease every RENEW_MS; when it stops or dies,
 * another takes the lease once it has expired (TTL_MS), or at once when the holder was a process
 * of the same host that is gone (a restart after a crash), and starts them. A front end alone on
 * its database leads from its start.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Leases } from './store/leases';

const LEADER = 'leader';
const TTL_MS = 15_000;
const RENEW_MS = 3_000;

/** One piece of background work: started when its front end comes to lead, stopped when it no longer does. */
export interface BackgroundWork {
  start(): Promise<void> | void;
  stop(): void;
}

/** Who a front end is among those on one database: its host, process and a nonce (pids repeat). */
export const frontEndId = () => `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

export class Leadership {
  private leading = false;
  /** Whether the work may run (startWork): the cloud is ready for it. */
  private working = false;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly leases: Leases,
    private readonly work: BackgroundWork[],
    private readonly log: (line: string) => void,
    private readonly ttlMs = TTL_MS,
    private readonly renewMs = RENEW_MS,
  ) {}

  /** Whether this front end leads now. */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Tries to lead now (true when it does), then keeps trying or renewing; the work waits for
   * startWork(). Leading from the start means no other front end is alive: what was in flight
   * when the last one stopped is this one's to recover.
   */
  async join(): Promise<boolean> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.renewMs);
    this.timer.unref();
    return this.leading;
  }

  /** The cloud is ready: the work runs whenever this front end leads. */
  async startWork(): Promise<void> {
    this.working = true;
    if (this.leading) for (const w of this.work) await w.start();
  }

  /** Stops the work it leads and gives the lease up, so another front end takes it at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    if (this.leading) {
      this.leading = false;
      if (this.working) for (const w of this.work) w.stop();
      await this.leases.release(LEADER).catch(() => undefined);
    }
    this.working = false;
  }

  private tick(): Promise<void> {
    this.ticking ??= this.renew().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async renew(): Promise<void> {
    let held: boolean;
    try {
      await this.leases.takeFromGone(LEADER, holderGone);
      held = await this.leases.hold(LEADER, this.ttlMs);
    } catch (e) {
      // Without the database no lease can be renewed: another front end will take over.
      held = false;
      this.log(`leadership: the lease could not be renewed: ${(e as Error).message}`);
    }
    if (held && !this.leading) {
      this.leading = true;
      this.log(`leadership: ${this.leases.holder} runs the background work`);
      if (this.working) for (const w of this.work) await w.start();
    } else if (!held && this.leading) {
      this.leading = false;
      this.log(`leadership: ${this.leases.holder} no longer leads; its background work stops`);
      if (this.working) for (const w of this.work) w.stop();
    }
  }
}

/** Whether a holder (frontEndId) is a process of this host that no longer runs (gone, or a zombie). */
function holderGone(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    // Killed but not yet reaped: its state (after the name in parentheses) is Z or X.
    return /\)\s+[ZX]\s/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
