/**
 * The cloud's side of talking to node controllers: one NC protocol client per node (kept, so
 * its connection pool is reused), serving both the cluster controller (DescribeResource) and
 * the instances (RunInstance, TerminateInstance, ...). Nodes are named host:port.
 */
import { type NetworkRequest, NodeControllerClient, type VolumeRequest } from '../../../shared/nc-protocol';
import type { NodeAddress, NodeCapacity, NodeClient } from '../../cluster/nodes';
import { type LaunchSpec, type NodeOperations, type NodeState } from './services';

export class NodeClients implements NodeOperations, NodeClient {
  private readonly clients = new Map<string, NodeControllerClient>();

  constructor(private readonly key: string) {}

  private client(node: string): NodeControllerClient {
    let c = this.clients.get(node);
    if (!c) this.clients.set(node, (c = new NodeControllerClient(`http://${node}`, this.key)));
    return c;
  }

  async describeResource(node: NodeAddress): Promise<NodeCapacity> {
    const r = await this.client(`${node.host}:${node.port}`).describeResource();
    return {
      cores: r.cores,
      memoryMiB: r.memoryMiB,
      diskGiB: r.diskGiB,
      overheadMiB: r.overheadMiB ?? 0,
      hypervisor: r.hypervisor,
    };
  }

  async runInstance(node: string, spec: LaunchSpec): Promise<void> {
    await this.client(node).runInstance(spec);
  }

  async terminateInstance(node: string, instanceId: string): Promise<void> {
    await this.client(node).terminateInstance(instanceId);
  }

  async rebootInstance(node: string, instanceId: string): Promise<void> {
    await this.client(node).rebootInstance(instanceId);
  }

  async consoleOutput(node: string, instanceId: string): Promise<{ output: string; timestamp: string }> {
    const r = await this.client(node).getConsoleOutput(instanceId);
    return { output: r.output, timestamp: r.timestamp };
  }

  async describeInstances(node: string): Promise<NodeState[]> {
    return (await this.client(node).describeInstances()).instances.map((i) => ({
      instanceId: i.instanceId,
      state: i.state,
      reason: i.reason,
    }));
  }

  async configureNetwork(node: string, req: NetworkRequest): Promise<void> {
    await this.client(node).configureNetwork(req);
  }

  async attachVolume(node: string, req: VolumeRequest): Promise<void> {
    await this.client(node).attachVolume(req);
  }

  async detachVolume(node: string, req: VolumeRequest): Promise<void> {
    await this.client(node).detachVolume(req);
  }

  rootDisk(node: string, instanceId: string) {
    return this.client(node).rootDisk(instanceId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}
