/**
 * What running instances needs from the rest of the cloud: VM types and placement (the cluster
 * controller), addresses (the network manager), key pairs and security groups, and the node
 * controllers that run the instances. Instances depend on this interface only; cloud.ts wires
 * the real parts in (compute-wiring.ts), and tests can wire fakes.
 */
// The shapes a node controller takes are the NC protocol's own (types only: nothing is loaded).
import type { VolumeRequest } from '../../../shared/nc-protocol';
import type { InstanceNetwork, PortForward, RunInstanceRequest, VmTypeSpec } from '../../../shared/nc-protocol';

export type VmType = VmTypeSpec;
export type NetworkAddresses = InstanceNetwork;
/** What a node controller is asked to run. */
export type LaunchSpec = RunInstanceRequest;

export interface NodeState {
  instanceId: string;
  state: string;
  /** Why an instance ended on the node without being asked to (a failed boot). */
  reason?: string;
}

export interface NodeOperations {
  runInstance(node: string, spec: LaunchSpec): Promise<void>;
  terminateInstance(node: string, instanceId: string): Promise<void>;
  rebootInstance(node: string, instanceId: string): Promise<void>;
  consoleOutput(node: string, instanceId: string): Promise<{ output: string; timestamp: string }>;
  describeInstances(node: string): Promise<NodeState[]>;
  /** A running instance's root disk (bundling a Windows instance). */
  rootDisk(node: string, instanceId: string): Promise<NodeJS.ReadableStream & AsyncIterable<Buffer>>;
  /** Makes a volume visible to an instance under a device name, or takes it away. */
  attachVolume(node: string, req: VolumeRequest): Promise<void>;
  detachVolume(node: string, req: VolumeRequest): Promise<void>;
}

export interface ComputeServices {
  vmType(name: string): Promise<VmType | undefined>;
  zones(): Promise<string[]>;
  /** Places between min and max instances, or throws InsufficientInstanceCapacity. */
  place(zone: string, vmType: VmType, min: number, max: number): Promise<{ placementId: number; node: string }[]>;
  unplace(placementId: number): Promise<void>;
  allocateAddresses(
    accountId: string,
    groupName: string,
    addressing: 'public' | 'private',
    instanceId: string,
  ): Promise<NetworkAddresses>;
  releaseAddresses(addresses: NetworkAddresses): Promise<void>;
  /** The public address an instance shows: its elastic IP if one is associated, else its own. */
  publicAddressOf(instanceId: string): Promise<string | undefined>;
  /** publicAddressOf for every instance that has one (describes read it once). */
  publicAddresses(): Promise<Map<string, string>>;
  /** The ports an instance of this security group has forwarded from its public address (MANAGED modes). */
  forwardedPorts(accountId: string, groupName: string): Promise<PortForward[]>;
  keyPair(accountId: string, name: string): Promise<{ name: string; publicKeyOpenSsh: string } | undefined>;
  /** The group by name or sg- id; the account's `default` group is made on first use. */
  securityGroup(accountId: string, nameOrId: string): Promise<{ id: string; name: string } | undefined>;
  nodes: NodeOperations;
}
