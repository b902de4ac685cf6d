/**
 * Which features the networking mode allows: security group rules and elastic IPs exist only in
 * the MANAGED modes (seed 000's note); elsewhere their actions answer UnsupportedOperation.
 */
import type { RequestContext } from '../context';
import { ServiceError } from '../errors';

export const MANAGED_MODES = ['MANAGED', 'MANAGED-NOVLAN'];

/** `what` reads as the subject of the sentence: 'Security group rules', 'Elastic IPs'. */
export function requireManagedNetworking(ctx: RequestContext, what: string): void {
  const mode = ctx.cloud.conf.VNET_MODE || 'SYSTEM';
  if (!MANAGED_MODES.includes(mode)) {
    throw new ServiceError('UnsupportedOperation', `${what} are not available in ${mode} networking mode; ask your cloud administrator`, 400);
  }
}
