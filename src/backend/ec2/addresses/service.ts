/**
 * Elastic IPs (MANAGED modes only): allocate, associate, disassociate, release and describe, over
 * the cluster's pool of public addresses. An account acts on its own addresses; the cloud
 * administrator on any, and sees every address of the pool and whose it is.
 */
import type { NetworkManager, PublicAddress } from '../../cluster/network/manager';
import { requireManagedNetworking } from '../../cluster/network-mode';
import { ServiceError } from '../../errors';
import { isCloudAdmin } from '../../iam/principals';
import { applyFilters, type Filter, matchingNothing } from '../../query-params';
import type { Principal } from '../../store/types';

const notFound = (ip: string) => new ServiceError('InvalidAddress.NotFound', `Address '${ip}' not found.`);

export interface AddressServiceDeps {
  network: NetworkManager;
  /** The networking mode (VNET_MODE): elastic IPs exist only in MANAGED and MANAGED-NOVLAN. */
  mode(): string;
  accountName(accountId: string): Promise<string | undefined>;
  /** An account's instance: its state and private address, or undefined. */
  instance(accountId: string, instanceId: string): Promise<{ state: string; privateIp: string } | undefined>;
}

/** The address was released, re-allocated or associated elsewhere between the check and the change. */
const changedHands = (ip: string) =>
  new ServiceError('InvalidIPAddress.InUse', `Address ${ip} changed while the request ran; describe it and retry`);

export class AddressService {
  constructor(private readonly d: AddressServiceDeps) {}

  async allocate(p: Principal, domain = 'standard'): Promise<string> {
    this.managed();
    if (domain !== 'standard')
      throw new ServiceError('InvalidParameterValue', `Only standard addresses exist here, not ${domain}`);
    return this.d.network.allocateElastic(p.account.id);
  }

  /** Associates an address with an instance of the address' holder (the administrator acts for that account). */
  async associate(p: Principal, ip: string, instanceId: string): Promise<void> {
    this.managed();
    const address = await this.held(p, ip, 'associate');
    const instance = await this.d.instance(address.accountId!, instanceId);
    if (!instance)
      throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    if (instance.state === 'terminated' || instance.state === 'shutting-down') {
      throw new ServiceError(
        'IncorrectInstanceState',
        `The instance '${instanceId}' is ${instance.state}: an address can only be associated with a pending ` +
          `or running instance`,
      );
    }
    if (!(await this.d.network.associateElastic(ip, address.accountId!, instanceId, instance.privateIp)))
      throw changedHands(ip);
  }

  async disassociate(p: Principal, ip: string): Promise<void> {
    this.managed();
    const address = await this.held(p, ip, 'disassociate');
    if (!address.instanceId)
      throw new ServiceError('InvalidAssociationID.NotFound', `Address ${ip} is not associated with an instance`);
    if (!(await this.d.network.disassociateElastic(ip, address.accountId!))) throw changedHands(ip);
  }

  async release(p: Principal, ip: string): Promise<void> {
    this.managed();
    const address = await this.held(p, ip, 'release');
    if (address.instanceId)
      throw new ServiceError(
        'InvalidIPAddress.InUse',
        `Address ${ip} is associated with instance ${address.instanceId}; disassociate it first`,
      );
    if (!(await this.d.network.releaseElastic(ip, address.accountId!))) throw changedHands(ip);
  }

  /** The principal's elastic IPs; the cloud administrator's view is every address of the pool. */
  async describe(
    p: Principal,
    q: { ips: string[]; filters: Filter[] },
  ): Promise<{ addresses: PublicAddress[]; admin: boolean }> {
    this.managed();
    const admin = isCloudAdmin({ principal: p });
    let addresses = (await this.d.network.publicAddresses()).filter((a) =>
      admin ? true : a.accountId === p.account.id && a.kind === 'elastic',
    );
    if (q.ips.length) {
      const missing = q.ips.find((ip) => !addresses.some((a) => a.ip === ip));
      if (missing) throw notFound(missing);
      addresses = addresses.filter((a) => q.ips.includes(a.ip));
    }
    addresses = applyFilters(addresses, q.filters, {
      'public-ip': (a) => a.ip,
      'instance-id': (a) => a.instanceId,
      domain: () => 'standard',
      'private-ip-address': (a) => a.privateIp,
      // VPC's: no address here has them.
      ...matchingNothing<(typeof addresses)[number]>(
        'allocation-id',
        'association-id',
        'network-interface-id',
        'network-interface-owner-id',
      ),
    });
    return { addresses, admin };
  }

  /** Whose an address is, as the administrator's view names it (the account's name). */
  async ownerName(accountId: string): Promise<string> {
    return (await this.d.accountName(accountId)) ?? accountId;
  }

  private managed(): void {
    requireManagedNetworking(this.d.mode(), 'Elastic IPs');
  }

  /** An address the principal holds (the administrator may act on any allocated address). */
  private async held(p: Principal, ip: string, verb: string): Promise<PublicAddress> {
    const a = await this.d.network.publicAddress(ip);
    if (!a || a.kind !== 'elastic') throw notFound(ip);
    if (a.accountId !== p.account.id && !isCloudAdmin({ principal: p }))
      throw new ServiceError(
        'AuthFailure',
        `Not authorized to ${verb} address ${ip}: it belongs to another account`,
        403,
      );
    return a;
  }
}
