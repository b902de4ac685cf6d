/**
 * The protocol layer shared by EC2 and Euare: authenticates a Query request, reads it by its
 * operation's wire model (a parameter the operation does not define is refused), authorizes it,
 * calls the action's handler with a typed QueryCall, and renders the answer, or the error, in the
 * service's XML.
 */
import { type Authenticator } from './auth/verify';
import { type CloudContext } from './context';
import { ServiceError } from './errors';
import { authorize, type Origin } from './iam/enforce';
import { impliedEc2Requests } from './iam/policy/actions';
import * as ids from './ids';
import { type Reply } from './reply';
import type { Principal } from './store/types';
import { document, type XmlValue } from './xml';
import { parseQuery, WireError, type WireModel } from '../shared/wire/query';

export type { Reply } from './reply';

/** What an action is given of a request: who asks, its parameters, its id and API version, where from. */
export interface QueryCall<I = Record<string, unknown>> {
  principal: Principal;
  params: Record<string, string>;
  /** The request as its action's model reads it (src/shared/wire). */
  input: I;
  requestId: string;
  /** The API version the client asked for. */
  version: string;
  /** Where the request came from, for policy conditions of the reads it makes (aws:SourceIp). */
  origin?: Origin;
}

/** An operation's request and answer, as the wire model types them (src/shared/wire). */
export interface Operation {
  input: unknown;
  output: unknown;
}

/**
 * A family's actions, each typed by its operation: it is given the request its model reads and
 * answers the elements its model names.
 */
export type Actions<Ops extends { [Op in K]: Operation }, K extends keyof Ops> = {
  [Op in K]: (call: QueryCall<Ops[Op]['input']>) => Ops[Op]['output'] | Promise<Ops[Op]['output']>;
};

export type Handler = (call: QueryCall) => object | Promise<object>;

/**
 * A service's action table from its families' typed actions: sound because the protocol layer
 * hands each action the input its own operation's model read (readInput below).
 */
export function actionTable(...families: object[]): Record<string, Handler> {
  return Object.assign({}, ...families) as Record<string, Handler>;
}

export interface QueryService {
  protocol: 'ec2' | 'iam';
  namespace(version: string): string;
  actions: Record<string, Handler>;
  /**
   * The service's wire model (generated from AWS's): each action's request is read by it, and a
   * parameter the action does not define is refused before the request is authorized.
   */
  model: WireModel;
  /** Parameters every request may carry besides the action's (Euare's DelegateAccount). */
  commonParams?: ReadonlySet<string>;
  /** Refuses, naming the feature, requests for what the service lacks (ec2/unsupported.ts). */
  unsupported?: { action(action: string): void; members(action: string, input: object): void };
  /** Actions anyone may send unsigned (a sign-up): they get no principal. */
  anonymous?: Record<string, (params: Record<string, string>, origin?: Origin) => Promise<object>>;
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

function reply(service: QueryService, action: string, version: string, requestId: string, answer: object): Reply {
  const result = answer as { [k: string]: XmlValue };
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

/** The action's input as its model reads the parameters (a value of the wrong kind is refused). */
function readInput(service: QueryService, action: string, params: Record<string, string>) {
  const common = service.commonParams ?? new Set<string>();
  const presigned = Object.keys(params).filter((k) => k.startsWith('X-Amz-'));
  try {
    return parseQuery(service.model, action, params, new Set([...common, ...presigned]));
  } catch (e) {
    if (e instanceof WireError) throw new ServiceError(e.code, e.message);
    throw e;
  }
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
    if (anonymous) return reply(service, action!, params.Version ?? '', requestId, await anonymous(params, req.origin));
    const principal = req.sender
      ? auth.bodyMatches(req, req.sender)
      : (await auth.authenticate(service.protocol, { ...req, params }))!;
    if (!action) throw new ServiceError('MissingAction', 'The request must contain the parameter Action');
    const handler = Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
    service.unsupported?.action(action);
    if (!handler) throw new ServiceError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const { input, unknown } = readInput(service, action, params);
    if (unknown.length)
      throw new ServiceError('UnknownParameter', `The parameter ${unknown[0]} is not recognized by ${action}`);
    service.unsupported?.members(action, input);
    // Authorized on the input the action will act on, as its model read it.
    const accountId = principal.account.id;
    await authorize(
      cloud,
      principal,
      service.protocol === 'iam'
        ? { service: 'iam', action, input, accountId, delegateAccount: params.DelegateAccount }
        : { service: 'ec2', action, input, accountId },
      req.origin,
    );
    if (service.protocol === 'ec2')
      for (const implied of impliedEc2Requests(action, input))
        await authorize(cloud, principal, { service: 'ec2', ...implied, accountId }, req.origin);
    const version = params.Version;
    if (!version) throw new ServiceError('MissingParameter', 'The request must contain the parameter Version');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version))
      throw new ServiceError('InvalidParameterValue', `Value (${version}) for parameter Version is invalid.`);
    return reply(
      service,
      action,
      version,
      requestId,
      await handler({ principal, params, input, requestId, version, origin: req.origin }),
    );
  } catch (e) {
    if (e instanceof ServiceError) return { ...queryError(service, e, requestId), action };
    throw e;
  }
}
