/** What euare-groupaddpolicy / euare-useraddpolicy build, serialized exactly as the seed prints it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPolicy, normalizeEffect } from '../../src/shared/policy-builder';
import { parsePolicy } from '../../src/backend/iam/policy/document';

test("the seed's document, exactly", () => {
  assert.equal(
    buildPolicy('Allow', ['ec2:RunInstances']),
    '{ "Version": "2008-10-17", "Statement": [ { "Effect": "Allow", "Action": [ "ec2:RunInstances" ], ' +
      '"Resource": [ "*" ] } ] }',
  );
});

test('several actions and resources, Deny', () => {
  assert.equal(
    buildPolicy(
      'Deny',
      ['ec2:TerminateInstances', 'ec2:StopInstances'],
      ['arn:aws:ec2:::instance/*', 'arn:aws:s3:::b/k'],
    ),
    '{ "Version": "2008-10-17", "Statement": [ { "Effect": "Deny", "Action": [ "ec2:TerminateInstances", ' +
      '"ec2:StopInstances" ], "Resource": [ "arn:aws:ec2:::instance/*", "arn:aws:s3:::b/k" ] } ] }',
  );
});

test('what it builds parses back to the same meaning', () => {
  const p = parsePolicy(buildPolicy('allow', ['s3:*'], ['arn:aws:s3:::bucket/*']));
  assert.deepEqual(p.statements, [
    { effect: 'Allow', action: ['s3:*'], resource: ['arn:aws:s3:::bucket/*'], conditions: [] },
  ]);
});

test('strings are JSON-escaped; blank entries dropped; no resource means *', () => {
  assert.match(buildPolicy('Allow', ['ec2:Run"x'], ['', ' ']), /"ec2:Run\\"x" \], "Resource": \[ "\*" \]/);
});

test('effects: case-insensitive, anything else refused; an action is required', () => {
  assert.equal(normalizeEffect('DENY'), 'Deny');
  assert.equal(normalizeEffect('allow'), 'Allow');
  assert.throws(() => normalizeEffect('Permit'), /Allow or Deny/);
  assert.throws(() => buildPolicy('Allow', []), /action/);
});
