/**
 * decode-ceiling.mjs runs and reports the three cases (correctness of the script only:
 * nothing about speed).
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const script = fileURLToPath(new URL('../decode-ceiling.mjs', import.meta.url));

test('decode-ceiling: every case measured, the saving is their difference', () => {
  const out = JSON.parse(execFileSync(process.execPath, [script, '--size', '64', '--seconds', '0.05', '--json'], { encoding: 'utf8' }));
  assert.equal(out.size, 64);
  assert.equal(out.frames, Math.floor(65536 / 66));
  for (const name of ['decoder', 'ideal native', 'ideal native + copy']) {
    assert.ok(out.nsPerFrame[name] > 0 && Number.isFinite(out.nsPerFrame[name]), `${name}: ${out.nsPerFrame[name]}`);
  }
  assert.equal(out.maxSavingNs, out.nsPerFrame.decoder - out.nsPerFrame['ideal native + copy']);
});

test('decode-ceiling refuses a size that is not a short frame', () => {
  assert.throws(() => execFileSync(process.execPath, [script, '--size', '300', '--seconds', '0.05'], { stdio: 'pipe' }), /--size must be 0\.\.255/);
});
