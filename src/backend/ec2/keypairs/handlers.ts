/** The EC2 key pair actions on the wire; the rules are the key pair service's (service.ts). */
import { type QueryCall } from '../../query-service';
import { filtersParam, listParam, requireParam } from '../../query-params';
import type { KeyPairService } from './service';

/** The actions, given the service they call. */
export function keyPairActions(keyPairs: KeyPairService) {
  return {
    CreateKeyPair: async (ctx: QueryCall) => {
      const { key, privateKeyPem } = await keyPairs.create(ctx.principal, requireParam(ctx.params, 'KeyName'));
      return { keyName: key.name, keyFingerprint: key.fingerprint, keyMaterial: privateKeyPem };
    },
    ImportKeyPair: (ctx: QueryCall) => {
      const key = keyPairs.import(
        ctx.principal,
        requireParam(ctx.params, 'KeyName'),
        requireParam(ctx.params, 'PublicKeyMaterial'),
      );
      return { keyName: key.name, keyFingerprint: key.fingerprint };
    },
    DescribeKeyPairs: (ctx: QueryCall) => {
      const keys = keyPairs.describe(ctx.principal, {
        names: listParam(ctx.params, 'KeyName'),
        filters: filtersParam(ctx.params),
      });
      return { keySet: keys.map((k) => ({ keyName: k.name, keyFingerprint: k.fingerprint })) };
    },
    DeleteKeyPair: (ctx: QueryCall) => {
      keyPairs.delete(ctx.principal, requireParam(ctx.params, 'KeyName'));
      return { return: true };
    },
  };
}
