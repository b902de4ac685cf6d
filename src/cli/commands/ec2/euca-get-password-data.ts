import { Args } from '@oclif/core';
import { QueryCommand } from '../../command';
import { type XmlNode } from '../../xml';

export default class GetPasswordData extends QueryCommand {
  static override summary = "Retrieve a Windows instance's encrypted Administrator password";
  static override description =
    "The password is encrypted with the public key of the instance's key pair (base64); euca-get-password decrypts it.";
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override examples = ['<%= command.id %> i-5176095D'];
  static override action = 'GetPasswordData';

  static override route = {
    instance: 'InstanceId',
  };

  protected print(result: XmlNode) {
    const data = String(result.passwordData ?? '').trim();
    if (data) this.out([data]);
  }
}
