import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand } from '../../command';
import { type XmlNode } from '../../xml';

export default class GetConsoleOutput extends QueryCommand {
  static override summary = 'Retrieve the console output of an instance';
  static override args = { instance: Args.string({ description: 'ID of the instance', required: true }) };
  static override flags = {
    'raw-console-output': Flags.boolean({
      char: 'r',
      aliases: ['raw'],
      summary: 'display raw output without escaping control characters',
    }),
  };
  static override examples = ['<%= command.id %> i-4DCF092C'];
  static override action = 'GetConsoleOutput';

  static override route = {
    instance: 'InstanceId',
  };

  /**
   * As euca2ools prints it: the instance, the timestamp, then the output, invalid UTF-8 shown as
   * "?" and control characters (but tab, newline and carriage return) as ^X, so that escape
   * sequences a console wrote never reach the user's terminal; the output's own last newline kept.
   */
  protected print(result: XmlNode, { flags }: ParsedOf<typeof GetConsoleOutput>) {
    let output = Buffer.from(String(result.output ?? ''), 'base64')
      .toString('utf8')
      .replace(/\uFFFD/g, '?');
    if (!flags['raw-console-output'])
      output = output.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) =>
        c === '\u007f' ? '^?' : '^' + String.fromCharCode(c.charCodeAt(0) + 64),
      );
    this.out([String(result.instanceId ?? ''), String(result.timestamp ?? ''), output]);
  }
}
