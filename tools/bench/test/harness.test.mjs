/**
 * Unit tests of the harness's pure parts (statistics, matrix, tables, target verdicts).
 * They never run a benchmark and never assert anything about speed.
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMatrix, baseId } from '../lib/matrix.mjs';
import { evaluateTargets, markdownTable, ratio, renderTables } from '../lib/report.mjs';
import { median, medianOfRuns, percentile, summariseLatency } from '../lib/stats.mjs';
import { renderChart } from '../chart.mjs';

test('nearest-rank percentiles and medians', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const s = summariseLatency(Float64Array.from([5, 1, 3]));
  assert.deepEqual([s.count, s.p50Us, s.minUs, s.maxUs, s.meanUs], [3, 3, 1, 5, 3]);
  assert.deepEqual(medianOfRuns([{ a: 1, k: 'x' }, { a: 9, k: 'y' }, { a: 4, k: 'z' }]), { a: 4, k: 'x', runs: 3 });
});

test('the matrix: full, quick and filtered', () => {
  const full = buildMatrix();
  assert.equal(full.length, 2 * 2 * 3 + 2 * 2 * 3 * 2); // latency rows + throughput rows (plain, batch)
  assert.ok(full.some((s) => s.id === 'push-pull/ipc/64KiB/batch'));
  assert.ok(buildMatrix({ quick: true }).length < full.length);
  assert.deepEqual(buildMatrix({ filter: ['req-rep/tcp/64B'] }).map((s) => s.id), ['req-rep/tcp/64B']);
  assert.equal(baseId({ id: 'pub-sub/tcp/64B/batch' }), 'pub-sub/tcp/64B');
});

/** A tiny synthetic result set. */
function fixture() {
  const ok = (o) => ({ status: 'ok', count: 100, ...o });
  return [
    { id: 'req-rep/tcp/64B', kind: 'latency', pattern: 'req-rep', transport: 'tcp', size: 64, variant: 'plain',
      results: { monocoque: ok({ p50Us: 50, p99Us: 90 }), zeromq: ok({ p50Us: 100, p99Us: 200 }), libzmq: { status: 'skipped', reason: 'no cc' } } },
    { id: 'push-pull/tcp/64B/plain', kind: 'throughput', pattern: 'push-pull', transport: 'tcp', size: 64, variant: 'plain',
      results: { monocoque: ok({ msgPerSec: 1e6, mbPerSec: 64 }), zeromq: ok({ msgPerSec: 1e5, mbPerSec: 6.4 }) } },
  ];
}

test('ratios, tables and target verdicts', () => {
  const rows = fixture();
  assert.equal(ratio(rows[0], 'monocoque', 'zeromq'), 0.5);
  assert.equal(ratio(rows[0], 'monocoque', 'libzmq'), undefined);
  const tables = renderTables(rows);
  assert.match(tables, /\| req-rep\/tcp\/64B +\| +50\.0 \/ 90\.0 \|/);
  assert.match(tables, /0\.50×/);
  assert.match(tables, /10\.0×/);
  const targets = evaluateTargets(rows, undefined);
  const byName = (n) => targets.find((t) => t.name.startsWith(n));
  assert.equal(byName('REQ/REP 64 B TCP p50 vs npm zeromq').met, true);
  assert.equal(byName('REQ/REP 64 B TCP p50 vs libzmq C').met, null);
  assert.equal(byName('PUSH/PULL 64 B TCP plain vs npm zeromq').met, true);
  assert.equal(byName('Server RSS').met, null);
  assert.match(markdownTable(['a', 'b'], [['x', 'y']]), /^\| a \| b \|\n\|:--\|--:\|\n\| x \| y \|$/);
});

test('the chart is a self-contained SVG', () => {
  const svg = renderChart({ scenarios: fixture(), machine: { cpu: 'test' }, date: '2026-01-01' });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal((svg.match(/<rect [^>]*><title>/g) ?? []).length, 4); // 2 latency + 2 throughput bars
});
