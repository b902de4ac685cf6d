/**
 * S3 Object Lock: write-once-read-many protection of object versions. A bucket created with
 * Object Lock (always versioned) may hold a default retention; each version may carry a
 * retention (GOVERNANCE: lifted or shortened only with x-amz-bypass-governance-retention and the
 * s3:BypassGovernanceRetention permission; COMPLIANCE: by nobody until it ends) and a legal hold
 * (until it is turned off). A protected version cannot be deleted, nor its retention weakened;
 * deleting the key without a version id only adds a delete marker, as S3 does. These are the
 * rules and documents; Walrus applies them where versions are written and removed.
 */
import { ServiceError } from '../errors';
import { malformed, parseXmlBody, s3Answer, text } from './documents';

export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/** What protects one version. */
export interface ObjectLock {
  mode?: RetentionMode;
  /** ISO 8601. */
  retainUntil?: string;
  legalHold?: boolean;
}

/** A bucket's Object Lock configuration (?object-lock), as kept. */
export interface LockConfiguration {
  enabled: true;
  defaultRetention?: { mode: RetentionMode; days?: number; years?: number };
}

const invalid = (message: string) => new ServiceError('InvalidArgument', message);
const protectedVersion = () =>
  new ServiceError('AccessDenied', 'Access Denied because object protected by object lock.', 403);
export const noLockConfiguration = () =>
  new ServiceError('InvalidRequest', 'Bucket is missing Object Lock Configuration');

const mode = (v: string | undefined): RetentionMode => {
  if (v !== 'GOVERNANCE' && v !== 'COMPLIANCE') throw malformed();
  return v;
};

export function parseLockConfiguration(body: Buffer): LockConfiguration {
  const root = parseXmlBody(body).ObjectLockConfiguration;
  if (!root || typeof root !== 'object' || text(root.ObjectLockEnabled) !== 'Enabled') throw malformed();
  const retention = root.Rule?.DefaultRetention;
  if (root.Rule !== undefined && !retention) throw malformed();
  if (!retention) return { enabled: true };
  const days = text(retention.Days);
  const years = text(retention.Years);
  if ((days === undefined) === (years === undefined)) throw malformed();
  const n = Number(days ?? years);
  // S3's bounds: a positive whole number of days or years, at most a hundred years.
  if (!Number.isInteger(n) || n <= 0 || n > (days !== undefined ? 36500 : 100))
    throw new ServiceError(
      'InvalidRetentionPeriod',
      'Default retention period must be a positive integer value of at most 100 years',
    );
  return {
    enabled: true,
    defaultRetention: { mode: mode(text(retention.Mode)), ...(days !== undefined ? { days: n } : { years: n }) },
  };
}

export function lockConfigurationDocument(c: LockConfiguration): string {
  const d = c.defaultRetention;
  return s3Answer('GetObjectLockConfiguration', 'ObjectLockConfiguration', {
    ObjectLockEnabled: 'Enabled',
    ...(d ? { Rule: { DefaultRetention: { Mode: d.mode, Days: d.days, Years: d.years } } } : {}),
  });
}

export function parseRetention(body: Buffer): { mode?: RetentionMode; retainUntil?: string } {
  const root = parseXmlBody(body).Retention;
  if (root === undefined) throw malformed();
  const m = text(root?.Mode);
  const until = text(root?.RetainUntilDate);
  if (m === undefined && until === undefined) return {};
  if (m === undefined || until === undefined || Number.isNaN(Date.parse(until))) throw malformed();
  return { mode: mode(m), retainUntil: new Date(until).toISOString() };
}

export const retentionDocument = (lock: ObjectLock) =>
  s3Answer('GetObjectRetention', 'Retention', { Mode: lock.mode, RetainUntilDate: lock.retainUntil });

export function parseLegalHold(body: Buffer): boolean {
  const status = text(parseXmlBody(body).LegalHold?.Status);
  if (status !== 'ON' && status !== 'OFF') throw malformed();
  return status === 'ON';
}

export const legalHoldDocument = (on: boolean) =>
  s3Answer('GetObjectLegalHold', 'LegalHold', { Status: on ? 'ON' : 'OFF' });

/** The lock a write's x-amz-object-lock-* headers ask for; undefined when they ask none. */
export function requestedLock(input: {
  ObjectLockMode?: string;
  ObjectLockRetainUntilDate?: string;
  ObjectLockLegalHoldStatus?: string;
}): ObjectLock | undefined {
  const { ObjectLockMode: m, ObjectLockRetainUntilDate: until, ObjectLockLegalHoldStatus: hold } = input;
  if (m === undefined && until === undefined && hold === undefined) return undefined;
  if ((m === undefined) !== (until === undefined))
    throw invalid('x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied');
  if (hold !== undefined && hold !== 'ON' && hold !== 'OFF') throw invalid('Legal Hold must be either of ON or OFF');
  const lock: ObjectLock = hold === 'ON' ? { legalHold: true } : {};
  if (m !== undefined) {
    if (m !== 'GOVERNANCE' && m !== 'COMPLIANCE') throw invalid('Unknown wormMode directive.');
    const t = Date.parse(until!);
    if (Number.isNaN(t)) throw invalid('The retain until date must be provided in ISO 8601 format');
    if (t <= Date.now()) throw invalid('The retain until date must be in the future!');
    Object.assign(lock, { mode: m, retainUntil: new Date(t).toISOString() });
  }
  return lock;
}

/**
 * The lock a new version gets in a bucket: what its write asked (the bucket must have Object
 * Lock), else the bucket's default retention, counted from now.
 */
export function lockForWrite(
  asked: ObjectLock | undefined,
  config: LockConfiguration | undefined,
  now = Date.now(),
): ObjectLock | undefined {
  if (asked && !config) throw noLockConfiguration();
  const d = config?.defaultRetention;
  if (asked?.mode || !d) return asked;
  const until = new Date(now);
  if (d.days) until.setUTCDate(until.getUTCDate() + d.days);
  else until.setUTCFullYear(until.getUTCFullYear() + d.years!);
  return { ...asked, mode: d.mode, retainUntil: until.toISOString() };
}

const retained = (lock: ObjectLock | undefined, now: number) =>
  lock?.mode !== undefined && Date.parse(lock.retainUntil!) > now;

/** Whether a version is protected now: a legal hold, or a retention not yet ended. */
export const isProtected = (lock: ObjectLock | undefined, now = Date.now()) =>
  lock?.legalHold === true || retained(lock, now);

/**
 * Refuses the removal of a protected version: a legal hold always, a COMPLIANCE retention until
 * it ends, a GOVERNANCE one unless the request may bypass it.
 */
export function checkRemovable(lock: ObjectLock | undefined, bypass: boolean, now = Date.now()): void {
  if (lock?.legalHold) throw protectedVersion();
  if (retained(lock, now) && !(lock!.mode === 'GOVERNANCE' && bypass)) throw protectedVersion();
}

/**
 * Refuses a change of a version's retention that weakens it (an earlier date, another mode, none):
 * never under COMPLIANCE, under GOVERNANCE only with a bypass.
 */
export function checkRetentionChange(
  current: ObjectLock | undefined,
  next: { mode?: RetentionMode; retainUntil?: string },
  bypass: boolean,
  now = Date.now(),
): void {
  if (next.retainUntil !== undefined && Date.parse(next.retainUntil) <= now)
    throw invalid('The retain until date must be in the future!');
  if (!retained(current, now)) return;
  const weaker =
    next.mode !== current!.mode ||
    next.retainUntil === undefined ||
    Date.parse(next.retainUntil) < Date.parse(current!.retainUntil!);
  if (weaker && !(current!.mode === 'GOVERNANCE' && bypass)) throw protectedVersion();
}

/** The answer headers that tell how a version is protected. */
export function lockHeaders(lock: ObjectLock | undefined): Record<string, string> {
  if (!lock) return {};
  return {
    ...(lock.mode
      ? { 'x-amz-object-lock-mode': lock.mode, 'x-amz-object-lock-retain-until-date': lock.retainUntil! }
      : {}),
    ...(lock.legalHold !== undefined ? { 'x-amz-object-lock-legal-hold': lock.legalHold ? 'ON' : 'OFF' } : {}),
  };
}
