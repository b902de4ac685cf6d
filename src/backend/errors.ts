/**
 * An error a service answers with: an AWS error code, a message and the HTTP status. Each
 * protocol renders it in its own error document (EC2, IAM and S3 each have one).
 */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Headers the error answer carries (S3's x-amz-delete-marker, ...). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const missingParameter = (name: string) =>
  new ServiceError('MissingParameter', `The request must contain the parameter ${name}`);
export const invalidParameter = (name: string, value: string, why = '') =>
  new ServiceError(
    'InvalidParameterValue',
    `Value (${value}) for parameter ${name} is invalid.${why ? ' ' + why : ''}`,
  );
