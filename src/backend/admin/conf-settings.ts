/**
 * euca_conf's edits of eucalyptus.conf: each setting checked (alone, and the network settings
 * together, as the cloud will read them) before the file is touched, then written in place with
 * its comments kept; and what must be restarted for a change to take effect.
 */
import { NODE_HYPERVISORS } from '../../shared/hypervisors';
import * as fs from 'node:fs';
import { CliError } from '../../shared/errors';
import { parseNetworkConfig } from '../cluster/network/config';
import { DEFAULT_CONF, ensureConf, parseConf, readConf, setConfValues } from '../conf';

const bad = (key: string, value: string, why: string) =>
  new CliError('InvalidConfiguration', `${key}="${value}": ${why}`);

const positive = (key: string, v: string) => {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw bad(key, v, 'must be a positive whole number');
};
const port = (key: string, v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw bad(key, v, 'must be a port number');
};
const oneOf =
  (...values: string[]) =>
  (key: string, v: string) => {
    if (!values.includes(v)) throw bad(key, v, `must be one of ${values.join(', ')}`);
  };

const absolute = (key: string, v: string) => {
  if (!v.startsWith('/')) throw bad(key, v, 'must be an absolute path');
};
const url = (key: string, v: string) => {
  if (!/^https?:\/\/[^/\s]+/.test(v)) throw bad(key, v, 'must be an http:// or https:// URL');
};

/** The settings euca_conf knows, with their checks, who reads them, and whether they are secrets. */
const SETTINGS: Record<
  string,
  { check?: (key: string, value: string) => void; reader: 'CLC' | 'CC' | 'NC'; secret?: boolean }
> = {
  CLOUD_PORT: { check: port, reader: 'CLC' },
  CLOUD_BIND_ADDR: { reader: 'CLC' },
  DASHBOARD: { check: oneOf('Y', 'N'), reader: 'CLC' },
  DASHBOARD_PORT: { check: port, reader: 'CLC' },
  REGION_NAME: { reader: 'CLC' },
  SIGNATURE_REGION: { reader: 'CLC' },
  REQUEST_BODY_TIMEOUT: { check: positive, reader: 'CLC' },
  CC_PORT: { check: port, reader: 'CC' },
  NC_PORT: { check: port, reader: 'NC' },
  LOCAL_NODE: { check: oneOf('Y', 'N'), reader: 'CLC' },
  HYPERVISOR: { check: oneOf(...NODE_HYPERVISORS), reader: 'NC' },
  INSTANCE_PATH: { check: absolute, reader: 'NC' },
  VOLUMES_DIR: { check: absolute, reader: 'CLC' },
  VOLUME_EXPORT: { check: oneOf('file', 'nbd'), reader: 'CLC' },
  VOLUME_EXPORT_HOST: { reader: 'CLC' },
  WALRUS_BACKEND: { check: oneOf('files', 's3'), reader: 'CLC' },
  WALRUS_S3_ENDPOINT: { check: url, reader: 'CLC' },
  WALRUS_S3_BUCKET: { reader: 'CLC' },
  WALRUS_S3_REGION: { reader: 'CLC' },
  WALRUS_S3_ACCESS_KEY: { reader: 'CLC' },
  WALRUS_S3_SECRET_KEY: { reader: 'CLC', secret: true },
  MAX_CORES: { check: positive, reader: 'NC' },
  MAX_MEM: { check: positive, reader: 'NC' },
  MAX_DISK: { check: positive, reader: 'NC' },
  SCHEDPOLICY: { check: oneOf('GREEDY', 'ROUNDROBIN', 'POWERSAVE'), reader: 'CC' },
  NODES: { reader: 'CC' },
};

const isNetworkSetting = (key: string) => key.startsWith('VNET_');

function checkSetting(key: string, value: string): void {
  if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new CliError('InvalidParameterValue', `not a setting name: ${key}`);
  const known = SETTINGS[key];
  if (!known && !isNetworkSetting(key))
    throw new CliError(
      'InvalidParameterValue',
      `${key} is not a setting of eucalyptus.conf (known: ${Object.keys(SETTINGS).join(', ')} and VNET_*)`,
    );
  if (/["\\\n$`]/.test(value)) throw bad(key, value, 'must not contain quotes, backslashes, $ or newlines');
  known?.check?.(key, value);
}

/** What a change needs to take effect, as the seed says it ("restart the CC ..."). */
export function restartNote(keys: string[]): string[] {
  const readers = new Set(keys.map((k) => (isNetworkSetting(k) ? 'CC' : SETTINGS[k]?.reader)));
  const notes: string[] = [];
  if (readers.has('CLC') || readers.has('CC'))
    notes.push(
      'restart the cloud (eucalyptus-cloud restart) for the changes to take effect: its cluster controller ' +
        'reads them at start',
    );
  if (readers.has('NC'))
    notes.push('restart the node controllers (eucalyptus-nc restart) for the changes to take effect');
  return notes;
}

/** A setting as euca_conf prints it: a secret's value never. */
export function shownSetting(key: string, value: string): string {
  return `${key}="${SETTINGS[key]?.secret ? '***' : value}"`;
}

/**
 * Checks and writes settings; nothing is written if any is wrong. A data dir whose cloud never
 * started gets the default eucalyptus.conf first (as its first start would), so that a cloud can
 * be set up before it starts. A file holding a secret is made readable by its owner alone.
 */
export function applySettings(confFile: string, values: Record<string, string>): string[] {
  for (const [k, v] of Object.entries(values)) checkSetting(k, v);
  const merged = { ...(fs.existsSync(confFile) ? readConf(confFile) : parseConf(DEFAULT_CONF)), ...values };
  if (Object.keys(values).some(isNetworkSetting)) parseNetworkConfig(merged);
  ensureConf(confFile);
  setConfValues(confFile, values, { secret: Object.keys(values).some((k) => SETTINGS[k]?.secret) });
  return restartNote(Object.keys(values));
}

/** --upgrade-conf OLD NEW: the old file's settings carried into the new one (its comments kept). */
export function upgradeConf(oldFile: string, newFile: string): string[] {
  const old = readConf(oldFile);
  if (!Object.keys(old).length) throw new CliError('FileNotFound', `no settings in ${oldFile}`);
  const merged = { ...readConf(newFile), ...old };
  parseNetworkConfig(merged);
  setConfValues(newFile, old, { secret: Object.keys(old).some((k) => SETTINGS[k]?.secret) });
  return Object.keys(old);
}
