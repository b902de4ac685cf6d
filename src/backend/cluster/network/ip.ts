/**
 * IPv4 arithmetic for the network manager, as pure functions: addresses as unsigned 32-bit
 * numbers, netmasks, the split of VNET_SUBNET into VNET_ADDRSPERNET-sized networks (network,
 * router and broadcast reserved in each, as seed 001 computes: 64 addresses give 61 instances and
 * a /16 gives 1024 networks), VNET_PUBLICIPS ranges and lists, and VNET_MACMAP pairs.
 */

const IP = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIp(s: string): boolean {
  const m = IP.exec(s);
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

export function ipToInt(s: string): number {
  const m = IP.exec(s);
  if (!m || !isIp(s)) throw new Error(`not an IPv4 address: ${s}`);
  return m.slice(1).reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The prefix length of a netmask, or undefined if its ones are not contiguous. */
export function maskPrefix(mask: string): number | undefined {
  if (!isIp(mask)) return undefined;
  // A valid mask's complement is a run of trailing ones: complement + 1 is a power of two.
  const inv = ~ipToInt(mask) >>> 0;
  if ((inv & (inv + 1)) !== 0) return undefined;
  return 32 - Math.round(Math.log2(inv + 1));
}

export function subnetSize(mask: string): number {
  const p = maskPrefix(mask);
  if (p === undefined) throw new Error(`not a netmask: ${mask}`);
  return 2 ** (32 - p);
}

/** Whether `subnet` is the first address of a network with this mask (no host bits set). */
export function subnetFitsMask(subnet: string, mask: string): boolean {
  return (ipToInt(subnet) & ~ipToInt(mask)) >>> 0 === 0;
}

export function inSubnet(ip: string, subnet: string, mask: string): boolean {
  const m = ipToInt(mask);
  return (ipToInt(ip) & m) >>> 0 === (ipToInt(subnet) & m) >>> 0;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** How many networks of `perNet` addresses the subnet holds (65536 / 64 == 1024). */
export function networkCount(mask: string, perNet: number): number {
  return Math.floor(subnetSize(mask) / perNet);
}

export interface ManagedNetwork {
  index: number;
  network: string;
  router: string;
  broadcast: string;
  /** The instance addresses, lowest first. */
  firstHost: string;
  lastHost: string;
}

/** Network number `index` of the subnet: router first after the network address, broadcast last. */
export function managedNetwork(subnet: string, perNet: number, index: number): ManagedNetwork {
  const base = ipToInt(subnet) + index * perNet;
  return {
    index,
    network: intToIp(base),
    router: intToIp(base + 1),
    broadcast: intToIp(base + perNet - 1),
    firstHost: intToIp(base + 2),
    lastHost: intToIp(base + perNet - 2),
  };
}

/** The k-th address a group network hands out (0-based): after the network address and the router. */
export function networkHost(subnet: string, perNet: number, index: number, k: number): string {
  return intToIp(ipToInt(subnet) + index * perNet + 2 + k);
}

/**
 * VNET_PUBLICIPS: addresses and `a.b.c.d-a.b.c.e` ranges separated by spaces or commas, expanded
 * in order without duplicates. Throws on anything else, naming the bad entry.
 */
export function parseAddressList(spec: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (ip: string) => {
    if (seen.has(ip)) return;
    seen.add(ip);
    out.push(ip);
  };
  for (const item of spec.split(/[\s,]+/).filter(Boolean)) {
    const dash = item.indexOf('-');
    if (dash < 0) {
      if (!isIp(item)) throw new Error(`"${item}" is not an IPv4 address`);
      add(item);
      continue;
    }
    const [from, to] = [item.slice(0, dash), item.slice(dash + 1)];
    if (!isIp(from) || !isIp(to)) throw new Error(`"${item}" is not a range a.b.c.d-a.b.c.e`);
    const [a, b] = [ipToInt(from), ipToInt(to)];
    if (b < a) throw new Error(`"${item}" ends before it starts`);
    if (b - a > 65535) throw new Error(`"${item}" holds more than 65536 addresses`);
    for (let n = a; n <= b; n++) add(intToIp(n));
  }
  return out;
}

export interface MacIp {
  mac: string;
  ip: string;
}

const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){4,5}$/;

/** VNET_MACMAP: `MAC=IP` pairs separated by spaces. Throws naming the bad pair. */
export function parseMacMap(spec: string): MacIp[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [mac, ip, extra] = pair.split('=');
      if (extra !== undefined || !mac || !ip || !MAC.test(mac) || !isIp(ip))
        throw new Error(`"${pair}" is not a MAC=IP pair`);
      return { mac: mac.toUpperCase(), ip };
    });
}

/** A MAC for an address, as Eucalyptus derives them: D0:0D then the address' four octets in hex. */
export function macForIp(ip: string): string {
  const n = ipToInt(ip);
  return [
    'D0',
    '0D',
    ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((o) => o.toString(16).toUpperCase().padStart(2, '0')),
  ].join(':');
}
