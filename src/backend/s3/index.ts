/**
 * Walrus, the cloud's S3 service (/services/Walrus, path-style). Answers the service-level listing
 * of buckets; requests naming a bucket find none until buckets can be created.
 */
import { Authenticator } from '../auth/verify';
import { CloudContext } from '../context';
import { ServiceError } from '../errors';
import * as ids from '../ids';
import { Reply } from '../query-service';
import { document } from '../xml';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Request {
  method: string;
  rawPath: string;
  /** The path below the service prefix: '/', '/bucket', '/bucket/key'. */
  resourcePath: string;
  query: [string, string][];
  headers: Record<string, string>;
}

export function s3Error(err: ServiceError, resource: string, requestId: string): Reply {
  return { status: err.status, contentType: 'application/xml', body: document('Error', undefined, { Code: err.code, Message: err.message, Resource: resource, RequestId: requestId }) };
}

export function handleS3(cloud: CloudContext, auth: Authenticator, req: S3Request): Reply {
  const requestId = ids.requestId();
  try {
    const principal = auth.authenticate('s3', req);
    const [, bucket] = req.resourcePath.split('/');
    if (!bucket) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
      if (!principal) throw new ServiceError('AccessDenied', 'Access Denied', 403);
      const body = document('ListAllMyBucketsResult', S3_NS, { Owner: { ID: principal.account.id, DisplayName: principal.account.name }, Buckets: [] }, 'Bucket');
      return { status: 200, contentType: 'application/xml', body, action: 'ListAllMyBuckets' };
    }
    throw new ServiceError('NoSuchBucket', 'The specified bucket does not exist', 404);
  } catch (e) {
    if (e instanceof ServiceError) return s3Error(e, req.resourcePath, requestId);
    throw e;
  }
}
