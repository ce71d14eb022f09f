/**
 * receive-path.mjs runs both variants and the --count mode (correctness of the script
 * only: nothing about speed).
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const script = fileURLToPath(new URL('../receive-path.mjs', import.meta.url));
const run = (/** @type {string[]} */ args) => JSON.parse(execFileSync(process.execPath, [script, ...args, '--json'], { encoding: 'utf8', timeout: 60_000 }));

test('receive-path: both variants measured through a real PULL', () => {
  const out = run(['--size', '64', '--seconds', '0.3']);
  assert.equal(out.size, 64);
  for (const variant of ['batch', 'plain']) {
    const s = out.summary[variant];
    assert.equal(s.runs.length, 3, variant);
    assert.ok(s.msgPerSec > 0 && Number.isFinite(s.msgPerSec), `${variant}: ${s.msgPerSec}`);
  }
});

test('receive-path --count receives that many messages and exits', () => {
  const out = run(['--count', '200000', '--variant', 'plain']);
  assert.equal(out.variant, 'plain');
  assert.equal(out.count, 200000);
  assert.ok(out.msgPerSec > 0 && Number.isFinite(out.msgPerSec));
});

test('receive-path refuses a size that is not a short frame', () => {
  assert.throws(() => execFileSync(process.execPath, [script, '--size', '300'], { stdio: 'pipe' }), /--size must be 0\.\.255/);
});
