/**
 * pin-compare.mjs alternates `run.mjs` with and without `--pin` and reports per-row ratios.
 * Correctness of the harness only (short windows): nothing about speed.
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../pin-compare.mjs', import.meta.url));

test('pin-compare: a throughput and a latency row, pinned and unpinned, two rounds each', () => {
  const args = ['--rounds', '2', '--filter', 'push-pull/tcp/64B/plain,req-rep/tcp/64B', '--impl', 'monocoque', '--duration', '150', '--warmup', '50', '--no-save'];
  const out = execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.match(out, /Pinned ÷ unpinned, 2 alternating rounds/);
  const rows = out.split('\n').filter((l) => /^\| (push-pull|req-rep)\//.test(l));
  assert.equal(rows.length, 2, out);
  for (const row of rows) {
    const [scenario, column, unpinned, pinned, ratio, perRound] = row.split('|').slice(1, -1).map((c) => c.trim());
    assert.equal(column, 'monocoque', out);
    const unit = scenario.startsWith('req-rep') ? / µs$/ : / [Mk]\/s$/;
    assert.match(unpinned, unit, out);
    assert.match(pinned, unit, out);
    assert.ok(Number.parseFloat(unpinned) > 0 && Number.parseFloat(pinned) > 0, out);
    assert.match(ratio, /^\d+\.\d\d×$/, out);
    assert.match(perRound, /^\d+\.\d\d× \(\d+\.\d\d–\d+\.\d\d\)$/, out);
  }
});
