#!/usr/bin/env node
// A libzmq PULL sink for Monocoque's bulk and back-pressure tests, run as its own process
// (a separate script so that bulk data does not go through zmq-peer.mjs's JSON protocol).
//
// Usage: node zmq-sink.mjs '<json config>'
//   config: {"connect": "tcp://127.0.0.1:5555", "expect": 16384, "size": 65536,
//            "receiveHighWaterMark": 100, "slowCount": 200, "slowDelayMs": 5, "verifyEvery": 64}
// Each message must be one frame of `size` bytes: a u32 BE sequence number, then every
// byte equal to (sequence & 0xff). Sequence numbers must be 0, 1, 2, ... without gaps.
// The first `slowCount` messages are read with a `slowDelayMs` pause after each, the rest
// as fast as possible. Every message gets its sequence number and last byte checked;
// every `verifyEvery`-th message is checked byte for byte.
// stdout, one JSON object a line:
//   {"event":"ready","zmq":"4.3.5"}                 connected
//   {"event":"slow-mark","received":N}              halfway through the slow phase
//   {"event":"fast","received":N}                   the slow phase is over
//   {"event":"done","received":N,"bytes":B,"ms":T,"verified":V,"errors":[...]}  then exit 0
//   {"event":"fatal","error":"..."}                 then exit 1
// The process exits when stdin closes.

const write = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

let zmq;
try {
  zmq = await import('zeromq');
} catch (err) {
  write({ event: 'fatal', error: `cannot load npm 'zeromq': ${err && err.stack ? err.stack : String(err)}` });
  process.exit(1);
}

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

const config = JSON.parse(process.argv[2] ?? '{}');
const { connect, expect, size } = config;
const slowCount = config.slowCount ?? 0;
const slowDelayMs = config.slowDelayMs ?? 0;
const verifyEvery = config.verifyEvery ?? 64;

const sock = new zmq.Pull({ linger: 0, receiveHighWaterMark: config.receiveHighWaterMark ?? 1000 });
sock.connect(connect);
write({ event: 'ready', zmq: zmq.version });

const errors = [];
const fail = (msg) => {
  if (errors.length < 10) errors.push(msg);
};
let received = 0;
let bytes = 0;
let verified = 0;
let started = 0;

for await (const frames of sock) {
  if (received === 0) started = Date.now();
  const [frame] = frames;
  if (frames.length !== 1 || frame.length !== size) {
    fail(`message ${received}: ${frames.length} frame(s), first ${frame ? frame.length : 0} B`);
  } else {
    const seq = frame.readUInt32BE(0);
    const fill = seq & 0xff;
    if (seq !== received) fail(`message ${received}: sequence number ${seq}`);
    if (frame[size - 1] !== fill) fail(`message ${received}: last byte ${frame[size - 1]}, want ${fill}`);
    if (received % verifyEvery === 0) {
      verified++;
      for (let i = 4; i < size; i++) {
        if (frame[i] !== fill) {
          fail(`message ${received}: byte ${i} is ${frame[i]}, want ${fill}`);
          break;
        }
      }
    }
  }
  received++;
  bytes += frame ? frame.length : 0;
  if (received <= slowCount) {
    await new Promise((r) => setTimeout(r, slowDelayMs));
    // Halfway through the slow phase the sender is certainly still held back: it samples
    // what it has sent when this line arrives (the `fast` line races the fast phase).
    if (received === slowCount >> 1) write({ event: 'slow-mark', received });
    if (received === slowCount) write({ event: 'fast', received });
  }
  if (received >= expect) break;
}

write({ event: 'done', received, bytes, ms: Date.now() - started, verified, errors });
sock.close();
process.exit(0);
