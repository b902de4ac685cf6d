import { Args, Flags } from '@oclif/core';
import { type ParsedOf, QueryCommand, REST } from '../../command';
import { record } from '../../output';
import { listOf, type XmlNode } from '../../xml';

export default class DescribeProperties extends QueryCommand {
  static override summary = "[Eucalyptus cloud admin only] Show the cloud's live properties";
  static override description =
    'Prints PROPERTY NAME VALUE for every property, or those whose names start with the given prefixes; -v ' +
    "adds each one's description. euca-modify-property changes them.";
  static override strict = false;
  static override args = {
    prefix: Args.string({ description: 'limit results to properties whose names start with these prefixes' }),
  };
  static override flags = { verbose: Flags.boolean({ char: 'v', summary: "also print each property's description" }) };
  static override examples = [
    '<%= command.id %>',
    '<%= command.id %> cloud.images',
    '<%= command.id %> cloud.vmtypes.m1.small',
  ];
  static override action = 'DescribeProperties';

  static override route = {
    [REST]: 'Property',
  };

  protected print(result: XmlNode, { flags }: ParsedOf<typeof DescribeProperties>) {
    this.out(
      listOf(result, 'properties').map((p) =>
        flags.verbose
          ? record('PROPERTY', p.name, p.value ?? '', p.description)
          : [record('PROPERTY', p.name), p.value ?? ''].join('\t'),
      ),
    );
  }
}
