/**
 * When a node controller lost an instance (it restarted, clearing INSTANCE_PATH) or is gone for good (the local node restarted on another port after the
 * cloud crashed, its INSTANCE_PATH cleared): the instances placed on it are terminated with the
 * reason, their capacity and addresses given back, their volumes detached, and the old node
 * forgotten, so that the instance, address and capacity records agree again.
 */
import type { CloudContext, RequestContext } from '../../context';
import { log } from '../../listen';
import { releaseVolumes } from '../volumes/handlers';
import { releaseInstance } from './launch';
import { Instance } from './store';

/** An instance its node no longer runs: terminated, with what it held given back. */
export async function terminateLost(cloud: CloudContext, i: Instance, why: string): Promise<void> {
  cloud.instances.update(i.id, { state: 'terminated', stateReason: `Server.InternalError: ${why}`, endedTime: new Date().toISOString() });
  releaseInstance(cloud.compute, i);
  await releaseVolumes({ cloud } as RequestContext, i.id).catch((e: Error) => log(`${i.id}: releasing volumes failed: ${e.message}`));
}

export async function forgetNode(cloud: CloudContext, address: string, why: string): Promise<number> {
  const lost = cloud.instances.list({ states: ['pending', 'running', 'shutting-down', 'stopping'] }).filter((i) => i.node === address);
  for (const i of lost) await terminateLost(cloud, i, why);
  const [host, port] = address.split(':');
  cloud.cluster.controller.nodes.deregister({ host, port: Number(port) });
  if (lost.length) log(`cluster: node ${address} is gone (${why}); ${lost.length} instance(s) on it terminated`);
  return lost.length;
}
