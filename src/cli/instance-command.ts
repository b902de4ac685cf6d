/**
 * The commands that act on a list of instances (reboot, stop, start) are one declaration each:
 * an action, and whether they print the state change (INSTANCE id previous current) or nothing.
 */
import { Args, Flags } from '@oclif/core';
import { type Parsed, QueryCommand } from './command';
import { record } from './output';
import { listOf, type XmlNode } from './xml';

export abstract class InstanceListCommand extends QueryCommand {
  static override strict = false;
  static override args = { instance: Args.string({ description: 'ID(s) of the instance(s)', required: true }) };
  static override usageArgs = 'INSTANCE [INSTANCE ...]';
  /** Whether the action answers state changes worth printing. */
  static printsStates = true;

  protected override params({ argv, flags }: Parsed) {
    return { InstanceId: argv as string[], Force: flags.force || undefined };
  }

  protected print(result: XmlNode) {
    if (!(this.ctor as unknown as typeof InstanceListCommand).printsStates) return;
    this.out(
      listOf(result, 'instancesSet').map((i) =>
        record('INSTANCE', i.instanceId, i.previousState?.name, i.currentState?.name),
      ),
    );
  }
}

export const forceFlag = Flags.boolean({ char: 'f', summary: 'stop without letting the instance shut down cleanly' });
