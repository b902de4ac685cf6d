import { Args } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { record } from '../../output';

export default class DeleteKeypair extends QueryCommand {
  static override summary = 'Delete a key pair';
  static override description =
    'Instances already running with the key keep it; new ones can no longer use it. Deleting a name that ' +
    'does not exist succeeds, as in EC2.';
  static override args = { keypair: Args.string({ description: 'name of the key pair to delete', required: true }) };
  static override examples = ['<%= command.id %> mykey'];
  static override action = 'DeleteKeyPair';

  static override route = {
    keypair: 'KeyName',
  };

  protected print(_: unknown, { args }: ParsedOf<typeof DeleteKeypair>) {
    this.out([record('KEYPAIR', args.keypair)]);
  }
}
