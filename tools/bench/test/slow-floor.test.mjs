/**
 * The slow-consumer benchmark's node:net floor (lib/slow-floor.mjs): records cut out of a
 * real loopback stream in order, the receiver stops reading at its high-water mark and
 * starts again, and the sender's wait on a full write buffer lets everything through.
 * Correctness only: nothing about memory or speed.
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlowFloorPull, SlowFloorPush } from '../lib/slow-floor.mjs';

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('slow floor: records across reads, in order; reading stops at the HWM and resumes', async () => {
  const size = 1000; // not a divisor of the 64 KiB read buffer: records straddle reads
  const hwm = 8;
  const count = 3000;
  const pull = new SlowFloorPull({ receiveHighWaterMark: hwm, recordSize: size });
  await pull.bind('tcp://127.0.0.1:*');
  assert.match(pull.lastEndpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  const push = new SlowFloorPush({ sendHighWaterMark: hwm });
  push.connect(pull.lastEndpoint);
  const sending = (async () => {
    for (let i = 0; i < count; i++) await push.send(Buffer.alloc(size, i & 0xff));
  })();
  try {
    const first = await pull.receive();
    assert.equal(first.length, size);
    assert.equal(first[0], 0);
    // The sender outruns a receiver that takes nothing: the receiver stops reading.
    while (!pull.paused) await turn();
    assert.ok(pull.queued >= hwm, `queued ${pull.queued}`);
    // One 64 KiB read can overshoot the HWM by the records it holds, no more.
    const bound = hwm + Math.ceil((64 * 1024) / size) + 1;
    for (let i = 1; i < count; i++) {
      const record = await pull.receive();
      assert.equal(record.length, size);
      assert.equal(record[0], i & 0xff, `record ${i}`);
      assert.equal(record[size - 1], i & 0xff, `record ${i}`);
    }
    await sending;
    assert.ok(pull.maxQueued <= bound, `at most ${bound} queued, saw ${pull.maxQueued}`);
    assert.equal(pull.queued, 0);
  } finally {
    push.close();
    pull.close();
  }
});

test('slow floor: tcp endpoints only', async () => {
  const pull = new SlowFloorPull({ recordSize: 64 });
  await assert.rejects(pull.bind('ipc:///tmp/x'), /tcp:\/\/host:port/);
  const push = new SlowFloorPush({});
  assert.throws(() => push.connect('inproc://x'), /tcp:\/\/host:port/);
});
