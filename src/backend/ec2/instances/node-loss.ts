/**
 * When a node controller is gone for good (the local node restarted on another port after the
 * cloud crashed, its INSTANCE_PATH cleared): the instances placed on it are terminated with the
 * reason, their capacity and addresses given back, their volumes detached, and the old node
 * forgotten, so that the instance, address and capacity records agree again.
 */
import type { CloudContext, RequestContext } from '../../context';
import { log } from '../../listen';
import { releaseVolumes } from '../volumes/handlers';
import { releaseInstance } from './launch';

export async function forgetNode(cloud: CloudContext, address: string, why: string): Promise<number> {
  const lost = cloud.instances.list({ states: ['pending', 'running', 'shutting-down', 'stopping'] }).filter((i) => i.node === address);
  const ctx = { cloud } as RequestContext;
  for (const i of lost) {
    cloud.instances.update(i.id, { state: 'terminated', stateReason: `Server.InternalError: ${why}`, endedTime: new Date().toISOString() });
    releaseInstance(cloud.compute, i);
    await releaseVolumes(ctx, i.id).catch((e: Error) => log(`${i.id}: releasing volumes failed: ${e.message}`));
  }
  const [host, port] = address.split(':');
  cloud.cluster.controller.nodes.deregister({ host, port: Number(port) });
  if (lost.length) log(`cluster: node ${address} is gone (${why}); ${lost.length} instance(s) on it terminated`);
  return lost.length;
}
