/**
 * The node:net floor column (`node-net`, lib/floor.mjs): which rows it runs, its ratio
 * column and targets on synthetic data, the generated text, and the floor's sockets cutting
 * records out of a real loopback stream (correctness only: nothing about speed).
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { renderChart } from '../chart.mjs';
import { FLOOR_TEXT, renderDocs } from '../docs.mjs';
import { FLOOR_ONLY, FloorPull, FloorReply, FloorRequest, FloorPush, FRAMED_FLOOR_ONLY, frameHeader } from '../lib/floor.mjs';
import { loadPattern } from '../lib/impls.mjs';
import { buildMatrix, fanoutScenarios, IMPLS, runsScenario } from '../lib/matrix.mjs';
import { evaluateTargets, renderTables } from '../lib/report.mjs';

const floor = IMPLS.find((i) => i.id === 'node-net');

test('the floor column: NULL rows only, no fan-out rows, its own /batch runs, in the default set', async () => {
  assert.ok(floor);
  assert.equal(floor.label, 'node:net floor');
  assert.equal(floor.batchApi, true); // /batch rows are measured, not copied from /plain
  assert.equal(runsScenario(floor, {}), true);
  assert.equal(runsScenario(floor, { security: 'curve' }), false);
  assert.ok(fanoutScenarios().every((s) => !runsScenario(floor, s)));
  assert.ok(fanoutScenarios().every((s) => runsScenario(IMPLS[0], s))); // Monocoque still runs them
  assert.equal(IMPLS.find((i) => i.id === 'zeromq')?.batchApi, false);
  // --quick has the floor's TCP 64 B rows.
  const quick = buildMatrix({ quick: true }).map((s) => s.id);
  for (const id of ['push-pull/tcp/64B/plain', 'push-pull/tcp/64B/batch', 'req-rep/tcp/64B']) assert.ok(quick.includes(id), id);
  // push-pull and req-rep load; the other patterns skip with the reason.
  for (const p of /** @type {const} */ (['push-pull', 'req-rep'])) assert.equal((await loadPattern('node-net', p)).ok, true);
  for (const p of /** @type {const} */ (['pub-sub', 'dealer-router'])) assert.deepEqual(await loadPattern('node-net', p), { ok: false, reason: FLOOR_ONLY });
});

/** A synthetic result set with the floor. */
function floorFixture() {
  const ok = (o) => ({ status: 'ok', count: 100, ...o });
  const row = (id, kind, pattern, size, variant, results) => ({ id, kind, pattern, transport: 'tcp', size, variant, results });
  return [
    row('req-rep/tcp/64B', 'latency', 'req-rep', 64, 'plain', { monocoque: ok({ p50Us: 60, p99Us: 90 }), 'node-net': ok({ p50Us: 50, p99Us: 80 }) }),
    row('dealer-router/tcp/64B', 'latency', 'dealer-router', 64, 'plain', { monocoque: ok({ p50Us: 60, p99Us: 90 }), 'node-net': { status: 'skipped', reason: FLOOR_ONLY } }),
    row('push-pull/tcp/64B/plain', 'throughput', 'push-pull', 64, 'plain', {
      monocoque: ok({ msgPerSec: 900e3, mbPerSec: 57.6 }),
      'monocoque-uring': ok({ msgPerSec: 1.2e6, mbPerSec: 76.8 }),
      libzmq: ok({ msgPerSec: 1e6, mbPerSec: 64 }),
      'node-net': ok({ msgPerSec: 1e6, mbPerSec: 64 }),
    }),
    row('push-pull/tcp/64B/batch', 'throughput', 'push-pull', 64, 'batch', {
      monocoque: ok({ msgPerSec: 5e6, mbPerSec: 320 }),
      'monocoque-uring': ok({ msgPerSec: 7e6, mbPerSec: 448 }),
      libzmq: ok({ msgPerSec: 1e6, mbPerSec: 64 }),
      'node-net': ok({ msgPerSec: 10e6, mbPerSec: 640 }),
    }),
    row('push-pull/tcp/64KiB/plain', 'throughput', 'push-pull', 65536, 'plain', {
      monocoque: ok({ msgPerSec: 20e3, mbPerSec: 1311 }),
      'monocoque-uring': ok({ msgPerSec: 27e3, mbPerSec: 1769 }),
      'node-net': ok({ msgPerSec: 25e3, mbPerSec: 1638 }),
    }),
  ];
}

test('the Mono/floor ratio column: Monocoque (net) over the floor of the same row', () => {
  const tables = renderTables(floorFixture(), ['monocoque', 'monocoque-uring', 'libzmq', 'node-net']);
  assert.match(tables, /\| Throughput \(msg\/s · MB\/s\) +\| +Monocoque \(net\) \| Monocoque \(uring\) \| +libzmq \(C\) \| +node:net floor \| Mono\/zeromq \| Mono\/libzmq \| Mono\/floor \| uring\/net \|/);
  assert.match(tables, /\| push-pull\/tcp\/64B\/plain +\|[^\n]*\| +1\.00M · 64\.0 MB\/s \| +– \| +0\.90× \| +0\.90× \| +1\.33× \|/);
  assert.match(tables, /\| push-pull\/tcp\/64B\/batch +\|[^\n]*\| +10\.00M · 640 MB\/s \| +– \| +5\.00× \| +0\.50× \| +1\.40× \|/);
  assert.match(tables, /\| req-rep\/tcp\/64B +\|[^\n]*\| +50\.0 \/ 80\.0 \| +– \| +– \| +1\.20× \|/);
  assert.match(tables, /\| dealer-router\/tcp\/64B +\|[^\n]*\| +skip \|/);
  // The fan-out table has no floor column, even when the floor is one of the run's columns.
  const fan = fanoutScenarios().map((f) => ({ ...f, results: { monocoque: { status: 'ok', count: 1, msgPerSec: 1, minPerSec: 1 } } }));
  assert.doesNotMatch(renderTables(fan, ['monocoque', 'node-net']), /node:net floor/);
  // Without the floor column, no Mono/floor.
  assert.doesNotMatch(renderTables(floorFixture(), ['monocoque', 'libzmq']), /Mono\/floor/);
  assert.doesNotMatch(tables, /Mono\/framed/);
});

test('the framed floor column: push-pull only, its own /batch runs, a Mono/framed ratio', async () => {
  const framed = IMPLS.find((i) => i.id === 'node-net-framed');
  assert.ok(framed);
  assert.equal(framed.label, 'node:net floor, framed');
  assert.equal(framed.batchApi, true);
  assert.equal(runsScenario(framed, { security: 'curve' }), false);
  assert.ok(fanoutScenarios().every((s) => !runsScenario(framed, s)));
  // Its column is limited to push-pull rows: no req-rep cells are even scheduled.
  assert.equal(runsScenario(framed, { pattern: 'push-pull' }), true);
  assert.equal(runsScenario(framed, { pattern: 'req-rep' }), false);
  assert.ok(buildMatrix({}).filter((s) => s.pattern !== 'push-pull').every((s) => !runsScenario(framed, s)));
  assert.ok(buildMatrix({}).every((s) => runsScenario(floor, s) || s.security === 'curve' || s.peers !== undefined));
  assert.equal((await loadPattern('node-net-framed', 'push-pull')).ok, true);
  for (const p of /** @type {const} */ (['req-rep', 'pub-sub', 'dealer-router'])) {
    assert.deepEqual(await loadPattern('node-net-framed', p), { ok: false, reason: FRAMED_FLOOR_ONLY });
  }
  const rows = floorFixture();
  rows[3].results['node-net-framed'] = { status: 'ok', count: 100, msgPerSec: 4e6, mbPerSec: 256 };
  const tables = renderTables(rows, ['monocoque', 'node-net', 'node-net-framed']);
  assert.match(tables, /\| Mono\/floor \| Mono\/framed \|/);
  // 5 M over the unframed 10 M and over the framed 4 M; no framed cell on the plain row.
  assert.match(tables, /\| push-pull\/tcp\/64B\/batch +\|[^\n]*\| +4\.00M · 256 MB\/s \|[^\n]*\| +0\.50× \| +1\.25× \|/);
  assert.match(tables, /\| push-pull\/tcp\/64B\/plain +\|[^\n]*\| +0\.90× \| +– \|/);
  // Latency tables leave the framed floor (throughput only) out.
  const latency = /** @type {string} */ (tables.split('\n\n').find((t) => t.includes('Round trip')));
  assert.doesNotMatch(latency, /framed/);
});

test('the floor, libzmq-unpinned and io_uring targets of issue 11', () => {
  const targets = evaluateTargets(floorFixture(), undefined);
  const byName = (n) => {
    const t = targets.find((x) => x.name === n);
    assert.ok(t, n);
    return t;
  };
  const plain = byName('Plain API 64 B PUSH/PULL TCP vs raw node:net (one await per message)');
  assert.equal(plain.goal, '≥ 0.8× node:net floor');
  assert.equal(plain.value, 0.9);
  assert.equal(plain.met, true);
  const batch = byName('Batched API 64 B PUSH/PULL TCP vs raw node:net (unframed)');
  assert.equal(batch.value, 0.5);
  assert.equal(batch.met, false);
  assert.match(batch.note, /push-pull\/tcp\/64B\/batch, Monocoque \(net\) vs node:net floor/);
  const c = byName('Plain API 64 B PUSH/PULL TCP vs libzmq C (unpinned)');
  assert.equal(c.value, 0.9);
  assert.equal(c.met, false);
  assert.equal(byName('io_uring vs net, 64 B PUSH/PULL TCP batched').value, 1.4);
  assert.equal(byName('io_uring vs net, 64 B PUSH/PULL TCP batched').met, true);
  assert.equal(byName('io_uring vs net, 64 KiB PUSH/PULL TCP bandwidth').value, 1.35);
  assert.equal(byName('io_uring vs net, 64 KiB PUSH/PULL TCP bandwidth').met, true);
  // A pinned run does not measure the unpinned target.
  const pinned = evaluateTargets(floorFixture(), undefined, { pinned: true }).find((t) => t.name.endsWith('(unpinned)'));
  assert.equal(pinned?.met, null);
  assert.match(String(pinned?.note), /pinned run/);
  // Without the floor: not measured, with the reason.
  const rows = floorFixture();
  rows[2].results['node-net'] = { status: 'skipped', reason: 'no node' };
  const missing = evaluateTargets(rows, undefined).find((t) => t.name.startsWith('Plain API 64 B PUSH/PULL TCP vs raw'));
  assert.equal(missing?.met, null);
  assert.match(String(missing?.note), /no node/);
});

test('the generated page and the chart show the floor', () => {
  const page = renderDocs({
    scenarios: floorFixture(),
    pinning: 'none (processes not pinned)',
    implementations: { monocoque: { label: 'Monocoque (net)', available: true }, 'node-net': { label: 'node:net floor', available: true, reason: FLOOR_ONLY } },
  });
  assert.ok(page.includes(FLOOR_TEXT.join('\n')));
  assert.match(page, /\*\*Pinning:\*\* none \(processes not pinned\)/);
  assert.match(page, /- node:net floor: partly measured — the node:net floor only has push-pull and req-rep/);
  assert.match(page, /\| Plain API 64 B PUSH\/PULL TCP vs raw node:net \(one await per message\) +\| ≥ 0\.8× node:net floor +\| +0\.90× \| \*\*met\*\*/);
  assert.match(page, /Mono\/floor/);
  const svg = renderChart({ scenarios: floorFixture() });
  assert.match(svg, /<title>node:net floor: 1\.00M\/s<\/title>/);
  assert.match(svg, /<title>node:net floor, unframed: 10\.00M\/s<\/title>/);
  assert.match(svg, /<title>node:net floor: 50\.0 µs<\/title>/);
});

/** The framed floor's PULL (`node-net-framed`). */
class FramedPull extends FloorPull {
  /** @param {{ recordSize: number }} options */
  constructor(options) {
    super({ ...options, framed: true });
  }
}

/** Bind a floor server on a fresh endpoint. @param {typeof FloorPull} Cls @param {number} size @param {'tcp' | 'ipc'} transport */
async function bound(Cls, size, transport = 'tcp') {
  const sock = new Cls({ recordSize: size });
  const ipc = path.join(os.tmpdir(), `monocoque-floor-test-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);
  await sock.bind(transport === 'tcp' ? 'tcp://127.0.0.1:*' : `ipc://${ipc}`);
  assert.match(String(sock.lastEndpoint), transport === 'tcp' ? /^tcp:\/\/127\.0\.0\.1:\d+$/ : /^ipc:\/\//);
  return sock;
}

/** Records 0..n-1 of `size` bytes, record i filled with byte i & 255, as one buffer. */
function records(n, size) {
  const all = Buffer.alloc(n * size);
  for (let i = 0; i < n; i++) all.fill(i & 255, i * size, (i + 1) * size);
  return all;
}

/**
 * Write `bytes` to `endpoint` from a raw node:net socket in pieces of awkward sizes, so
 * records are split across chunks.
 * @param {string} endpoint @param {Buffer} bytes
 */
async function writeInPieces(endpoint, bytes) {
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(endpoint);
  const raw = m ? net.connect(Number(m[2]), m[1]) : net.connect(endpoint.slice('ipc://'.length));
  raw.setNoDelay(true);
  await once(raw, 'connect');
  const pieces = [1, 7, 999, 1001, 3, 4096, 65];
  for (let off = 0, k = 0; off < bytes.length; k++) {
    const n = Math.min(pieces[k % pieces.length], bytes.length - off);
    if (!raw.write(bytes.subarray(off, off + n))) await once(raw, 'drain');
    off += n;
    // Let some pieces arrive as their own chunks.
    if (k % 3 === 0) await new Promise((r) => setImmediate(r));
  }
  return raw;
}

test('floor PULL cuts the stream into records, reassembling the split ones (TCP and IPC)', { timeout: 10_000 }, async () => {
  for (const transport of /** @type {const} */ (['tcp', 'ipc'])) {
    const size = 1000;
    const n = 300;
    const pull = await bound(FloorPull, size, transport);
    const writing = writeInPieces(/** @type {string} */ (pull.lastEndpoint), records(n, size));
    let i = 0;
    for await (const frames of pull) {
      assert.equal(frames.length, 1);
      assert.equal(frames[0].length, size);
      assert.ok(frames[0].every((b) => b === (i & 255)), `record ${i} (${transport}) intact`);
      if (++i === n) break;
    }
    assert.equal(i, n);
    (await writing).destroy();
    pull.close();
  }
});

test('floor PULL receiveMany counts whole records across chunk boundaries', { timeout: 10_000 }, async () => {
  const size = 1000;
  const n = 500;
  const pull = await bound(FloorPull, size);
  const writing = writeInPieces(/** @type {string} */ (pull.lastEndpoint), records(n, size));
  let got = 0;
  while (got < n) {
    const batch = await pull.receiveMany();
    assert.ok(batch.length > 0);
    assert.ok(batch.every((f) => f[0].length === size));
    got += batch.length;
  }
  assert.equal(got, n); // never more records than whole ones sent
  (await writing).destroy();
  pull.close();
});

test('floor PUSH (plain and batch) delivers the same bytes; REQ/REP round-trips one record', { timeout: 10_000 }, async () => {
  const size = 100;
  const pull = await bound(FloorPull, size);
  const push = new FloorPush({ recordSize: size });
  push.connect(/** @type {string} */ (pull.lastEndpoint));
  const payload = Buffer.alloc(size, 'x');
  for (let i = 0; i < 50; i++) await push.send(payload);
  for (let i = 0; i < 5000; i++) if (!push.write(payload)) await push.flush();
  await push.flush();
  let count = 0;
  for await (const [r] of pull) {
    assert.ok(r.equals(payload));
    if (++count === 5050) break;
  }
  push.close();
  pull.close();

  const rep = await bound(FloorReply, 64);
  const echo = (async () => {
    for await (const frames of rep) await rep.send(frames);
  })().catch(() => {});
  const req = new FloorRequest({ recordSize: 64 });
  req.connect(/** @type {string} */ (rep.lastEndpoint));
  for (let i = 0; i < 20; i++) {
    const msg = Buffer.alloc(64, i);
    await req.send(msg);
    const [reply] = await req.receive();
    assert.ok(reply.equals(msg), `reply ${i}`);
  }
  req.close();
  rep.close();
  await echo;
  assert.throws(() => new FloorPush({}), /recordSize undefined, expected a positive integer/);
  assert.throws(() => new FloorPush({ recordSize: 64 }).connect('udp://x'), /expected tcp:\/\/host:port or ipc:\/\/path/);
});

test('frameHeader: a final frame, short up to 255 bytes, long (8-byte size) beyond (RFC 23)', () => {
  assert.deepEqual([...frameHeader(64)], [0, 64]);
  assert.deepEqual([...frameHeader(255)], [0, 255]);
  assert.deepEqual([...frameHeader(256)], [2, 0, 0, 0, 0, 0, 0, 1, 0]);
  assert.deepEqual([...frameHeader(65536)], [2, 0, 0, 0, 0, 0, 1, 0, 0]);
});

/** Frames 0..n-1 of `size`-byte bodies (body i filled with byte i & 255), as one buffer. */
function frames(n, size) {
  const header = frameHeader(size);
  const rec = header.length + size;
  const all = Buffer.alloc(n * rec);
  for (let i = 0; i < n; i++) {
    header.copy(all, i * rec);
    all.fill(i & 255, i * rec + header.length, (i + 1) * rec);
  }
  return all;
}

/** floor.mjs read with `MONOCOQUE_BENCH_FRAMED_READS=shared` (its own module instance). */
async function sharedReadsFramedPull() {
  const saved = process.env.MONOCOQUE_BENCH_FRAMED_READS;
  process.env.MONOCOQUE_BENCH_FRAMED_READS = 'shared';
  try {
    const { FloorPull: SharedPull, FRAMED_READS } = await import('../lib/floor.mjs?framed-reads=shared');
    assert.equal(FRAMED_READS, 'shared');
    return class extends SharedPull {
      /** @param {{ recordSize: number }} options */
      constructor(options) {
        super({ ...options, framed: true });
      }
    };
  } finally {
    if (saved === undefined) delete process.env.MONOCOQUE_BENCH_FRAMED_READS;
    else process.env.MONOCOQUE_BENCH_FRAMED_READS = saved;
  }
}
const SharedPull = await sharedReadsFramedPull();

test('framed floor PULL: frames split across chunks come out as their bodies, for await and receiveMany (fresh and shared reads)', { timeout: 20_000 }, async () => {
  for (const [size, Pull] of [64, 1000, 5000].flatMap((size) => [[size, FramedPull], [size, SharedPull]])) {
    const n = 400;
    const viaIter = await bound(Pull, size);
    const w1 = writeInPieces(/** @type {string} */ (viaIter.lastEndpoint), frames(n, size));
    let i = 0;
    for await (const msg of viaIter) {
      assert.equal(msg.length, 1);
      assert.equal(msg[0].length, size);
      assert.ok(msg[0].every((b) => b === (i & 255)), `body ${i} (${size} B) intact`);
      if (++i === n) break;
    }
    (await w1).destroy();
    viaIter.close();

    const viaMany = await bound(Pull, size);
    const w2 = writeInPieces(/** @type {string} */ (viaMany.lastEndpoint), frames(n, size));
    let got = 0;
    while (got < n) {
      const batch = await viaMany.receiveMany();
      assert.ok(batch.length > 0);
      for (const msg of batch) {
        assert.equal(msg.length, 1);
        assert.ok(Buffer.isBuffer(msg[0]));
        assert.equal(msg[0].length, size);
        assert.ok(msg[0].every((b) => b === (got & 255)), `body ${got} (${size} B) intact`);
        got++;
      }
    }
    assert.equal(got, n);
    (await w2).destroy();
    viaMany.close();
  }
});

test('framed floor PULL rejects a frame whose header is not the expected one', { timeout: 10_000 }, async () => {
  const pull = await bound(FramedPull, 64);
  const bad = frames(3, 64);
  bad[66 + 1] = 63; // the second frame claims 63 bytes
  const w = writeInPieces(/** @type {string} */ (pull.lastEndpoint), bad);
  await assert.rejects(async () => {
    for (;;) await pull.receiveMany();
  }, /bad frame header at byte 66: 0 63, expected 0 64/);
  (await w).destroy();
  pull.close();
});

test('framed floor PUSH (plain and batch, short and long frames) delivers each payload', { timeout: 10_000 }, async () => {
  for (const size of [64, 20_000]) {
    const pull = await bound(FramedPull, size);
    const push = new FloorPush({ recordSize: size, framed: true });
    push.connect(/** @type {string} */ (pull.lastEndpoint));
    const payload = Buffer.alloc(size, 'y');
    // Received while sending: 20 KB messages fill the loopback buffers before the end.
    const receiving = (async () => {
      let count = 0;
      while (count < 320) {
        for (const [body] of await pull.receiveMany()) {
          assert.ok(body.equals(payload), `message ${count} (${size} B)`);
          count++;
        }
      }
      return count;
    })();
    for (let i = 0; i < 20; i++) await push.send(payload);
    for (let i = 0; i < 300; i++) if (!push.write(payload)) await push.flush();
    await push.flush();
    assert.equal(await receiving, 320);
    push.close();
    pull.close();
  }
});

test('pinned section: each row unpinned → pinned with the ratio, only when a pinned run exists', async () => {
  const { pinnedSection } = await import('../docs.mjs');
  const run = (/** @type {number} */ rate, /** @type {number} */ p50, /** @type {string} */ pinning) => ({
    date: '2026-12-02T00:00:00.000Z',
    command: `node tools/bench/run.mjs${pinning ? ' --pin' : ''}`,
    machine: { loadAverageAtEnd: 0.5 },
    scenarios: [
      { id: 'push-pull/tcp/64B/plain', kind: 'throughput', results: { libzmq: { status: 'ok', count: 1, msgPerSec: rate } } },
      { id: 'req-rep/tcp/64B', kind: 'latency', results: { libzmq: { status: 'ok', count: 1, p50Us: p50 } } },
    ],
  });
  assert.deepEqual(pinnedSection(run(1e6, 100, ''), undefined, undefined, undefined), []);
  const text = pinnedSection(run(1e6, 100, ''), undefined, run(2e6, 80, 'pin'), undefined).join('\n');
  assert.match(text, /## Pinned and unpinned/);
  assert.match(text, /push-pull\/tcp\/64B\/plain \| +1\.00M → 2\.00M \(2\.00×\)/);
  assert.match(text, /req-rep\/tcp\/64B +\| 100 µs → 80\.0 µs \(0\.80×\)/);
});
