/**
 * Colour only where a person reads: on a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR
 * turns it on anyway; piped output (what scripts parse) stays plain.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText } from '../../src/cli/help';
import { styleFor } from '../../src/cli/style';

const ESC = '\u001b[';

test('colour on a terminal, never in a pipe, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it', () => {
  assert.equal(styleFor({ isTTY: false }, {}).red('x'), 'x');
  assert.ok(styleFor({ isTTY: true }, {}).red('x').startsWith(`${ESC}31m`));
  assert.equal(styleFor({ isTTY: true }, { NO_COLOR: '1' }).red('x'), 'x');
  assert.equal(styleFor({ isTTY: true }, { TERM: 'dumb' }).red('x'), 'x');
  assert.ok(styleFor({ isTTY: false }, { FORCE_COLOR: '1' }).red('x').includes(ESC));
  assert.equal(styleFor({ isTTY: true }, { FORCE_COLOR: '0', NO_COLOR: '' }).red('x'), 'x');
});

test('--help: headings and examples coloured on a terminal, plain text otherwise', () => {
  const cmd = {
    id: 'euca-example',
    summary: 'An example',
    args: {},
    flags: { zone: { name: 'zone', type: 'option' as const, summary: 'the zone' } },
    examples: ['<%= command.id %> --zone z1'],
  };
  const plain = helpText(cmd, styleFor({ isTTY: false }, {}));
  assert.ok(!plain.includes(ESC), plain);
  assert.match(plain, /^ {2}euca-example --zone z1$/m);
  const coloured = helpText(cmd, styleFor({ isTTY: true }, {}));
  assert.ok(coloured.includes(`${ESC}1mexamples:`), coloured);
  assert.ok(coloured.includes(`${ESC}36meuca-example --zone z1`), coloured);
  assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain);
});
