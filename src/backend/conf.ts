/**
 * eucalyptus.conf: shell syntax, `KEY="value"` lines and comments. The cloud reads its settings
 * from it; a later euca_conf edits it in place. The first start writes the defaults below.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function parseConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

export function readConf(file: string): Record<string, string> {
  try {
    return parseConf(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** Sets KEY="value" in place, keeping every other line and comment; appends unknown keys. */
export function setConfValues(file: string, values: Record<string, string>, opts: { secret?: boolean } = {}): void {
  const exists = fs.existsSync(file);
  const lines = exists ? fs.readFileSync(file, 'utf8').split('\n') : [];
  // A file that holds a secret (a database password) stays readable by its owner alone.
  const mode = opts.secret ? 0o600 : exists ? fs.statSync(file).mode & 0o777 : 0o644;
  const pending = new Map(Object.entries(values));
  const out = lines.map((line) => {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s*=/.exec(line);
    if (m && pending.has(m[1])) {
      const v = pending.get(m[1])!;
      pending.delete(m[1]);
      return `${m[1]}="${v}"`;
    }
    return line;
  });
  if (out.length && out[out.length - 1] === '') out.pop();
  for (const [k, v] of pending) out.push(`${k}="${v}"`);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, out.join('\n') + '\n', { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

export const DEFAULT_CONF = `# eucalyptus.conf: the settings of this cloud's components (shell syntax).
# Changes take effect when the cloud is restarted (eucalyptus-cloud restart).

# Where the cloud controller, Walrus and Euare listen.
CLOUD_PORT="8773"
CLOUD_BIND_ADDR="127.0.0.1"

# The Dashboard (HTTPS, a certificate the cloud's CA signs) on CLOUD_BIND_ADDR: DASHBOARD_PORT, or
# a free port when that one is taken (the log and eucalyptus-cloud status say which). DASHBOARD="N"
# turns it off (as eucalyptus-cloud start --no-dashboard does).
DASHBOARD="Y"
DASHBOARD_PORT="8443"

# The region this cloud answers DescribeRegions with.
REGION_NAME="eucalyptus"
# The region SigV4 signatures must be scoped to; empty accepts any region (clients sign with
# us-east-1, the endpoint's host name or their configured region).
SIGNATURE_REGION=""
# Seconds within which an EC2/Euare request body must arrive once its headers have.
REQUEST_BODY_TIMEOUT="30"

# The local cluster controller registered at first start; its name is the availability zone.
CLUSTER_NAME="cluster01"
CC_PORT="8774"

# Node controllers. LOCAL_NODE="N" keeps the cloud from starting one for itself (in DATA/node).
LOCAL_NODE="Y"
NC_PORT="8775"
HYPERVISOR="kvm"
INSTANCE_PATH="/var/lib/eucalyptus/instances"

# How the cluster controller places instances on nodes: ROUNDROBIN or GREEDY.
SCHEDPOLICY="ROUNDROBIN"

# Networking (see the Administrator's Guide): SYSTEM, STATIC, MANAGED or MANAGED-NOVLAN.
# In the MANAGED modes every active security group gets a network of VNET_ADDRSPERNET addresses
# of VNET_SUBNET; VNET_PUBLICIPS are the public (elastic) addresses. The local cloud's are this
# machine's own loopback addresses: where a node runs real guests (QEMU), the ports an instance's
# security group opens are forwarded to it from its public address, and nothing else is bound.
# The private networks are bookkeeping (the guests of QEMU's user network take 169.254.0.0/16).
VNET_MODE="MANAGED-NOVLAN"
VNET_SUBNET="10.128.0.0"
VNET_NETMASK="255.255.0.0"
VNET_ADDRSPERNET="32"
VNET_PUBLICIPS="127.0.100.10-127.0.100.40"
VNET_DNS="127.0.0.1"
`;

export function ensureConf(file: string): void {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  fs.writeFileSync(file, DEFAULT_CONF, { mode: 0o644, flag: 'wx' });
}
