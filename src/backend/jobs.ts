/**
 * Which front end runs which background job: snapshot copies, volume creations (imports among
 * them), bundle tasks, image unbundling, instance launches and terminations. A job is claimed in
 * the database (a `job:<id>` lease held by its front end for as long as it runs, released when
 * it ends) so that when a front end dies while others run, the one leading finds the jobs it left
 * and recovers them (recovery.ts): resumed where they can be, ended in their error state where
 * they cannot, none left half-way. A front end that starts alone recovers every job in flight.
 */
import { randomBytes } from 'node:crypto';
import type { Leases } from './store/leases';
import { type BackgroundWork, periodic } from './leadership';

const JOB = 'job:';
/** A claim lasts until it is released or its front end is found gone, not by the clock. */
const UNTIL_RELEASED = Number.MAX_SAFE_INTEGER;

/** What a service needs: running a job as this front end's. */
export interface Jobs {
  /** Claims job `id` for this front end while `work` runs (its failures are the caller's to handle). */
  track(id: string, work: Promise<unknown>): void;
}

/** For a cloud whose store no other front end shares, and unit tests: nothing is recorded. */
export const UNRECORDED_JOBS: Jobs = { track: () => undefined };

export class JobClaims implements Jobs {
  /** The claims of the jobs this process runs now. */
  private readonly running = new Set<string>();

  constructor(
    private readonly leases: Leases,
    private readonly log: (line: string) => void,
    /** Whether other front ends may share the database (a server's): on a SQLite file none can, nothing is claimed. */
    private readonly shared = true,
  ) {}

  track(id: string, work: Promise<unknown>): void {
    if (!this.shared) return;
    // A claim of its own (several jobs may concern one resource: a launch, then a termination).
    const name = `${JOB}${id}:${randomBytes(4).toString('hex')}`;
    this.running.add(name);
    // Its end is awaited from now on (a failure is the caller's, never an unhandled rejection here).
    const ended = work.then(
      () => undefined,
      () => undefined,
    );
    void (async () => {
      try {
        await this.leases.hold(name, UNTIL_RELEASED);
      } catch (e) {
        // The job runs all the same; unclaimed, only a front end starting alone would recover it.
        this.log(`${id}: the job could not be claimed: ${(e as Error).message}`);
        this.running.delete(name);
        return;
      }
      await ended;
      this.running.delete(name);
      await this.leases.release(name).catch((e: Error) => this.log(`${id}: the job's claim stays: ${e.message}`));
    })();
  }

  /**
   * Takes over the jobs claimed by front ends that are not `alive`: their claims pass to this
   * front end (one front end wins each), `recover` is handed the jobs' ids, and only once it has
   * recovered them do the claims go; a recovery that fails (or a front end that dies in it) leaves
   * them claimed, to be taken over again. `always`: recover even when nothing was taken over (a
   * front end starting alone recovers everything in flight).
   */
  async takeOver(
    alive: (holder: string) => boolean,
    recover: (ids: ReadonlySet<string>) => Promise<void>,
    always = false,
  ): Promise<string[]> {
    const me = this.leases.holder;
    const taken: string[] = [];
    for (const { name, holder } of await this.leases.all(JOB)) {
      // This process's own, not running: taken over earlier, its recovery failed.
      const mine = holder === me && !this.running.has(name);
      if (mine || (!alive(holder) && (await this.leases.transfer(name, holder)))) taken.push(name);
    }
    const ids = new Set(taken.map((name) => name.slice(JOB.length).replace(/:[0-9a-f]{8}$/, '')));
    if (!ids.size && !always) return [];
    await recover(ids);
    for (const name of taken) await this.leases.release(name);
    return [...ids];
  }
}

/** How often the front end leading looks for the jobs of front ends that died. */
export const TAKEOVER_MS = 5_000;

/**
 * The leader's look, every TAKEOVER_MS, for the jobs of front ends that died while others ran:
 * claimed by front ends not `alive`, taken over and handed to `recover`.
 */
export function jobTakeover(
  jobs: JobClaims,
  alive: () => Promise<(holder: string) => boolean>,
  recover: (taken: ReadonlySet<string>) => Promise<void>,
  log: (line: string) => void,
  everyMs = TAKEOVER_MS,
): BackgroundWork {
  return periodic(async () => {
    try {
      await jobs.takeOver(await alive(), async (taken) => {
        log(`jobs: taking over ${taken.size} job(s) of a front end that stopped answering: ${[...taken].join(' ')}`);
        await recover(taken);
      });
    } catch (e) {
      log(`jobs: looking for the jobs of front ends gone failed: ${(e as Error).message}`);
    }
  }, everyMs);
}
