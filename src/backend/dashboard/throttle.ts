/**
 * Log-in attempts, slowed and locked: each failure for an account and user name (and, apart, for
 * a source address) is counted within 15 minutes, before the password is checked (attempts made
 * at once all count); from the 3rd the answer waits a second per failure (up to 5), and after 5
 * the name (or after 20 the address) is locked out for 15 minutes, right password or not, and the
 * page says so. A success clears the name's count and is not the address's.
 */
const WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;
export const MAX_FAILURES_PER_NAME = 5;
export const MAX_FAILURES_PER_SOURCE = 20;

interface Record {
  failures: number[];
  lockedUntil?: number;
}

export class LoginThrottle {
  private readonly records = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Until when a name or source is locked out, if it is. */
  lockedUntil(name: string, source: string): number | undefined {
    const t = this.now();
    const until = [this.records.get(`n:${name}`), this.records.get(`s:${source}`)]
      .map((r) => r?.lockedUntil ?? 0)
      .reduce((a, b) => Math.max(a, b), 0);
    return until > t ? until : undefined;
  }

  /** Records an attempt, counted as failed until it succeeds; answers how long to wait before answering it. */
  failed(name: string, source: string): number {
    const n = this.count(`n:${name}`, MAX_FAILURES_PER_NAME);
    this.count(`s:${source}`, MAX_FAILURES_PER_SOURCE);
    return n >= 3 ? Math.min(5, n - 2) * 1000 : 0;
  }

  /** The attempt succeeded: the name's count is cleared, and the source's no longer counts it. */
  succeeded(name: string, source: string): void {
    this.records.delete(`n:${name}`);
    this.records.get(`s:${source}`)?.failures.pop();
  }

  private count(key: string, max: number): number {
    const t = this.now();
    const r = this.records.get(key) ?? { failures: [] };
    r.failures = [...r.failures.filter((f) => t - f < WINDOW_MS), t];
    if (r.failures.length >= max) r.lockedUntil = t + LOCK_MS;
    this.records.set(key, r);
    if (this.records.size > 100_000) this.records.delete(this.records.keys().next().value!);
    return r.failures.length;
  }
}
