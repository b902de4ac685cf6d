/**
 * The protocol layer shared by EC2 and Euare: turns a Query request into a typed call (action,
 * parameters, verified principal, API version), runs the action's handler against the model, and
 * renders the result, or the error, in the service's XML.
 */
import { type Authenticator } from './auth/verify';
import { type CloudContext, type RequestContext } from './context';
import { ServiceError } from './errors';
import { authorize, type Origin } from './iam/enforce';
import * as ids from './ids';
import { type Reply } from './reply';
import type { Principal } from './store/types';
import { document, type XmlValue } from './xml';

export type { Reply } from './reply';

/** What an action is given of a request: who asks, its parameters, its id and API version, where from. */
export interface QueryCall {
  principal: Principal;
  params: Record<string, string>;
  requestId: string;
  /** The API version the client asked for. */
  version: string;
  /** Where the request came from, for policy conditions of the reads it makes (aws:SourceIp). */
  origin?: Origin;
}

export type Handler = (ctx: RequestContext) => { [k: string]: XmlValue } | Promise<{ [k: string]: XmlValue }>;

export interface QueryService {
  protocol: 'ec2' | 'iam';
  namespace(version: string): string;
  actions: Record<string, Handler>;
  /** The parameters of a request its action does not take, refused before it is authorized. */
  unknownParams?: (action: string, params: Record<string, string>) => string[];
  /** Actions anyone may send unsigned (a sign-up): they get no principal. */
  anonymous?: Record<
    string,
    (cloud: CloudContext, params: Record<string, string>, origin?: Origin) => { [k: string]: XmlValue }
  >;
}

export interface QueryRequest {
  method: string;
  rawPath: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: Buffer;
  /** Where it came from, for policy conditions (aws:SourceIp, aws:SecureTransport). */
  origin?: Origin;
  /** The sender, when its signature was verified before the body was read (Authenticator.checkHeaders). */
  sender?: Principal;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export function queryParams(req: QueryRequest): Record<string, string> {
  const params: Record<string, string> = Object.fromEntries(req.query);
  const ct = req.headers['content-type'] ?? '';
  if (req.body.length && (ct.startsWith('application/x-www-form-urlencoded') || !ct)) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params[k] = v;
  }
  return params;
}

export function queryError(service: QueryService, err: ServiceError, requestId: string): Reply {
  const body =
    service.protocol === 'iam'
      ? document('ErrorResponse', IAM_NS, {
          Error: { Type: err.status >= 500 ? 'Receiver' : 'Sender', Code: err.code, Message: err.message },
          RequestId: requestId,
        })
      : document(
          'Response',
          undefined,
          { Errors: { Error: { Code: err.code, Message: err.message } }, RequestID: requestId },
          null,
        );
  return { status: err.status, contentType: 'text/xml', body };
}

function reply(
  service: QueryService,
  action: string,
  version: string,
  requestId: string,
  result: { [k: string]: XmlValue },
): Reply {
  const ns = service.namespace(version);
  const body =
    service.protocol === 'iam'
      ? document(
          `${action}Response`,
          ns,
          { [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } },
          'member',
        )
      : document(`${action}Response`, ns, { requestId, ...result });
  return { status: 200, contentType: 'text/xml', body, action };
}

export async function handleQuery(
  service: QueryService,
  cloud: CloudContext,
  auth: Authenticator,
  req: QueryRequest,
): Promise<Reply> {
  const requestId = ids.requestId();
  let action: string | undefined;
  try {
    const params = queryParams(req);
    action = params.Action;
    const anonymous =
      action && service.anonymous && Object.hasOwn(service.anonymous, action) ? service.anonymous[action] : undefined;
    if (anonymous)
      return reply(service, action!, params.Version ?? '', requestId, anonymous(cloud, params, req.origin));
    const principal = req.sender
      ? auth.bodyMatches(req, req.sender)
      : auth.authenticate(service.protocol, { ...req, params })!;
    if (!action) throw new ServiceError('MissingAction', 'The request must contain the parameter Action');
    const handler = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
    if (!handler) throw new ServiceError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const unknown = service.unknownParams?.(action, params) ?? [];
    if (unknown.length)
      throw new ServiceError('UnknownParameter', `The parameter ${unknown[0]} is not recognized by ${action}`);
    authorize(
      cloud,
      principal,
      { service: service.protocol, action, params, accountId: principal.account.id },
      req.origin,
    );
    const version = params.Version;
    if (!version) throw new ServiceError('MissingParameter', 'The request must contain the parameter Version');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version))
      throw new ServiceError('InvalidParameterValue', `Value (${version}) for parameter Version is invalid.`);
    return reply(
      service,
      action,
      version,
      requestId,
      await handler({ cloud, principal, params, requestId, version, origin: req.origin }),
    );
  } catch (e) {
    if (e instanceof ServiceError) return { ...queryError(service, e, requestId), action };
    throw e;
  }
}
