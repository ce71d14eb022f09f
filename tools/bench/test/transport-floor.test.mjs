/**
 * transport-floor.mjs runs end to end in both modes on short windows: the throughput table
 * (with the receiver's CPU per 64 KiB) and the ping-pong table (`--latency`). Correctness of
 * the harness only: nothing about speed. The io_uring column is reported skipped, with its
 * reason, where the addon cannot load.
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../transport-floor.mjs', import.meta.url));
const run = (/** @type {string[]} */ args) => execFileSync(process.execPath, [script, ...args, '--no-save'], { encoding: 'utf8', timeout: 60_000 });

/** The table row for `size` bytes, split into cells; notes the io_uring column's absence. */
function row(out, size) {
  const skipped = /^io_uring column skipped: (.*)$/m.exec(out);
  if (skipped) console.log(`# transport-floor: io_uring column skipped: ${skipped[1]}`);
  const line = out.split('\n').find((l) => l.startsWith(`| ${size} B |`));
  assert.ok(line, out);
  return { cells: line.split('|').slice(2, -1).map((c) => c.trim()), uring: !skipped };
}

test('transport floor: bytes per second and receiver CPU per 64 KiB, per transport', () => {
  const out = run(['--sizes', '1024', '--repeat', '1', '--duration', '200', '--warmup', '2']);
  const { cells, uring } = row(out, 1024);
  const [netMB, uringMB, ratio, cpu] = cells;
  assert.ok(Number(netMB) > 0, out);
  const [netCpu, uringCpu] = cpu.split('·').map((c) => c.trim());
  assert.ok(Number(netCpu) > 0, out);
  if (uring) {
    assert.ok(Number(uringMB) > 0 && Number(uringCpu) > 0, out);
    assert.match(ratio, /^\d+\.\d\d×$/, out);
  } else {
    assert.equal(uringMB, '–', out);
  }
});

test('transport floor --latency: p50 round trip and client CPU per trip, per transport', () => {
  const out = run(['--latency', '--sizes', '64', '--repeat', '1', '--duration', '200', '--warmup-trips', '50']);
  assert.match(out, /Transport ping-pong floor/);
  const { cells, uring } = row(out, 64);
  const [netP50, uringP50, ratio, pairRatio, cpu] = cells;
  assert.ok(Number(netP50) > 0, out);
  const [netCpu, uringCpu] = cpu.split('·').map((c) => c.trim());
  assert.ok(Number(netCpu) > 0, out);
  if (uring) {
    assert.ok(Number(uringP50) > 0 && Number(uringCpu) > 0, out);
    assert.match(ratio, /^\d+\.\d\d×$/, out);
    assert.match(pairRatio, /^\d+\.\d\d×$/, out);
  } else {
    assert.equal(uringP50, '–', out);
  }
});
