/**
 * Argument forms the instance commands share: the instance count (`N` or `MIN-MAX`), user data
 * given inline or from a file (base64-encoded for the Query API, at most 16 KiB as EC2 allows),
 * and security groups given by name or by sg- id.
 */
import * as fs from 'node:fs';
import { UsageError, CliError } from '../shared/errors';
import { type Params } from './query';

export const MAX_USER_DATA = 16 * 1024;

export function instanceCount(text: string): { MinCount: number; MaxCount: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`-n/--instance-count must have the form N or MIN-MAX: ${text}`);
  let [min, max] = [Number(m[1]), Number(m[2] ?? m[1])];
  if (min < 1 || max < 1) throw new UsageError('-n/--instance-count: instance counts must be positive');
  if (min > max) [min, max] = [max, min];
  return { MinCount: min, MaxCount: max };
}

export function userData(
  inline: string | undefined,
  force: string | undefined,
  file: string | undefined,
): string | undefined {
  let data: Buffer | undefined;
  if (inline !== undefined) {
    if (fs.existsSync(inline))
      throw new UsageError(
        `-d/--user-data: "${inline}" is a file; use -f/--user-data-file to send its contents, or ` +
          `--user-data-force to send the name itself`,
      );
    data = Buffer.from(inline);
  } else if (force !== undefined) data = Buffer.from(force);
  else if (file !== undefined) {
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new CliError('FileNotFound', `cannot read user data file ${file}: ${(e as NodeJS.ErrnoException).code}`);
    }
  }
  if (data && data.length > MAX_USER_DATA)
    throw new CliError(
      'InvalidParameterValue',
      `user data is ${data.length} bytes; at most ${MAX_USER_DATA} (16 KiB) are allowed`,
    );
  return data?.toString('base64');
}

export function securityGroups(groups: string[] | undefined): Params {
  const ids = (groups ?? []).filter((g) => g.startsWith('sg-'));
  const names = (groups ?? []).filter((g) => !g.startsWith('sg-'));
  return { SecurityGroupId: ids.length ? ids : undefined, SecurityGroup: names.length ? names : undefined };
}

/** The nine-part form of a new VPC network interface, as euca-run-instances -a takes it. */
export const NETWORK_INTERFACE_FORM =
  '[INTERFACE]:INDEX:[SUBNET]:[DESCRIPTION]:[PRIV_IP]:[GROUP1,GROUP2,...]:[true|false]:[SEC_IP_COUNT|:SEC_IP1,SEC_IP2,...]';

/**
 * A VPC network interface as euca-run-instances -a takes it: `eni-…:INDEX` for an existing one,
 * else INDEX and SUBNET and the optional parts, in euca2ools' nine-part form (NETWORK_INTERFACE_FORM).
 */
export function networkInterface(text: string): Params {
  const bad = (what: string) => new UsageError(`argument -a/--network-interface: ${what}`);
  if (!text) throw bad('network interface definitions must be non-empty');
  const bits = text.split(':');
  if (bits.length < 2 || bits.length > 9)
    throw bad(`network interface definition "${text}" must consist of 2 to 9 elements (${bits.length} provided)`);
  const [id, index, subnet, description, privateIp, groups, deleteOnTermination, secondaryCount, secondaryIps] = bits;
  if (id && !/^eni-[0-9a-fA-F]{8}$/.test(id))
    throw bad(`first element of network interface definition "${text}" must be a network interface ID`);
  if (!/^\d+$/.test(index ?? ''))
    throw bad(`second element of network interface definition "${text}" must be an integer`);
  if (subnet && !subnet.startsWith('subnet-'))
    throw bad(`third element of network interface definition "${text}" must be a subnet ID`);
  if (deleteOnTermination && !/^(true|false)$/.test(deleteOnTermination))
    throw bad(`seventh element of network interface definition "${text}" must be "true" or "false"`);
  if (secondaryCount && !/^\d+$/.test(secondaryCount))
    throw bad(`eighth element of network interface definition "${text}" must be an integer`);
  if (secondaryCount && secondaryIps)
    throw bad(
      `network interface definition "${text}" can specify a secondary IP address count or a list of them, not both`,
    );
  const addresses = [
    ...(privateIp ? [{ PrivateIpAddress: privateIp, Primary: 'true' }] : []),
    ...(secondaryIps ? secondaryIps.split(',').map((a) => ({ PrivateIpAddress: a, Primary: 'false' })) : []),
  ];
  return {
    NetworkInterfaceId: id || undefined,
    DeviceIndex: Number(index),
    SubnetId: subnet || undefined,
    Description: description || undefined,
    PrivateIpAddresses: addresses.length ? addresses : undefined,
    SecurityGroupId: groups ? groups.split(',') : undefined,
    DeleteOnTermination: deleteOnTermination || undefined,
    SecondaryPrivateIpAddressCount: secondaryCount || undefined,
  };
}

/** A boolean as euca2ools' flexible_bool reads one: true/false, yes/no, 1/0, on/off. */
export function flexibleBool(name: string, text: string): boolean {
  const t = text.toLowerCase();
  if (['true', 'yes', 'y', '1', 'on'].includes(t)) return true;
  if (['false', 'no', 'n', '0', 'off'].includes(t)) return false;
  throw new UsageError(`argument ${name}: invalid flexible_bool value: '${text}'`);
}

interface LaunchNetwork {
  group?: string[];
  subnet?: string;
  'network-interface'?: string[];
  'associate-public-ip-address'?: string;
  'private-ip-address'?: string;
  'secondary-address'?: string[];
  'secondary-count'?: number;
}

/**
 * Where a launch's network options go, as euca2ools sends them: with a subnet, an interface or
 * --associate-public-ip-address the launch is into a VPC, and every network option becomes part
 * of interface 0 (groups by ID only); otherwise the groups go by name or ID as EC2-Classic takes them.
 */
export function launchNetwork(flags: LaunchNetwork): Params {
  const interfaces = (flags['network-interface'] ?? []).map(networkInterface);
  const publicIp =
    flags['associate-public-ip-address'] === undefined
      ? undefined
      : flexibleBool('--associate-public-ip-address', flags['associate-public-ip-address']);
  if (!flags.subnet && !interfaces.length && publicIp === undefined)
    return { ...securityGroups(flags.group), PrivateIpAddress: flags['private-ip-address'] };
  const named = (flags.group ?? []).find((g) => !g.startsWith('sg-'));
  if (named) throw new UsageError('argument -g/--group: groups must be specified by ID when using VPC');
  const addresses = [
    ...(flags['private-ip-address'] ? [{ PrivateIpAddress: flags['private-ip-address'], Primary: 'true' }] : []),
    ...(flags['secondary-address'] ?? []).map((a) => ({ PrivateIpAddress: a })),
  ];
  const fromFlags: Params = {
    SecurityGroupId: flags.group?.length ? flags.group : undefined,
    AssociatePublicIpAddress: publicIp,
    PrivateIpAddresses: addresses.length ? addresses : undefined,
    SecondaryPrivateIpAddressCount: flags['secondary-count'],
    SubnetId: flags.subnet,
  };
  const cli = Object.values(fromFlags).some((v) => v !== undefined) ? [{ ...fromFlags, DeviceIndex: 0 }] : [];
  return { NetworkInterface: [...interfaces, ...cli] };
}
