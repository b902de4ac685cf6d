/**
 * Front ends sharing one database, and the background work that runs in one of them at a time:
 * the instance monitor, node polling and Walrus's lifecycle sweeps.
 *
 * - Each front end holds a lease of its own (`front-end:<id>`) while it runs: who is alive.
 * - The front end holding the `leader` lease runs the work, renewing the lease every RENEW_MS;
 *   when it stops another takes over at its next renewal, when it dies once the lease has expired
 *   (TTL_MS), or at once when the holder was a process of the same boot of the same host that is
 *   gone (a restart after a crash). A leader that could not renew for TTL_MS stops its work.
 * - Joining, a front end learns whether it is alone (no other front end's lease is alive): only
 *   then is what was in flight when the last one stopped its to recover (the others' jobs are
 *   theirs). The jobs of a front end that dies while others run are the leader's to recover
 *   (jobs.ts), once its lease has expired or it is known gone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Leases } from './store/leases';

const LEADER = 'leader';
const FRONT_END = 'front-end:';
const TTL_MS = 15_000;
const RENEW_MS = 3_000;

/** One piece of background work: started when its front end comes to lead, stopped when it no longer does. */
export interface BackgroundWork {
  /** Starts it (again after a stop: starting twice never runs it twice). */
  start(): Promise<void> | void;
  stop(): void;
}

/**
 * Work done now and then, one run at a time: `run` (which handles its own failures) every
 * `everyMs`, the first run done when start resolves.
 */
export function periodic(run: () => Promise<void>, everyMs: number): BackgroundWork {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const once = () => (running ??= run().finally(() => (running = undefined)));
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return {
    async start() {
      stop();
      timer = setInterval(() => void once(), everyMs);
      timer.unref();
      await once();
    },
    stop,
  };
}

/** This boot of this host: its name and kernel boot id (a pid means something only within one boot). */
export const THIS_BOOT = (() => {
  let boot = '';
  try {
    boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
  } catch {
    // not Linux: the host name alone
  }
  return `${os.hostname()}@${boot}`;
})();

/** Who a front end is among those on one database: its host's boot, its process and a nonce (pids repeat). */
export const frontEndId = () => `${THIS_BOOT}:${process.pid}:${randomBytes(4).toString('hex')}`;

/** Whether a holder (frontEndId) is a process of this boot of this host that no longer runs (or a zombie). */
export function holderGone(holder: string, me: string): boolean {
  const [host, pid] = holder.split(':');
  if (holder === me || host !== THIS_BOOT || !/^\d+$/.test(pid ?? '')) return false;
  // Our own pid with another nonce: an earlier run of a process that always gets this pid (a container's first).
  if (Number(pid) === process.pid) return true;
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

export class Leadership {
  private leading = false;
  /** Whether the work may run (startWork): the cloud is ready for it. */
  private working = false;
  /** Counts the times the work was started or stopped: a start that lost the race stops short. */
  private generation = 0;
  /** Until when the lease this front end last renewed holds. */
  private validUntil = 0;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly leases: Leases,
    private readonly work: BackgroundWork[],
    private readonly log: (line: string) => void,
    private readonly ttlMs = TTL_MS,
    private readonly renewMs = RENEW_MS,
  ) {}

  /**
   * Which front ends may be alive now: those whose lease holds or ran out less than a lease's time
   * ago (one that stalled a while, on a slow database, is not declared dead at once), less those
   * known gone, and this one.
   */
  async liveFrontEnds(): Promise<(holder: string) => boolean> {
    const me = this.leases.holder;
    const live = new Set(
      (await this.leases.holders(FRONT_END, this.ttlMs)).map((l) => l.holder).filter((h) => !holderGone(h, me)),
    );
    live.add(me);
    return (holder) => live.has(holder);
  }

  /** Whether this front end leads now. */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Announces this front end and tries to lead, then keeps renewing; the work waits for
   * startWork(). Resolves whether it is alone on the database (see the module's comment).
   */
  async join(): Promise<{ alone: boolean }> {
    const me = this.leases.holder;
    for (const other of await this.leases.holders(FRONT_END))
      await this.leases.takeFromGone(other.name, (h) => holderGone(h, me));
    await this.leases.hold(`${FRONT_END}${me}`, this.ttlMs);
    const alone = !(await this.leases.holders(FRONT_END)).some((l) => l.holder !== me);
    await this.tick();
    this.timer = setInterval(() => {
      // A renewal that hangs (the database unreachable) is not waited for: past the lease, stop.
      if (this.leading && Date.now() > this.validUntil) this.lose('its lease ran out unrenewed');
      void this.tick();
    }, this.renewMs);
    this.timer.unref();
    return { alone };
  }

  /** The cloud is ready: the work runs whenever this front end leads. */
  async startWork(): Promise<void> {
    this.working = true;
    if (this.leading) await this.startAll();
  }

  /** Stops the work it leads and gives the leases up, so another front end takes over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    if (this.leading) this.lose('it stops');
    this.working = false;
    await this.leases.release(LEADER).catch(() => undefined);
    await this.leases.release(`${FRONT_END}${this.leases.holder}`).catch(() => undefined);
  }

  private tick(): Promise<void> {
    this.ticking ??= this.renew().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async renew(): Promise<void> {
    const me = this.leases.holder;
    const started = Date.now();
    let held: boolean;
    try {
      await this.leases.hold(`${FRONT_END}${me}`, this.ttlMs);
      await this.leases.takeFromGone(LEADER, (h) => holderGone(h, me));
      held = await this.leases.hold(LEADER, this.ttlMs);
    } catch (e) {
      // Without the database no lease can be renewed: another front end will take over.
      held = false;
      this.log(`leadership: the lease could not be renewed: ${(e as Error).message}`);
    }
    if (held) this.validUntil = started + this.ttlMs;
    if (held && !this.leading) {
      this.leading = true;
      this.log(`leadership: ${me} runs the background work`);
      // Not awaited here: renewals go on while the work starts.
      if (this.working) void this.startAll();
    } else if (!held && this.leading) this.lose('another front end holds the lease');
  }

  private async startAll(): Promise<void> {
    const generation = ++this.generation;
    for (const w of this.work) {
      if (generation !== this.generation || !this.leading) return;
      try {
        await w.start();
      } catch (e) {
        this.log(`leadership: background work did not start: ${(e as Error).message}`);
      }
    }
  }

  private lose(why: string): void {
    this.leading = false;
    this.generation++;
    this.log(`leadership: ${this.leases.holder} no longer leads (${why}); its background work stops`);
    if (this.working) for (const w of this.work) w.stop();
  }
}
