/**
 * The Euare (IAM) Query service (/services/Euare): its actions, each translated by its handler
 * into a call of the identity service (service.ts), and the unsigned account sign-up.
 */
import { iamModel } from '../../shared/wire/iam-model';
import { actionTable, type QueryService } from '../query-service';
import { identityActions } from './handlers';
import type { IdentityService } from './service';

export function iamService(identity: IdentityService): QueryService {
  return {
    protocol: 'iam',
    namespace: () => 'https://iam.amazonaws.com/doc/2010-05-08/',
    model: iamModel,
    commonParams: new Set(['DelegateAccount']),
    anonymous: {
      RequestAccount: async (params, origin) => {
        await identity.requestAccount(params.AccountName ?? '', params.Email ?? '', origin);
        return { AccountName: params.AccountName, Status: 'pending' };
      },
    },
    actions: actionTable(identityActions(identity)),
  };
}
