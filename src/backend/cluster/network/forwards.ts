/**
 * What a security group's rules open, as a node forwards it to a guest: each TCP and UDP port a
 * rule opens (from any source: the forward listens on this machine only), the narrowest rules'
 * ports first, at most MAX_PORT_FORWARDS in all. A rule for all traffic, or a wide range, forwards the
 * first ports it covers. ICMP is not forwarded.
 */
import { MAX_PORT_FORWARDS, type PortForward } from '../../../shared/nc-protocol';
import type { Rule } from './iptables';

export function openPorts(rules: Rule[], max = MAX_PORT_FORWARDS): PortForward[] {
  const ranges: { protocol: 'tcp' | 'udp'; from: number; to: number }[] = [];
  for (const r of rules) {
    if (r.protocol === 'icmp') continue;
    const protocols: ('tcp' | 'udp')[] = r.protocol === '-1' ? ['tcp', 'udp'] : [r.protocol];
    const from = r.protocol === '-1' || r.fromPort === undefined ? 1 : Math.max(1, r.fromPort);
    const to = r.protocol === '-1' || r.toPort === undefined ? 65535 : Math.min(65535, r.toPort);
    for (const protocol of protocols) if (from <= to) ranges.push({ protocol, from, to });
  }
  ranges.sort((a, b) => a.to - a.from - (b.to - b.from) || a.from - b.from);
  const out: PortForward[] = [];
  const seen = new Set<string>();
  for (const r of ranges) {
    for (let port = r.from; port <= r.to && out.length < max; port++) {
      const k = `${r.protocol}/${port}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ protocol: r.protocol, port });
    }
  }
  return out;
}
