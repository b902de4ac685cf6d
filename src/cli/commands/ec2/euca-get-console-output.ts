import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { type XmlNode } from '../../xml';

export default class GetConsoleOutput extends QueryCommand {
  static override summary = 'Retrieve the console output of an instance';
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override flags = {
    raw: Flags.boolean({ char: 'r', summary: 'print the output as it is, without control characters filtered' }),
  };
  static override examples = ['<%= command.id %> i-4DCF092C'];
  static override action = 'GetConsoleOutput';

  static override route = {
    instance: 'InstanceId',
  };

  protected print(result: XmlNode, { flags }: ParsedOf<typeof GetConsoleOutput>) {
    let output = Buffer.from(String(result.output ?? ''), 'base64').toString('utf8');
    // Escape sequences a console writes must not reach the user's terminal.
    if (!flags.raw) output = output.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
    this.out([String(result.instanceId ?? ''), String(result.timestamp ?? ''), output.replace(/\n$/, '')]);
  }
}
