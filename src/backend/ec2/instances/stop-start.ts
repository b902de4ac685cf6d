/**
 * StopInstances and StartInstances, for EBS-backed instances (an instance-store one has nowhere
 * to keep its disk: EC2's UnsupportedOperation). Stopping shuts the VM down on its node and gives
 * back the node's capacity and the instance's addresses, keeping its volumes attached; starting
 * places it again in its zone (on whichever node has room), with new addresses, and boots it from
 * the same volumes.
 */
import { ServiceError } from '../../errors';
import { bootOnNode } from './launch';
import { giveBack } from './lifecycle';
import type { InstanceServiceDeps } from './service';
import { type Instance, STATE_CODES, STOPPED, userInitiated } from './store';
import { stateOf } from './view';

function ebsBacked(instances: Instance[]): void {
  const other = instances.find((i) => i.rootDeviceType !== 'ebs');
  if (other)
    throw new ServiceError(
      'UnsupportedOperation',
      `The instance '${other.id}' does not have an 'ebs' root device type and cannot be stopped or started.`,
    );
}

const change = (i: Instance, previous: ReturnType<typeof stateOf>, state: Instance['state']) => ({
  instanceId: i.id,
  previousState: previous,
  currentState: { code: STATE_CODES[state], name: state },
});

const SHUTDOWN_WAIT_MS = 60_000;

/** Asks the node to shut the VM down and waits until it has (stopped means the node let go). */
async function shutDown(d: InstanceServiceDeps, node: string, instanceId: string): Promise<void> {
  const nodes = d.compute.nodes;
  await nodes.terminateInstance(node, instanceId);
  for (const until = Date.now() + SHUTDOWN_WAIT_MS; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const state = (await nodes.describeInstances(node)).find((s) => s.instanceId === instanceId)?.state;
    if (!state || state === 'terminated') return;
  }
  throw new Error(`the node did not shut ${instanceId} down within ${SHUTDOWN_WAIT_MS / 1000} s`);
}

export async function stopInstances(d: InstanceServiceDeps, instances: Instance[]) {
  ebsBacked(instances);
  for (const i of instances) {
    if (i.state !== 'running' && i.state !== 'pending' && i.state !== 'stopped' && i.state !== 'stopping')
      throw new ServiceError('IncorrectInstanceState', `The instance '${i.id}' is ${i.state} and cannot be stopped.`);
  }
  const services = d.compute;
  const changes = [];
  for (const i of instances) {
    const previous = stateOf(i);
    if (i.state !== 'running' && i.state !== 'pending') {
      changes.push(change(i, previous, i.state));
      continue;
    }
    // Only the request that moves it gives its place and addresses back (another may have just now).
    if (!(await d.instances.updateIf(i.id, [i.state], { state: 'stopping', ...userInitiated() }))) {
      changes.push(change(i, previous, 'stopping'));
      continue;
    }
    await giveBack(services, i);
    const stopped = () =>
      d.instances.update(i.id, STOPPED).catch((e: Error) => d.log(`${i.id}: not recorded as stopped: ${e.message}`));
    if (i.node)
      d.jobs.track(
        i.id,
        shutDown(d, i.node, i.id).then(
          stopped,
          (e: Error) => (d.log(`${i.id}: stopping on ${i.node} failed: ${e.message}`), stopped()),
        ),
      );
    else await stopped();
    changes.push(change(i, previous, 'stopping'));
  }
  return changes;
}

export async function startInstances(d: InstanceServiceDeps, instances: Instance[]) {
  ebsBacked(instances);
  const services = d.compute;
  for (const i of instances) {
    if (i.state !== 'stopped' && i.state !== 'running' && i.state !== 'pending')
      throw new ServiceError('IncorrectInstanceState', `The instance '${i.id}' is ${i.state} and cannot be started.`);
  }
  const changes = [];
  for (const i of instances) {
    const previous = stateOf(i);
    if (i.state !== 'stopped') {
      changes.push(change(i, previous, i.state));
      continue;
    }
    const vmType = (await services.vmType(i.instanceType))!;
    const [placement] = await services.place(i.zone, vmType, 1, 1);
    let addresses;
    try {
      addresses = await services.allocateAddresses(i.accountId, i.groupName, i.addressing, i.id);
    } catch (e) {
      await services.unplace(placement.placementId);
      throw e;
    }
    const started: Instance = {
      ...i,
      state: 'pending',
      node: placement.node,
      placementId: placement.placementId,
      ...addresses,
    };
    const moved = await d.instances.updateIf(i.id, ['stopped'], {
      state: 'pending',
      stateReason: undefined,
      transitionReason: undefined,
      node: started.node,
      placementId: started.placementId,
      privateIp: addresses.privateIp,
      publicIp: addresses.publicIp,
      mac: addresses.mac,
      vlan: addresses.vlan,
    });
    if (!moved) {
      // Another request started (or terminated) it meanwhile: what this one took goes back.
      await services.releaseAddresses(addresses);
      await services.unplace(placement.placementId);
      changes.push(change(i, previous, 'pending'));
      continue;
    }
    const publicKey = i.keyName ? (await services.keyPair(i.accountId, i.keyName))?.publicKeyOpenSsh : undefined;
    bootOnNode(d, started, vmType, d.volumes.nodeVolumesOf(i), publicKey);
    changes.push(change(i, previous, 'pending'));
  }
  return changes;
}
