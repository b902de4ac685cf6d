/**
 * Where a cloud keeps things inside its data dir, laid out like a Eucalyptus install under
 * $EUCALYPTUS: etc/eucalyptus for eucalyptus.conf, var/lib/eucalyptus for keys and state,
 * var/log/eucalyptus for logs, var/run/eucalyptus for the pid file; plus the `credentials` folder
 * holding the admin's eucarc, which is what the CLI reads to use the local cloud.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export interface CloudPaths {
  dataDir: string;
  conf: string;
  keysDir: string;
  dbDir: string;
  db: string;
  /** Walrus' object data: a folder per bucket, files named by id (never by key). */
  walrusDir: string;
  /** The storage controllers' volumes, a folder per zone. */
  volumesDir: string;
  /** The image cache: registered images, decrypted. */
  imagesDir: string;
  logDir: string;
  log: string;
  runDir: string;
  pidFile: string;
  /** The Dashboard's URL while the cloud serves it (the port it really got). */
  dashboardFile: string;
  credentialsDir: string;
  eucarc: string;
}

export function cloudPaths(dataDir: string): CloudPaths {
  const d = path.resolve(dataDir);
  const lib = path.join(d, 'var', 'lib', 'eucalyptus');
  const credentialsDir = path.join(d, 'credentials');
  return {
    dataDir: d,
    conf: path.join(d, 'etc', 'eucalyptus', 'eucalyptus.conf'),
    keysDir: path.join(lib, 'keys'),
    dbDir: path.join(lib, 'db'),
    db: path.join(lib, 'db', 'cloud.db'),
    walrusDir: path.join(lib, 'walrus'),
    volumesDir: path.join(lib, 'volumes'),
    imagesDir: path.join(lib, 'images'),
    logDir: path.join(d, 'var', 'log', 'eucalyptus'),
    log: path.join(d, 'var', 'log', 'eucalyptus', 'cloud-output.log'),
    runDir: path.join(d, 'var', 'run', 'eucalyptus'),
    pidFile: path.join(d, 'var', 'run', 'eucalyptus', 'eucalyptus-cloud.pid'),
    dashboardFile: path.join(d, 'var', 'run', 'eucalyptus', 'dashboard.url'),
    credentialsDir,
    eucarc: path.join(credentialsDir, 'eucarc'),
  };
}

/** The local cloud's data dir: $EUCA_LOCAL_DIR, else ~/.euca/local. */
export function localCloudDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EUCA_LOCAL_DIR || path.join(env.HOME || os.homedir(), '.euca', 'local');
}

export const DEFAULT_PORT = 8773;
export const DEFAULT_BIND = '127.0.0.1';
