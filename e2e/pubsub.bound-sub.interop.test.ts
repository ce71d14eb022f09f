// Our Publisher connecting to a libzmq SUB that binds (RFC 29: either side may bind).
//
// The libzmq SUB runs in pyzmq, blocked in recv() like a typical libzmq application. (The
// npm `zeromq` peer cannot serve here: an idle zeromq.js SUB does not let libzmq process
// the new pipe's commands, so its subscriptions stay queued until the application touches
// the socket — a zeromq.js event-loop quirk, also seen between two zeromq.js processes.)
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Publisher } from '@monocoque/pubsub';
import { pyzmqAvailability } from './helpers/peer.js';

const py = pyzmqAvailability();
if (!py.available) console.warn(`[e2e] skipping bound-SUB pyzmq tests: ${py.reason}`);
const PYTHON = process.env.MONOCOQUE_E2E_PYTHON ?? '/usr/bin/python3';

// Binds a SUB subscribed to argv[1] (tcp) or to argv[2] (ipc path), prints the endpoint,
// then prints each received message's frames as hex, one message per line.
const SUB_SCRIPT = `
import sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.SUB); s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.SUBSCRIBE, bytes.fromhex(sys.argv[1]))
if sys.argv[2] == 'tcp':
    s.bind_to_random_port('tcp://127.0.0.1'); print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
else:
    s.bind(sys.argv[2]); print(sys.argv[2], flush=True)
while True:
    print(' '.join(f.hex() for f in s.recv_multipart()), flush=True)
`;

const children: Array<{ kill(): void }> = [];
const sockets: Publisher[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
  for (const s of sockets.splice(0)) s.close();
});

function boundPySub(prefix: string, where: string) {
  const child = spawn(PYTHON, ['-c', SUB_SCRIPT, Buffer.from(prefix).toString('hex'), where], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const nextLine = async (index: number, what: string): Promise<string> => {
    const deadline = Date.now() + 5000;
    while (lines.length <= index) {
      if (Date.now() > deadline) throw new Error(`pyzmq SUB: no ${what} within 5000 ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return lines[index]!;
  };
  return { nextLine };
}

describe.skipIf(!py.available)('our Publisher connects, libzmq (pyzmq) SUB binds', () => {
  it.each(['tcp', `ipc:///tmp/monocoque-e2e-boundsub-${process.pid}.sock`])('over %s', async (where) => {
    const sub = boundPySub('A', where);
    const endpoint = await sub.nextLine(0, 'endpoint');
    const pub = new Publisher({ linger: 0 });
    sockets.push(pub);
    pub.connect(endpoint);
    const deadline = Date.now() + 5000;
    while (pub.subscriptionCount === 0) {
      if (Date.now() > deadline) throw new Error('the bound libzmq SUB never sent its subscription');
      await new Promise((r) => setTimeout(r, 5));
    }
    await pub.send(['B-not-for-you', 'x']);
    await pub.send(['A-topic', Buffer.from([0, 1, 2])]);
    expect(await sub.nextLine(1, 'message')).toBe(`${Buffer.from('A-topic').toString('hex')} 000102`);
  });
});
