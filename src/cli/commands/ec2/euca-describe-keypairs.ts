import { Args } from '@oclif/core';
import { KEY_PAIR_FILTERS } from '../../filters';
import { filterFlag, filterParams, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeKeypairs extends QueryCommand {
  static override filters = KEY_PAIR_FILTERS;
  static override summary = 'Display information about available key pairs';
  static override description = 'Prints KEYPAIR NAME FINGERPRINT for each key pair.';
  static override strict = false;
  static override args = { keypair: Args.string({ description: 'limit results to specific key pairs' }) };
  static override flags = { filter: filterFlag };
  static override examples = [
    '<%= command.id %>',
    '<%= command.id %> mykey',
    '<%= command.id %> --filter key-name=my*',
  ];
  static override action = 'DescribeKeyPairs';

  static override route = {
    [REST]: 'KeyName',
    filter: filterParams,
  };

  protected print(result: XmlNode) {
    this.out(listOf(result, 'keySet').map((k) => record('KEYPAIR', k.keyName, k.keyFingerprint)));
  }
}
