/**
 * The policy engine: documents (parse, validate), evaluation, request-to-action mapping, the
 * addpolicy builder, and the error each service answers a denial with.
 */
import { ServiceError } from '../../errors';

export * from './document';
export * from './evaluate';
export * from './actions';
export * from './s3-conditions';
export * from './public';
export * from '../../../shared/policy-builder';

/**
 * The error a denied request answers with, as each service does, all 403: EC2
 * UnauthorizedOperation, S3 AccessDenied, IAM AccessDenied (naming the user, action and resource
 * when given).
 */
export function accessDenied(
  service: 'ec2' | 's3' | 'iam',
  action?: string,
  userArn?: string,
  resource?: string,
): ServiceError {
  switch (service) {
    case 'ec2':
      return new ServiceError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403);
    case 's3':
      return new ServiceError('AccessDenied', 'Access Denied', 403);
    case 'iam':
      return new ServiceError(
        'AccessDenied',
        userArn && action
          ? `User: ${userArn} is not authorized to ` +
              `perform: ${action}${resource && resource !== '*' ? ` on resource: ${resource}` : ''}`
          : 'Access Denied',
        403,
      );
  }
}
