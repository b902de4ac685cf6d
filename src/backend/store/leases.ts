/**
 * Leases in the cloud's database: a name held by one holder (a front end) until a time, which the
 * holder renews well before it comes and another takes once it has passed (the holder died, or
 * lost the database). What must run in one front end at a time among those sharing a database
 * holds one (see leadership.ts); so does each front end's own liveness. Times are the front ends'
 * clocks, which a site keeps in step (NTP), as Eucalyptus always asked.
 */
import type { SqlDatabase } from './sql';

export class Leases {
  constructor(
    private readonly db: SqlDatabase,
    /** Who this process is among the front ends. */
    readonly holder: string,
  ) {}

  /** Takes `name` (free, expired, or already ours) for `ttlMs` from now; true when this holder has it. */
  async hold(name: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const r = await this.db
      .prepare(
        'INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET ' +
          'holder = excluded.holder, expires = excluded.expires WHERE leases.holder = excluded.holder OR leases.expires < ?',
      )
      .run(name, this.holder, now + ttlMs, now);
    return r.changes > 0;
  }

  /** Frees `name` when its holder is one `gone` says no longer runs (checked here, not by the clock). */
  async takeFromGone(name: string, gone: (holder: string) => boolean): Promise<void> {
    const r = await this.db.prepare<{ holder: string }>('SELECT holder FROM leases WHERE name = ?').get(name);
    if (r && r.holder !== this.holder && gone(r.holder))
      await this.db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, r.holder);
  }

  /** The leases alive now (or expired less than `graceMs` ago) whose names start with `prefix`. */
  async holders(prefix: string, graceMs = 0): Promise<{ name: string; holder: string }[]> {
    return this.db
      .prepare<{ name: string; holder: string }>('SELECT name, holder FROM leases WHERE name LIKE ? AND expires >= ?')
      .all(`${prefix}%`, Date.now() - graceMs);
  }

  /** Every lease whose name starts with `prefix`, alive or not. */
  async all(prefix: string): Promise<{ name: string; holder: string }[]> {
    return this.db
      .prepare<{ name: string; holder: string }>('SELECT name, holder FROM leases WHERE name LIKE ? ORDER BY name')
      .all(`${prefix}%`);
  }

  /** Takes `name` over from `from` whatever its time; true when this holder got it (nobody else did first). */
  async transfer(name: string, from: string): Promise<boolean> {
    const r = await this.db
      .prepare('UPDATE leases SET holder = ? WHERE name = ? AND holder = ?')
      .run(this.holder, name, from);
    return r.changes > 0;
  }

  /** Gives `name` up, if this holder has it. */
  async release(name: string): Promise<void> {
    await this.db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, this.holder);
  }
}
