/**
 * The networking mode (VNET_MODE in eucalyptus.conf) decides which EC2 features exist: security
 * group rules and elastic IPs only in MANAGED and MANAGED-NOVLAN, as in Eucalyptus; in SYSTEM and
 * STATIC modes their actions answer UnsupportedOperation, saying so.
 */
import { type CloudContext, type RequestContext } from '../context';
import { ServiceError } from '../errors';

export function networkMode(cloud: CloudContext): string {
  return (cloud.conf.VNET_MODE || 'SYSTEM').toUpperCase();
}

export function isManagedNetworking(cloud: CloudContext): boolean {
  return ['MANAGED', 'MANAGED-NOVLAN'].includes(networkMode(cloud));
}

/** `what` names the feature, e.g. "Security group rules" or "Elastic IPs". */
export function requireManagedNetworking(ctx: RequestContext, what: string): void {
  if (!isManagedNetworking(ctx.cloud)) {
    throw new ServiceError(
      'UnsupportedOperation',
      `${what} are not available in ${networkMode(ctx.cloud)} networking mode; ask your cloud administrator`,
      400,
    );
  }
}
