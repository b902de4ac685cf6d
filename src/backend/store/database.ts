/**
 * Where a cloud's state lives: eucalyptus.conf's CLOUD_DB, a postgresql:// URL (a database shared
 * by every front end of the cloud) or a SQLite file; unset, the data dir's own SQLite file. Every
 * part of the cloud and every admin tool opens it through here, so they all open the same one.
 */
import { CliError } from '../../shared/errors';
import { readConf } from '../conf';
import { type CloudPaths } from '../../shared/paths';
import { openPostgres } from './pg-connection';
import type { SqlDatabase } from './sql';
import { openSqlite } from './sqlite-connection';

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** Whether a database location holds a password (user:password@, or ?password=). */
export function holdsPassword(location: string): boolean {
  if (!isPostgresUrl(location)) return false;
  try {
    const url = new URL(location);
    return !!url.password || url.searchParams.has('password');
  } catch {
    return true;
  }
}

/** The cloud's database location, as its eucalyptus.conf says. */
export function cloudDatabase(paths: CloudPaths): string {
  return readConf(paths.conf).CLOUD_DB?.trim() || paths.db;
}

/** The database at `location`; one that cannot be reached or opened is a one-line error naming it. */
export async function openDatabase(location: string): Promise<SqlDatabase> {
  try {
    return isPostgresUrl(location) ? await openPostgres(location) : openSqlite(location);
  } catch (e) {
    throw new CliError(
      'DatabaseUnavailable',
      `cannot open the cloud's database ${describeDatabase(location)}: ${(e as Error).message}`,
    );
  }
}

/** A location as logs may show it: a URL without its password. */
export function describeDatabase(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString().replace('password=%2A%2A%2A', 'password=***');
  } catch {
    return 'postgresql://…';
  }
}
