/**
 * Which front end runs which background job: snapshot copies, volume creations (imports among
 * them), bundle tasks, image unbundling, instance launches and terminations. A job is claimed in
 * the database (a `job:<id>` lease held by its front end for as long as it runs, released when
 * it ends) so that when a front end dies while others run, the one leading finds the jobs it left
 * and recovers them (recovery.ts): resumed where they can be, ended in their error state where
 * they cannot, none left half-way. A front end that starts alone recovers every job in flight.
 */
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
  constructor(
    private readonly leases: Leases,
    private readonly log: (line: string) => void,
  ) {}

  track(id: string, work: Promise<unknown>): void {
    const name = `${JOB}${id}`;
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
        return;
      }
      await ended;
      await this.leases.release(name).catch((e: Error) => this.log(`${id}: the job's claim stays: ${e.message}`));
    })();
  }

  /**
   * Takes over the jobs claimed by front ends that are not alive (`alive` holds the live ones'
   * ids): their claims pass to this front end, one front end winning each, and then go, the jobs'
   * recovery being the caller's (a job resumed is claimed again as it runs). Returns their ids.
   */
  async takeOver(alive: (holder: string) => boolean): Promise<string[]> {
    const taken: string[] = [];
    for (const { name, holder } of await this.leases.all(JOB)) {
      if (alive(holder) || !(await this.leases.transfer(name, holder))) continue;
      await this.leases.release(name);
      taken.push(name.slice(JOB.length));
    }
    return taken;
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
      const taken = await jobs.takeOver(await alive());
      if (!taken.length) return;
      log(`jobs: taking over ${taken.length} job(s) of a front end that stopped answering: ${taken.join(' ')}`);
      await recover(new Set(taken));
    } catch (e) {
      log(`jobs: looking for the jobs of front ends gone failed: ${(e as Error).message}`);
    }
  }, everyMs);
}
