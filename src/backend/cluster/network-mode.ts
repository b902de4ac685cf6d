/**
 * The networking mode (VNET_MODE in eucalyptus.conf) decides which EC2 features exist: security
 * group rules and elastic IPs only in MANAGED and MANAGED-NOVLAN, as in Eucalyptus; in SYSTEM and
 * STATIC modes their actions answer UnsupportedOperation, saying so.
 */
import { ServiceError } from '../errors';

export function networkMode(conf: Record<string, string>): string {
  return (conf.VNET_MODE || 'SYSTEM').toUpperCase();
}

/** `what` names the feature, e.g. "Security group rules" or "Elastic IPs". */
export function requireManagedNetworking(mode: string, what: string): void {
  if (mode !== 'MANAGED' && mode !== 'MANAGED-NOVLAN') {
    throw new ServiceError(
      'UnsupportedOperation',
      `${what} are not available in ${mode} networking mode; ask your cloud administrator`,
      400,
    );
  }
}
