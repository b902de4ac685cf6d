/** The EC2 key pair actions on the wire; the rules are the key pair service's (service.ts). */
import { type RequestContext } from '../../context';
import { filtersParam, listParam, requireParam } from '../../query-params';

export async function createKeyPair(ctx: RequestContext) {
  const { key, privateKeyPem } = await ctx.cloud.ec2.keypairs.create(
    ctx.principal,
    requireParam(ctx.params, 'KeyName'),
  );
  return { keyName: key.name, keyFingerprint: key.fingerprint, keyMaterial: privateKeyPem };
}

export function importKeyPair(ctx: RequestContext) {
  const key = ctx.cloud.ec2.keypairs.import(
    ctx.principal,
    requireParam(ctx.params, 'KeyName'),
    requireParam(ctx.params, 'PublicKeyMaterial'),
  );
  return { keyName: key.name, keyFingerprint: key.fingerprint };
}

export function describeKeyPairs(ctx: RequestContext) {
  const keys = ctx.cloud.ec2.keypairs.describe(ctx.principal, {
    names: listParam(ctx.params, 'KeyName'),
    filters: filtersParam(ctx.params),
  });
  return { keySet: keys.map((k) => ({ keyName: k.name, keyFingerprint: k.fingerprint })) };
}

export function deleteKeyPair(ctx: RequestContext) {
  ctx.cloud.ec2.keypairs.delete(ctx.principal, requireParam(ctx.params, 'KeyName'));
  return { return: true };
}
