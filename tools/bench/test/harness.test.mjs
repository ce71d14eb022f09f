/**
 * Unit tests of the harness's pure parts (statistics, matrix, tables, target verdicts,
 * the CURVE rows and their checks, the fan-out rows and their per-peer meter, the
 * generated page).
 * They never run a benchmark and never assert anything about speed.
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMatrix, baseId, checkSecurity, curveBackendOf, fanoutScenarios, IMPLS, runsScenario } from '../lib/matrix.mjs';
import { PeerMeter } from '../lib/meter.mjs';
import { evaluateCurveTargets, evaluateFanoutTargets, evaluateTargets, fmtCell, markdownTable, ratio, renderCryptoTable, renderTables } from '../lib/report.mjs';
import { combineCrypto, median, medianOfRuns, percentile, summariseLatency } from '../lib/stats.mjs';
import { renderChart } from '../chart.mjs';
import { curveSection, fanoutSection, renderDocs } from '../docs.mjs';

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
  assert.deepEqual(medianOfRuns([{ msgPerSec: 5 }, { msgPerSec: 2 }, { msgPerSec: 7 }]), { msgPerSec: 5, runs: 3, msgPerSecRuns: [5, 2, 7] });
  assert.deepEqual(medianOfRuns([{ msgPerSec: 5 }]), { msgPerSec: 5, runs: 1 });
  assert.deepEqual(medianOfRuns([{ p50Us: 90 }, { p50Us: 80 }]), { p50Us: 85, runs: 2, p50UsRuns: [90, 80] });
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

test('the fan-out rows: --fanout, --filter, and the two small ones in --quick', () => {
  const fan = buildMatrix({ fanout: true });
  assert.deepEqual(fan.map((s) => s.id), [
    'pub-sub/tcp/64B/1subs', 'pub-sub/tcp/64B/10subs', 'pub-sub/tcp/64B/100subs',
    'dealer-router/tcp/64B/1000dealers', 'push-pull/tcp/64B/10pushers',
  ]);
  assert.deepEqual(fan, fanoutScenarios());
  assert.deepEqual(fan.map((s) => s.peers), [1, 10, 100, 1000, 10]);
  assert.ok(fan.every((s) => s.kind === 'fanout' && s.transport === 'tcp' && s.size === 64 && s.variant === 'plain' && s.metric));
  assert.deepEqual(buildMatrix({ filter: ['fanout'] }), fan);
  assert.ok(buildMatrix().every((s) => s.peers === undefined)); // the default matrix has no fan-out rows
  assert.ok(buildMatrix({ curve: true }).every((s) => s.peers === undefined));
  assert.deepEqual(buildMatrix({ filter: ['100subs'] }).map((s) => s.id), ['pub-sub/tcp/64B/100subs']);
  assert.deepEqual(buildMatrix({ fanout: true, filter: ['pub-sub'] }).map((s) => s.peers), [1, 10, 100]);
  assert.deepEqual(buildMatrix({ fanout: true, filter: ['fanout'] }), fan);
  // A NULL-row substring does not pull fan-out rows in, and vice versa.
  assert.deepEqual(buildMatrix({ filter: ['pub-sub/tcp/64B'] }).map((s) => s.id), ['pub-sub/tcp/64B/plain', 'pub-sub/tcp/64B/batch']);
  assert.deepEqual(buildMatrix({ filter: ['req-rep/tcp/64B', '1000dealers'] }).map((s) => s.id), ['req-rep/tcp/64B', 'dealer-router/tcp/64B/1000dealers']);
  const quick = buildMatrix({ quick: true }).filter((s) => s.kind === 'fanout');
  assert.deepEqual(quick.map((s) => s.id), ['pub-sub/tcp/64B/10subs', 'push-pull/tcp/64B/10pushers']);
  assert.equal(baseId({ id: 'pub-sub/tcp/64B/100subs' }), 'pub-sub/tcp/64B/100subs');
});

/** A meter on a hand-driven clock. @param {Partial<import('../lib/meter.mjs').MeterOptions>} o */
function fakeMeter(o = {}) {
  const clock = { t: 0 };
  const meter = new PeerMeter({ peers: 3, warmupMs: 100, warmupMsgs: 5, durationMs: 1000, maxMsgs: 1e12, joinTimeoutMs: 5000, now: () => clock.t, ...o });
  return { clock, meter };
}

test('the per-peer meter: warm-up waits for every peer, then one window', () => {
  const { clock, meter } = fakeMeter();
  let opened = 0;
  meter.o.onMeasure = () => opened++;
  clock.t = 10;
  for (let k = 0; k < 10; k++) meter.hit(0);
  clock.t = 500; // long past warmupMs and warmupMsgs, but peer 2 is silent
  meter.hit(1);
  assert.equal(meter.tick(), false);
  assert.equal(opened, 0);
  clock.t = 700;
  assert.equal(meter.hit(2), false); // the last peer joins: the window opens now
  assert.equal(opened, 1);
  for (let k = 0; k < 300; k++) meter.hit(0);
  for (let k = 0; k < 100; k++) meter.hit(1);
  clock.t = 1699;
  assert.equal(meter.tick(), false);
  clock.t = 1700;
  assert.equal(meter.tick(), true);
  assert.equal(meter.hit(0), true); // stays done
  const r = meter.result();
  assert.deepEqual(
    [r.peers, r.count, r.warmupCount, r.elapsedMs, r.msgPerSec, r.minPerSec, r.maxPerSec, r.silentPeers, r.joinMs],
    [3, 401, 12, 1000, 401, 0, 301, 1, 700],
  );
});

test('the per-peer meter: maxMsgs ends the window, a silent peer fails the run', () => {
  const { meter } = fakeMeter({ warmupMs: 0, warmupMsgs: 0, maxMsgs: 6 });
  meter.hit(0);
  meter.hit(1);
  assert.equal(meter.hit(2), false); // all joined: the window opens
  for (let k = 0; k < 5; k++) assert.equal(meter.hit(k % 3), false);
  assert.equal(meter.hit(0), true);
  assert.equal(meter.result().count, 6);
  const { clock, meter: stuck } = fakeMeter();
  stuck.hit(0);
  stuck.hit(1);
  clock.t = 4999;
  assert.equal(stuck.tick(), false);
  clock.t = 5000;
  assert.equal(stuck.tick(), true);
  assert.throws(() => stuck.result(), /only 2 of 3 peers were heard from within 5000 ms \(2 messages in all\)/);
  assert.throws(() => fakeMeter().meter.result(), /has not ended/);
  assert.throws(() => new PeerMeter({ peers: 0, warmupMs: 0, warmupMsgs: 0, durationMs: 1, maxMsgs: 1, joinTimeoutMs: 1 }), RangeError);
});

/** A synthetic fan-out result set. */
function fanoutFixture() {
  const ok = (o) => ({ status: 'ok', count: 100, joinMs: 120, silentPeers: 0, serverRssPeakBytes: 64 * 2 ** 20, clientRssPeakBytes: 80 * 2 ** 20, ...o });
  const rows = fanoutScenarios().map((s) => ({ ...s, results: {} }));
  const byId = (id) => rows.find((r) => r.id === id);
  byId('pub-sub/tcp/64B/100subs').results = {
    monocoque: ok({ msgPerSec: 2e6, minPerSec: 15e3 }),
    'monocoque-uring': ok({ msgPerSec: 1e6, minPerSec: 0, silentPeers: 3 }),
    zeromq: ok({ msgPerSec: 300e3, minPerSec: 2e3 }),
    libzmq: ok({ msgPerSec: 1.5e6, minPerSec: 14e3 }),
  };
  byId('dealer-router/tcp/64B/1000dealers').results = {
    monocoque: ok({ msgPerSec: 20e3, minPerSec: 10 }),
    'monocoque-uring': { status: 'error', reason: 'boom' },
    libzmq: ok({ msgPerSec: 40e3, minPerSec: 20 }),
  };
  return rows;
}

test('fan-out tables and targets', () => {
  const rows = fanoutFixture();
  assert.equal(fmtCell(rows[2].results.monocoque, 'fanout'), '2.00M · 15.0k');
  const tables = renderTables(rows);
  assert.match(tables, /\| Fan-out \/ fan-in: total · slowest peer +\| Counted +\| Monocoque \(net\) \| Monocoque \(uring\) \| +zeromq \(npm\) \| +libzmq \(C\) \| Mono\/zeromq \| Mono\/libzmq \| uring\/net \| uring\/libzmq \|/);
  assert.match(tables, /\| pub-sub\/tcp\/64B\/100subs +\| msg\/s delivered +\| +2\.00M · 15\.0k \| +1\.00M · 0 \| +300\.0k · 2\.0k \| +1\.50M · 14\.0k \| +6\.67× \| +1\.33× \| +0\.50× \| +0\.67× \|/);
  assert.match(tables, /\| dealer-router\/tcp\/64B\/1000dealers +\| round trips\/s +\| +20\.0k · 10 \| +ERR \|/);
  const targets = evaluateFanoutTargets(rows);
  const byName = (n) => targets.find((t) => t.name.startsWith(n));
  assert.equal(byName('PUB to 100 SUBs, total delivered, Monocoque (net)').met, true);
  assert.equal(byName('PUB to 100 SUBs, total delivered, Monocoque (uring)').met, false);
  assert.equal(byName('ROUTER with 1,000 DEALERs, round trips/s, Monocoque (net)').met, false); // 0.5× < 0.8×
  assert.equal(byName('ROUTER with 1,000 DEALERs, round trips/s, Monocoque (uring)').met, null);
  assert.match(byName('ROUTER with 1,000 DEALERs, round trips/s, Monocoque (uring)').note, /boom/);
  assert.equal(evaluateFanoutTargets([]).every((t) => t.met === null), true);
});

test('the fan-out section of docs/performance.md: pending, then the run', () => {
  const pending = fanoutSection(undefined).join('\n');
  assert.match(pending, /^## Fan-out and fan-in\n/);
  assert.match(pending, /\*\*Pending\.\*\*/);
  assert.match(pending, /pnpm bench:fanout/);
  assert.doesNotMatch(pending, /\d+\.\d+M/); // no figures
  const doc = { kind: 'fanout', scenarios: fanoutFixture(), pinning: 'none (processes not pinned)', machine: { cpu: 'test' }, settings: { repeat: 3, warmupMs: 300, warmupMsgs: 100, durationMs: 1000 } };
  const section = fanoutSection(doc).join('\n');
  assert.doesNotMatch(section, /Pending/);
  assert.match(section, /### Fan-out targets \(1 met, 2 missed, 1 not measured\)/);
  assert.match(section, /\| pub-sub\/tcp\/64B\/100subs +\| msg\/s delivered/);
  assert.match(section, /\| pub-sub\/tcp\/64B\/100subs +\| +120 ms · 64 \/ 80 MiB \| +120 ms · 3 silent · 64 \/ 80 MiB \|/);
  assert.match(section, /ERROR Monocoque \(uring\): boom \[dealer-router\/tcp\/64B\/1000dealers\]/);
  const { scenarios: curveRows, crypto } = curveFixture();
  const page = renderDocs({ scenarios: fixture() }, { scenarios: curveRows, crypto }, doc);
  assert.ok(page.indexOf('## Fan-out and fan-in') > page.indexOf('## Results') && page.indexOf('## Fan-out and fan-in') < page.indexOf('## CURVE'));
  assert.match(renderDocs({ scenarios: fixture() }), /## Fan-out and fan-in[\s\S]*\*\*Pending\.\*\*/);
});
