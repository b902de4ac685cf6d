/**
 * The instance commands as clients of another EC2-compatible cloud (moto_server): what they send
 * and how they print what comes back, in euca2ools' columns, with euca2ools' argument forms.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { run, runOk } from '../helpers/cli';
import { type Moto, startMoto } from '../helpers/moto';

describe('instance commands against moto_server', () => {
  let moto: Moto;
  let ami: string;
  before(async () => {
    moto = await startMoto();
    const images = await runOk('euca-describe-images', ['-a'], moto.env);
    ami = images
      .split('\n')
      .find((l) => l.startsWith('IMAGE\tami-'))!
      .split('\t')[1];
  });
  after(async () => moto.stop());

  test('run, describe, stop, start, reboot, console, attributes, terminate', async () => {
    const out = await runOk('euca-run-instances', ['-n', '2', '-t', 't2.micro', '-d', 'hello', ami], moto.env);
    const lines = out.trim().split('\n');
    const reservation = lines[0].split('\t');
    assert.equal(reservation[0], 'RESERVATION');
    assert.match(reservation[1], /^r-/);
    const instances = lines.filter((l) => l.startsWith('INSTANCE\t')).map((l) => l.split('\t'));
    assert.equal(instances.length, 2);
    for (const cols of instances) {
      assert.match(cols[1], /^i-/);
      assert.equal(cols[2], ami);
      assert.equal(cols[9], 't2.micro');
      assert.match(cols[10], /^\d{4}-\d{2}-\d{2}T/);
    }
    const ids = instances.map((c) => c[1]);

    const described = await runOk('euca-describe-instances', ids, moto.env);
    assert.equal(described.split('\n').filter((l) => l.startsWith('INSTANCE\t')).length, 2);
    assert.match(described, /^RESERVATION\t/);
    const running = await runOk(
      'euca-describe-instances',
      ['--filter', 'instance-state-name=running', '--filter', `instance-id=${ids[0]}`],
      moto.env,
    );
    assert.equal(running.split('\n').filter((l) => l.startsWith('INSTANCE\t')).length, 1);

    assert.equal(
      await runOk('euca-describe-instance-attribute', ['-t', ids[0]], moto.env),
      `instanceType\t${ids[0]}\tt2.micro\n`,
    );
    assert.equal(
      await runOk('euca-describe-instance-attribute', ['--user-data', ids[0]], moto.env),
      // As euca2ools prints it: the heading, then the data on the lines after it.
      `userData\t${ids[0]}\nhello\n`,
    );
    assert.match(
      await runOk('euca-stop-instances', [ids[0]], moto.env),
      new RegExp(`^INSTANCE\\t${ids[0]}\\trunning\\tstopping\\n$`),
    );
    await runOk('euca-modify-instance-attribute', ['-t', 'm1.large', ids[0]], moto.env);
    assert.equal(
      await runOk('euca-describe-instance-attribute', ['-t', ids[0]], moto.env),
      `instanceType\t${ids[0]}\tm1.large\n`,
    );
    assert.match(
      await runOk('euca-start-instances', [ids[0]], moto.env),
      new RegExp(`^INSTANCE\\t${ids[0]}\\tstopped\\tpending\\n$`),
    );
    assert.equal(await runOk('euca-reboot-instances', ids, moto.env), '');
    assert.match(await runOk('euca-get-console-output', [ids[1]], moto.env), new RegExp(`^${ids[1]}\\n`));
    assert.match(
      await runOk('euca-describe-instance-status', ids, moto.env),
      new RegExp(`^INSTANCE\\t${ids[0]}\\t`, 'm'),
    );

    // As the seed shows it: INSTANCE and the ID, one line per instance.
    assert.equal(await runOk('euca-terminate-instances', ids, moto.env), ids.map((id) => `INSTANCE\t${id}\n`).join(''));
  });

  test('argument mistakes are caught before any request', async () => {
    const big = await run('euca-run-instances', ['-d', 'x'.repeat(16 * 1024 + 1), ami], moto.env);
    assert.equal(big.code, 1);
    assert.match(
      big.stderr,
      /^euca-run-instances: error \(InvalidParameterValue\): user data is 16385 bytes; at most 16384/,
    );
    const count = await run('euca-run-instances', ['-n', 'two', ami], moto.env);
    assert.equal(count.code, 2);
    assert.match(count.stderr, /-n\/--instance-count must have the form N or MIN-MAX/);
    const both = await run('euca-describe-instance-attribute', ['-t', '--kernel', 'i-12345678'], moto.env);
    assert.equal(both.code, 2);
    const unknown = await run('euca-describe-instances', ['i-00000000'], moto.env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^euca-describe-instances: error \(InvalidInstanceID\.NotFound\): /);
  });
});
