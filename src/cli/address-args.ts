/**
 * The address commands name an address by its IP (EC2-Classic) or by a VPC allocation ID (-a),
 * one or the other, as euca2ools takes them.
 */
import { UsageError } from '../shared/errors';

export function addressOrAllocation(address: string | undefined, allocationId: string | undefined): void {
  if (address !== undefined && allocationId !== undefined)
    throw new UsageError('argument -a/--allocation-id: not allowed with an IP address');
  if (address === undefined && allocationId === undefined)
    throw new UsageError('argument -a/--allocation-id or an IP address is required');
}
