/** The EC2 key pair actions on the wire; the rules are the key pair service's (service.ts). */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import { filtersOf, required } from '../../query-params';
import type { Actions } from '../../query-service';
import type { KeyPairService } from './service';
import type { TagService } from '../tags/service';

type KeyPairActions = Actions<Ec2Operations, 'CreateKeyPair' | 'ImportKeyPair' | 'DescribeKeyPairs' | 'DeleteKeyPair'>;

/** The actions, given the service they call. */
export function keyPairActions(keyPairs: KeyPairService, tags: TagService): KeyPairActions {
  return {
    CreateKeyPair: async ({ principal, input }) => {
      // Key pairs are named, not tagged, here: a TagSpecification is refused, not dropped.
      tags.specified(input.TagSpecifications, []);
      const { key, privateKeyPem } = await keyPairs.create(principal, required(input.KeyName, 'KeyName'));
      return { keyName: key.name, keyFingerprint: key.fingerprint, keyMaterial: privateKeyPem };
    },
    ImportKeyPair: async ({ principal, input }) => {
      tags.specified(input.TagSpecifications, []);
      const key = await keyPairs.import(
        principal,
        required(input.KeyName, 'KeyName'),
        required(input.PublicKeyMaterial, 'PublicKeyMaterial'),
      );
      return { keyName: key.name, keyFingerprint: key.fingerprint };
    },
    DescribeKeyPairs: async ({ principal, input }) => {
      const keys = await keyPairs.describe(principal, {
        names: input.KeyNames ?? [],
        filters: filtersOf(input.Filters),
      });
      return { keySet: keys.map((k) => ({ keyName: k.name, keyFingerprint: k.fingerprint })) };
    },
    DeleteKeyPair: async ({ principal, input }) => {
      await keyPairs.delete(principal, required(input.KeyName, 'KeyName'));
      return { return: true };
    },
  };
}
