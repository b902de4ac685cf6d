/**
 * Dashboard sessions: a random ID (32 bytes) in an `HttpOnly; Secure; SameSite=Strict` cookie,
 * naming who logged in (account and user IDs, looked up again on every request so a user disabled
 * or deleted since is out) and the session's CSRF token, which every form carries. A session ends
 * at log-out, after 30 idle minutes, or after 12 hours; logging in always makes a new one (no
 * fixation). Kept in the cloud's memory: a restart logs everyone out.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** `__Host-`: only this HTTPS origin may set it (not another port of this host, over plain HTTP). */
export const SESSION_COOKIE = '__Host-euca-dashboard';
const IDLE_MS = 30 * 60_000;
const LIFETIME_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;

export interface Session {
  id: string;
  accountId: string;
  userId: string;
  csrf: string;
  created: number;
  seen: number;
  /** When it last downloaded new credentials (each makes a key pair and a certificate). */
  credentialsAt?: number;
  /** A one-time notice for the next page (what the last action did). */
  flash?: { kind: 'ok' | 'error'; text: string };
}

const token = () => randomBytes(32).toString('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(accountId: string, userId: string): Session {
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) {
      // The oldest goes first (Map keeps insertion order).
      const oldest = this.sessions.keys().next().value;
      if (oldest) this.sessions.delete(oldest);
    }
    const t = this.now();
    const s: Session = { id: token(), accountId, userId, csrf: token(), created: t, seen: t };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session a cookie names, its idle clock restarted. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.seen > IDLE_MS || t - s.created > LIFETIME_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    s.seen = t;
    return s;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of a user (deleted, disabled, password reset). */
  destroyUser(userId: string): void {
    for (const [id, s] of this.sessions) if (s.userId === userId) this.sessions.delete(id);
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions)
      if (t - s.seen > IDLE_MS || t - s.created > LIFETIME_MS) this.sessions.delete(id);
  }
}

/** Whether a form's token is its session's (constant time). */
export function csrfMatches(session: Session, sent: string | undefined): boolean {
  if (!sent) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${LIFETIME_MS / 1000}`;
}

export const clearedCookie = `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;

/** A request's cookies by name. */
export function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
