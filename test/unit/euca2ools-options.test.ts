/**
 * Every option of the euca2ools table (test/fixtures/euca2ools-table.json, read from euca2ools 3's
 * argument parsers) is accepted by the command of that name, as a flag that takes a value where
 * euca2ools' does (or, for euca2ools' placeholder -u/-g/-a before an IAM name, the name itself),
 * and is listed by --help and the man page, both rendered from the same declaration. Each option
 * is parsed alone by oclif's own parser, the command's relationships between flags set aside.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Parser, type Interfaces } from '@oclif/core';
import { commandMeta, type EucaCommand, sharedFlags } from '../../src/cli/command';
import { helpText, manPage } from '../../src/cli/help';
import { ROOT } from '../helpers/cli';

interface TableOption {
  flags: string[];
  value?: string;
  choices?: string[];
  repeat?: boolean;
  hidden?: boolean;
}
interface TableCommand {
  options: TableOption[];
  filters?: { name: string }[];
}

const TABLE: Record<string, TableCommand> = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'euca2ools-table.json'), 'utf8'),
).commands;
// The registry the build writes: every command name (aliases too) to its class.
const REGISTRY: Record<string, () => typeof EucaCommand> = require(
  path.join(ROOT, 'dist', 'src', 'cli', 'commands-index.js'),
).commands;

/** euca2ools' IAM commands take the name positionally; -u/-g/-a/-c/-k before it are placeholders. */
const PLACEHOLDER = /^euare-/;

/** The command's flags with required-ness and relationships set aside: each option parses alone. */
function looseFlags(cmd: typeof EucaCommand): Interfaces.FlagInput {
  const own = (cmd.flags ?? {}) as Interfaces.FlagInput;
  const all = { ...sharedFlags(cmd, own), ...own };
  return Object.fromEntries(
    Object.entries(all).map(([name, f]) => [
      name,
      { ...f, required: false, exclusive: undefined, exactlyOne: undefined, dependsOn: undefined, relationships: [] },
    ]),
  ) as Interfaces.FlagInput;
}

function sampleValue(o: TableOption, flag: { options?: readonly string[]; min?: number }): string {
  return o.choices?.[0] ?? flag.options?.[0] ?? String(flag.min ?? 1);
}

describe('the euca2ools table: options', () => {
  test('the table covers every euca2ools command the toolkit ships, and each exists here', () => {
    assert.ok(Object.keys(TABLE).length >= 110, `${Object.keys(TABLE).length} commands`);
    for (const name of Object.keys(TABLE)) assert.ok(REGISTRY[name], `${name} is not a command here`);
  });

  for (const [name, entry] of Object.entries(TABLE)) {
    test(`${name}: every euca2ools option parses with its meaning`, async () => {
      const cmd = REGISTRY[name]();
      const flags = looseFlags(cmd);
      const args = Object.fromEntries(
        Object.entries((cmd.args ?? {}) as Interfaces.ArgInput).map(([k, a]) => [
          k,
          { ...a, required: false, ignoreStdin: true },
        ]),
      ) as Interfaces.ArgInput;
      for (const o of entry.options) {
        for (const spelling of o.flags) {
          if (spelling === '-h' || spelling === '--help') continue; // read before parsing
          const declared = Object.entries(flags).find(([n, f]) => {
            const g = f as { char?: string; charAliases?: string[]; aliases?: string[] };
            return [
              `--${n}`,
              ...(g.aliases ?? []).map((a) => `--${a}`),
              ...[g.char, ...(g.charAliases ?? [])].map((c) => `-${c}`),
            ].includes(spelling);
          });
          assert.ok(declared, `${name} ${spelling}: not an option here`);
          const [flagName, flag] = declared as [string, { type: string; options?: readonly string[]; min?: number }];
          const takesValue = o.value !== undefined || (PLACEHOLDER.test(name) && flag.type === 'option');
          assert.equal(
            flag.type === 'option',
            takesValue,
            `${name} ${spelling}: takes a value in euca2ools: ${takesValue}`,
          );
          const argv = takesValue ? [spelling, sampleValue(o, flag)] : [spelling];
          const parsed = await Parser.parse(argv, { flags, args, strict: false });
          const got = (parsed.flags as Record<string, unknown>)[flagName];
          if (!takesValue) assert.equal(got, true, `${name} ${spelling}`);
          else assert.deepEqual(([] as unknown[]).concat(got).map(String), [argv[1]], `${name} ${spelling}`);
        }
      }
    });
  }

  test('--help and the man page list every option euca2ools shows, and each describe command its filters', () => {
    for (const [name, entry] of Object.entries(TABLE)) {
      const meta = commandMeta(REGISTRY[name](), name);
      const help = helpText(meta);
      const man = manPage(meta, '0', '2026-01-01').replace(/\\-/g, '-');
      for (const o of entry.options.filter((x) => !x.hidden)) {
        for (const spelling of o.flags) {
          const listed = new RegExp(`(^|[\\s,])${spelling.replace(/[-]/g, '\\-')}([\\s,]|$)`, 'm');
          assert.match(help, listed, `${name} --help lists ${spelling}`);
          assert.match(man, listed, `${name}'s man page lists ${spelling}`);
        }
      }
      for (const f of entry.filters ?? []) {
        assert.match(help, new RegExp(`^  ${f.name}$`, 'm'), `${name} --help lists the filter ${f.name}`);
        assert.match(man, new RegExp(`^\\.B ${f.name}$`, 'm'), `${name}'s man page lists the filter ${f.name}`);
      }
    }
  });
});
