/**
 * The Euare (IAM) Query service (/services/Euare). Answers in IAM's one namespace, results inside
 * <ActionResult> with <ResponseMetadata>.
 */
import { RequestContext } from '../context';
import { ServiceError } from '../errors';
import { QueryService } from '../query-service';
import { User } from '../store/types';

export function userArn(accountId: string, user: Pick<User, 'path' | 'name'>): string {
  return `arn:aws:iam::${accountId}:user${user.path}${user.name}`;
}

function getUser(ctx: RequestContext) {
  const { account } = ctx.principal;
  const name = ctx.params.UserName;
  const user = name ? ctx.cloud.store.findUser(account.id, name) : ctx.principal.user;
  if (!user) throw new ServiceError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
  return { User: { Path: user.path, UserName: user.name, UserId: user.id, Arn: userArn(account.id, user), CreateDate: user.created } };
}

export const iamService: QueryService = {
  protocol: 'iam',
  namespace: () => 'https://iam.amazonaws.com/doc/2010-05-08/',
  actions: { GetUser: getUser },
};
