/**
 * The IAM wildcard matcher (`wildcardMatch`, used for policy actions and resources, bucket
 * policies and CORS rules). Findings covered (tenant-protocol review, issue 12):
 *
 *  5a. The matcher compiled a pattern to a backtracking regex: `*a*a*a…*b` against a long run of
 *      `a`s took exponential time, so one policy or request could hold the daemon's only thread
 *      for hours. Here: correctness of `*`, `?`, literal regex metacharacters, case folding, empty
 *      strings and newlines; and the pathological pattern answering false in bounded time. The
 *      pathological match runs in a worker thread, which the test terminates when it overruns:
 *      a synchronous hang in the test's own thread would stop node:test's timeout from firing.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { wildcardMatch } from '../../src/backend/iam/policy/index';

test('`*` matches any run (empty included), `?` exactly one character', () => {
  assert.equal(wildcardMatch('*', ''), true);
  assert.equal(wildcardMatch('*', 'anything at all'), true);
  assert.equal(wildcardMatch('a*', 'a'), true);
  assert.equal(wildcardMatch('a*', 'abc'), true);
  assert.equal(wildcardMatch('a*', 'ba'), false);
  assert.equal(wildcardMatch('*c', 'abc'), true);
  assert.equal(wildcardMatch('*c', 'abcd'), false);
  assert.equal(wildcardMatch('a*b*c', 'aXXbYYc'), true);
  assert.equal(wildcardMatch('a*b*c', 'acb'), false);
  assert.equal(wildcardMatch('**', 'x'), true);
  assert.equal(wildcardMatch('?', 'x'), true);
  assert.equal(wildcardMatch('?', ''), false);
  assert.equal(wildcardMatch('?', 'xy'), false);
  assert.equal(wildcardMatch('a?c', 'abc'), true);
  assert.equal(wildcardMatch('a?c', 'ac'), false);
  assert.equal(wildcardMatch('*?', ''), false);
  assert.equal(wildcardMatch('*?', 'z'), true);
  assert.equal(wildcardMatch('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c'), true);
  assert.equal(wildcardMatch('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket2/a'), false);
  // Backtracking is needed: the first `b` is not the one that ends the match.
  assert.equal(wildcardMatch('*ab', 'aabab'), true);
  assert.equal(wildcardMatch('*a*b', 'bbbab'), true);
  assert.equal(wildcardMatch('*a*b', 'bbba'), false);
});

test('empty pattern and empty value', () => {
  assert.equal(wildcardMatch('', ''), true);
  assert.equal(wildcardMatch('', 'a'), false);
  assert.equal(wildcardMatch('a', ''), false);
});

test('regex metacharacters in a pattern are literal', () => {
  assert.equal(wildcardMatch('a.b', 'a.b'), true);
  assert.equal(wildcardMatch('a.b', 'axb'), false);
  assert.equal(wildcardMatch('(x)', '(x)'), true);
  assert.equal(wildcardMatch('(x)', 'x'), false);
  assert.equal(wildcardMatch('a+', 'a+'), true);
  assert.equal(wildcardMatch('a+', 'aa'), false);
  assert.equal(wildcardMatch('a\\b', 'a\\b'), true);
  assert.equal(wildcardMatch('a\\b', 'ab'), false);
  assert.equal(wildcardMatch('[ab]', '[ab]'), true);
  assert.equal(wildcardMatch('[ab]', 'a'), false);
  assert.equal(wildcardMatch('^a$', '^a$'), true);
  assert.equal(wildcardMatch('^a$', 'a'), false);
  assert.equal(wildcardMatch('a|b', 'a|b'), true);
  assert.equal(wildcardMatch('a|b', 'a'), false);
  assert.equal(wildcardMatch('{1}', '{1}'), true);
  assert.equal(wildcardMatch('x{2}', 'xx'), false);
  assert.equal(wildcardMatch('*.txt', 'notes.txt'), true);
  assert.equal(wildcardMatch('*.txt', 'notesXtxt'), false);
});

test('case: exact unless ignoreCase', () => {
  assert.equal(wildcardMatch('ec2:Describe*', 'ec2:describeinstances'), false);
  assert.equal(wildcardMatch('ec2:Describe*', 'ec2:describeinstances', true), true);
  assert.equal(wildcardMatch('EC2:?ESCRIBE*', 'ec2:describeImages', true), true);
  assert.equal(wildcardMatch('abc', 'ABC'), false);
  assert.equal(wildcardMatch('abc', 'ABC', true), true);
  assert.equal(wildcardMatch('abc', 'ABD', true), false);
});

test('a newline in the value is an ordinary character', () => {
  assert.equal(wildcardMatch('*', 'a\nb'), true);
  assert.equal(wildcardMatch('a*b', 'a\nb'), true);
  assert.equal(wildcardMatch('a?b', 'a\nb'), true);
  assert.equal(wildcardMatch('a', 'a\n'), false);
  assert.equal(wildcardMatch('a*', 'a\n'), true);
  assert.equal(wildcardMatch('*b', '\nb'), true);
  assert.equal(wildcardMatch('a\nb', 'a\nb'), true);
});

/** Runs wildcardMatch in a worker; resolves with its answer, or 'overran' after `ms`. */
function matchInWorker(pattern: string, value: string, ms: number): Promise<boolean | 'overran'> {
  const module = path.join(__dirname, '..', '..', 'src', 'backend', 'iam', 'policy', 'evaluate.js');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const { wildcardMatch } = require(workerData.module);
     parentPort.postMessage(wildcardMatch(workerData.pattern, workerData.value));`,
    { eval: true, workerData: { module, pattern, value } },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve('overran');
    }, ms);
    worker.once('message', (m: boolean) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test('`*a*a…*b` against 5000 `a`s answers false without backtracking for hours', { timeout: 90_000 }, async () => {
  // A linear matcher answers in milliseconds; a backtracking regex needs ~5000^30 steps.
  const answer = await matchInWorker('*a'.repeat(30) + 'b', 'a'.repeat(5000), 60_000);
  assert.notEqual(answer, 'overran', 'wildcardMatch did not answer within 60 s (catastrophic backtracking)');
  assert.equal(answer, false);
  // And the same shape that does match still matches.
  assert.equal(await matchInWorker('*a'.repeat(30) + 'b', 'a'.repeat(5000) + 'b', 60_000), true);
  assert.equal(await matchInWorker('*a'.repeat(30) + '*b', 'a'.repeat(5000) + 'xb', 60_000), true);
});

test(
  'a long segment between stars is found in one pass (indexOf), not tried at every offset',
  { timeout: 30_000 },
  () => {
    // Tried at every offset, each try matching 5,000 characters before failing, this is 10^11 steps:
    // the test's timeout ends it. Found with indexOf, a few milliseconds.
    const value = 'a'.repeat(100_000);
    const pattern = '*' + 'a'.repeat(5_000) + 'b*';
    for (let i = 0; i < 200; i++) assert.equal(wildcardMatch(pattern, value), false);
    assert.equal(wildcardMatch(pattern, value + 'b'), true);
  },
);
