/**
 * The networking settings of eucalyptus.conf (VNET_MODE and VNET_*), read and checked once at
 * start: a setting that cannot work stops the cloud with a message naming it, rather than failing
 * later at the first instance. Seed 001's semantics: SYSTEM hands out addresses as a DHCP server
 * on the network would (here from VNET_SUBNET/VNET_NETMASK, public equal to private), STATIC gives
 * out the VNET_MACMAP pairs, MANAGED and MANAGED-NOVLAN split VNET_SUBNET into one network of
 * VNET_ADDRSPERNET addresses per active security group and route VNET_PUBLICIPS to instances.
 */
import { CliError } from '../../../shared/errors';
import {
  inSubnet,
  isIp,
  isPowerOfTwo,
  type MacIp,
  maskPrefix,
  networkCount,
  parseAddressList,
  parseMacMap,
  subnetFitsMask,
  subnetSize,
} from './ip';

export type NetworkMode = 'SYSTEM' | 'STATIC' | 'MANAGED' | 'MANAGED-NOVLAN';
export const NETWORK_MODES: NetworkMode[] = ['SYSTEM', 'STATIC', 'MANAGED', 'MANAGED-NOVLAN'];

/** VLAN tags MANAGED mode gives networks: from 10 (seed 001's eucabr10) to 4095. */
export const FIRST_VLAN = 10;
export const LAST_VLAN = 4095;

/** SYSTEM mode's simulated DHCP range when VNET_SUBNET is not set (libvirt's default network). */
const SYSTEM_DEFAULT = { subnet: '192.168.122.0', netmask: '255.255.255.0' };

export interface NetworkConfig {
  mode: NetworkMode;
  subnet: string;
  netmask: string;
  /** MANAGED modes: addresses per security group network. */
  addrsPerNet: number;
  /** MANAGED modes: how many such networks there are (VLAN tags bound it in MANAGED). */
  networks: number;
  publicIps: string[];
  macmap: MacIp[];
  dns?: string;
}

export function isManaged(mode: string): boolean {
  return mode === 'MANAGED' || mode === 'MANAGED-NOVLAN';
}

function bad(setting: string, why: string): CliError {
  return new CliError('InvalidConfiguration', `eucalyptus.conf: ${setting} ${why}`);
}

/** The network settings, or a CliError naming the setting that is wrong. */
export function parseNetworkConfig(conf: Record<string, string>): NetworkConfig {
  const mode = (conf.VNET_MODE || 'SYSTEM').toUpperCase() as NetworkMode;
  if (!NETWORK_MODES.includes(mode))
    throw bad('VNET_MODE', `"${conf.VNET_MODE}" is not a networking mode; use one of ${NETWORK_MODES.join(', ')}`);
  const managed = isManaged(mode);

  let subnet = conf.VNET_SUBNET ?? '';
  let netmask = conf.VNET_NETMASK ?? '';
  if (!subnet && !netmask && mode === 'SYSTEM') ({ subnet, netmask } = SYSTEM_DEFAULT);
  if (!isIp(subnet))
    throw bad('VNET_SUBNET', subnet ? `"${subnet}" is not an IPv4 address` : `must be set in ${mode} mode`);
  if (maskPrefix(netmask) === undefined)
    throw bad('VNET_NETMASK', netmask ? `"${netmask}" is not a netmask` : `must be set in ${mode} mode`);
  if (!subnetFitsMask(subnet, netmask))
    throw bad('VNET_SUBNET', `${subnet} does not fit VNET_NETMASK ${netmask}: it has host bits set`);

  // Seed 001 spells it VNET_ADDRSPPERNET in places; both are read.
  const perNetText = conf.VNET_ADDRSPERNET ?? conf.VNET_ADDRSPPERNET ?? '';
  let addrsPerNet = 0;
  let networks = 0;
  if (managed) {
    addrsPerNet = Number(perNetText || '32');
    if (!isPowerOfTwo(addrsPerNet) || addrsPerNet < 4)
      throw bad('VNET_ADDRSPERNET', `"${perNetText}" must be a power of two, at least 4`);
    if (addrsPerNet > subnetSize(netmask))
      throw bad('VNET_ADDRSPERNET', `${addrsPerNet} is larger than the subnet ${subnet}/${maskPrefix(netmask)}`);
    networks = networkCount(netmask, addrsPerNet);
    if (mode === 'MANAGED') networks = Math.min(networks, LAST_VLAN - FIRST_VLAN + 1);
  }

  let publicIps: string[] = [];
  if (managed && conf.VNET_PUBLICIPS) {
    try {
      publicIps = parseAddressList(conf.VNET_PUBLICIPS);
    } catch (e) {
      throw bad('VNET_PUBLICIPS', (e as Error).message);
    }
  }

  let macmap: MacIp[] = [];
  if (mode === 'STATIC') {
    try {
      macmap = parseMacMap(conf.VNET_MACMAP ?? '');
    } catch (e) {
      throw bad('VNET_MACMAP', (e as Error).message);
    }
    if (!macmap.length) throw bad('VNET_MACMAP', 'must list at least one MAC=IP pair in STATIC mode');
    const outside = macmap.find((p) => !inSubnet(p.ip, subnet, netmask));
    if (outside) throw bad('VNET_MACMAP', `${outside.mac}=${outside.ip} is outside VNET_SUBNET ${subnet}/${netmask}`);
  }
  return { mode, subnet, netmask, addrsPerNet, networks, publicIps, macmap, dns: conf.VNET_DNS || undefined };
}
