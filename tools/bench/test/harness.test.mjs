/**
 * Unit tests of the harness's pure parts (statistics, matrix, tables, target verdicts,
 * the CURVE rows and their checks, the generated page).
 * They never run a benchmark and never assert anything about speed.
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMatrix, baseId, checkSecurity, curveBackendOf, IMPLS, runsScenario } from '../lib/matrix.mjs';
import { evaluateCurveTargets, evaluateTargets, markdownTable, ratio, renderCryptoTable, renderTables } from '../lib/report.mjs';
import { combineCrypto, median, medianOfRuns, percentile, summariseLatency } from '../lib/stats.mjs';
import { renderChart } from '../chart.mjs';
import { curveSection, renderDocs } from '../docs.mjs';

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

test('the CURVE rows: --curve, --filter curve, and two cells in --quick', () => {
  const curve = buildMatrix({ curve: true });
  assert.deepEqual(curve.map((s) => s.id), [
    'req-rep/tcp/64B/curve', 'req-rep/tcp/1KiB/curve', 'req-rep/tcp/64KiB/curve',
    'push-pull/tcp/64B/curve', 'push-pull/tcp/64B/curve/batch',
    'push-pull/tcp/1KiB/curve', 'push-pull/tcp/1KiB/curve/batch',
    'push-pull/tcp/64KiB/curve', 'push-pull/tcp/64KiB/curve/batch',
  ]);
  assert.ok(curve.every((s) => s.security === 'curve' && s.transport === 'tcp'));
  assert.deepEqual(buildMatrix({ filter: ['curve'] }), curve);
  assert.ok(buildMatrix().every((s) => s.security === undefined)); // the default matrix is NULL only
  assert.deepEqual(buildMatrix({ filter: ['req-rep/tcp/64B'] }).map((s) => s.id), ['req-rep/tcp/64B']);
  assert.deepEqual(buildMatrix({ filter: ['req-rep/tcp/64B', '64KiB/curve/batch'] }).map((s) => s.id), ['req-rep/tcp/64B', 'push-pull/tcp/64KiB/curve/batch']);
  const quick = buildMatrix({ quick: true }).filter((s) => s.security === 'curve');
  assert.deepEqual(quick.map((s) => s.id), ['req-rep/tcp/64B/curve', 'push-pull/tcp/64B/curve']);
  assert.equal(baseId({ id: 'push-pull/tcp/64B/curve/batch' }), 'push-pull/tcp/64B/curve');
});

test('which columns run which rows, and the CURVE backend of each', () => {
  const impl = (id) => IMPLS.find((i) => i.id === id);
  assert.equal(runsScenario(impl('monocoque-noble'), { security: 'curve' }), true);
  assert.equal(runsScenario(impl('monocoque-noble'), {}), false);
  assert.equal(runsScenario(impl('monocoque-uring'), { security: 'curve' }), false);
  assert.equal(runsScenario(impl('zeromq'), { security: 'curve' }), true);
  assert.equal(curveBackendOf('monocoque'), 'sodium');
  assert.equal(curveBackendOf('monocoque-noble'), 'noble');
  assert.equal(curveBackendOf('zeromq'), undefined);
});

test('a CURVE run is refused unless both sides report CURVE on the named backend', () => {
  const curve = (backend) => ({ mechanism: 'curve', backend });
  assert.deepEqual(checkSecurity('monocoque', [curve('sodium'), curve('sodium')]), { mechanism: 'curve', backend: 'sodium' });
  assert.throws(() => checkSecurity('monocoque', [curve('sodium'), curve('noble')]), /client: CURVE box backend noble, expected sodium/);
  assert.throws(() => checkSecurity('monocoque-noble', [curve('sodium'), curve('noble')]), /server: CURVE box backend sodium, expected noble/);
  assert.throws(() => checkSecurity('zeromq', [{ mechanism: 'null' }, curve('libzmq')]), /server: security mechanism null, expected curve/);
  assert.deepEqual(checkSecurity('libzmq', [curve('libzmq'), curve('libzmq')]), { mechanism: 'curve', backend: 'libzmq' });
});

/** A synthetic CURVE result set and crypto section. */
function curveFixture() {
  const ok = (o) => ({ status: 'ok', count: 100, ...o });
  const row = (id, kind, size, results) => ({ id, kind, pattern: kind === 'latency' ? 'req-rep' : 'push-pull', transport: 'tcp', size, variant: 'plain', security: 'curve', results });
  const scenarios = [
    row('req-rep/tcp/64B/curve', 'latency', 64, { monocoque: ok({ p50Us: 90, p99Us: 200 }), 'monocoque-noble': ok({ p50Us: 120, p99Us: 300 }), zeromq: ok({ p50Us: 100, p99Us: 150 }) }),
    row('push-pull/tcp/64B/curve', 'throughput', 64, { monocoque: ok({ msgPerSec: 600e3, mbPerSec: 38.4 }), 'monocoque-noble': ok({ msgPerSec: 70e3, mbPerSec: 4.48 }), zeromq: ok({ msgPerSec: 250e3, mbPerSec: 16 }) }),
    row('push-pull/tcp/64KiB/curve', 'throughput', 65536, { monocoque: ok({ msgPerSec: 8000, mbPerSec: 524 }), 'monocoque-noble': { status: 'error', reason: 'boom' }, zeromq: ok({ msgPerSec: 8700, mbPerSec: 570 }) }),
  ];
  const crypto = { backends: { noble: { 64: { sealPerSec: 120e3, openPerSec: 100e3 }, 65536: { sealPerSec: 2000, openPerSec: 2100 } }, sodium: { 64: { sealPerSec: 700e3 } } } };
  return { scenarios, crypto };
}

test('CURVE tables, crypto table and targets', () => {
  const { scenarios, crypto } = curveFixture();
  const tables = renderTables(scenarios);
  assert.match(tables, /\| CURVE round trip p50 \/ p99 \(µs\) +\| Monocoque \(sodium\) \| Monocoque \(noble\) \| zeromq \(npm\) \| sodium\/zeromq \| noble\/zeromq \| sodium\/libzmq \|/);
  assert.match(tables, /\| push-pull\/tcp\/64B\/curve +\| +600\.0k · 38\.4 MB\/s \| +70\.0k · 4\.48 MB\/s \| +250\.0k · 16\.0 MB\/s \| +2\.40× \| +0\.28× \| +– \|/);
  assert.doesNotMatch(tables, /Monocoque \(uring\)/);
  const targets = evaluateCurveTargets(scenarios, crypto);
  const byName = (n) => targets.find((t) => t.name.startsWith(n));
  assert.equal(byName('CURVE PUSH/PULL 64 B TCP, sodium').met, true);
  assert.equal(byName('CURVE PUSH/PULL 64 KiB TCP, sodium').met, false);
  assert.equal(byName('CURVE REQ/REP 64 B TCP p50, sodium').met, true);
  assert.equal(byName('CURVE REQ/REP 64 KiB').met, null);
  const noble64 = byName('CURVE PUSH/PULL 64 B TCP, noble');
  assert.equal(noble64.value, 0.7); // 70k msg/s against min(seal 120k, open 100k)
  assert.equal(noble64.met, true);
  assert.equal(byName('CURVE PUSH/PULL 64 KiB TCP, noble').met, null);
  assert.match(byName('CURVE PUSH/PULL 64 KiB TCP, noble').note, /boom/);
  assert.equal(evaluateCurveTargets(scenarios, undefined).find((t) => t.name.includes('noble')).met, null);
  const table = renderCryptoTable(crypto);
  assert.match(table, /\| noble +\| 64B +\| +120\.0k \| +7\.68 \| +100\.0k \|/);
  assert.match(table, /\| sodium +\| 64B +\| +700\.0k \| +44\.8 \| +– +\|/);
  assert.deepEqual(combineCrypto([{ backends: { noble: { 64: { sealPerSec: 1 } } } }, { backends: { noble: { 64: { sealPerSec: 5 } } } }, { backends: { noble: { 64: { sealPerSec: 3 } } } }]).backends, { noble: { 64: { sealPerSec: 3 } } });
});

test('the CURVE section of docs/performance.md', () => {
  const { scenarios, crypto } = curveFixture();
  const section = curveSection({ kind: 'curve', scenarios, crypto, pinning: 'none (processes not pinned)', machine: { cpu: 'test' }, settings: { repeat: 3 } }).join('\n');
  assert.match(section, /^## CURVE\n/);
  assert.match(section, /\*\*Pinning:\*\* none \(processes not pinned\)/);
  assert.match(section, /### CURVE targets \(3 met, 1 missed, 2 not measured\)/);
  assert.match(section, /### The crypto alone, one core/);
  assert.deepEqual(curveSection(undefined), []);
  const page = renderDocs({ scenarios: fixture() }, { scenarios, crypto });
  assert.ok(page.indexOf('## CURVE') > page.indexOf('## Results') && page.indexOf('## CURVE') < page.indexOf('## Reproduce'));
});
