/**
 * The ComputeServices instances use, made from the cloud's parts: the cluster controller
 * (VM types, zones, placement), its network manager (addresses), the key pair and security group
 * stores, and the node controllers' protocol client.
 */
import type { ClusterServices } from '../../cluster';
import { type ComputeServices, type NodeOperations } from './services';

export interface KeyPairSource {
  get(accountId: string, name: string): Promise<{ name: string; publicKeyOpenSsh: string } | undefined>;
}

export interface GroupSource {
  /** By name or sg- id; `default` is made on first use. */
  find(accountId: string, nameOrId: string): Promise<{ id: string; name: string } | undefined>;
}

export function computeServices(
  cluster: ClusterServices,
  zones: () => Promise<string[]>,
  keypairs: KeyPairSource,
  groups: GroupSource,
  nodes: NodeOperations,
): ComputeServices {
  return {
    vmType: (name) => cluster.controller.vmTypes.get(name),
    zones,
    place: async (zone, vmType, min, max) =>
      (await cluster.controller.placeInstances(zone, vmType.name, min, max)).map((p) => ({
        placementId: p.id,
        node: `${p.node.host}:${p.node.port}`,
      })),
    unplace: (placementId) => cluster.controller.releaseInstance({ id: placementId }),
    allocateAddresses: (accountId, groupName, addressing, instanceId) =>
      cluster.network.allocateInstanceAddresses(accountId, groupName, addressing, instanceId),
    releaseAddresses: (addresses) => cluster.network.releaseInstanceAddresses(addresses),
    publicAddressOf: (instanceId) => cluster.network.publicAddressOf(instanceId),
    publicAddresses: () => cluster.network.publicAddressesByInstance(),
    forwardedPorts: (accountId, groupName) => cluster.portsFor(accountId, groupName),
    keyPair: (accountId, name) => keypairs.get(accountId, name),
    securityGroup: (accountId, nameOrId) => groups.find(accountId, nameOrId),
    nodes,
  };
}
