/**
 * `@monocoque/zeromq/v5-compat` against real libzmq (npm `zeromq` 6, libzmq 4.3.5) in a
 * separate process: our v5-style REQ (callbacks, ZMQ_SNDMORE, 'message' events) talks to a
 * libzmq REP, in both bind directions; our v5-style monitor sees the libzmq peer connect.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import * as zmq from '@monocoque/zeromq/v5-compat';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { assertFramesEqual, Scope, withTimeout } from './helpers/util.js';

const B = (s: string) => Buffer.from(s, 'utf8');
const scope = new Scope();
afterEach(() => scope.cleanup());

function newSocket(type: zmq.SocketType): zmq.Socket {
  return scope.track(zmq.socket(type, { linger: 0 }));
}

/** The next 'message' event's frames. */
async function nextMessage(s: zmq.Socket): Promise<Buffer[]> {
  return (await withTimeout(once(s, 'message'), 5000, "'message' from the libzmq REP")) as Buffer[];
}

/** Send `rounds` requests from our v5 REQ; the libzmq REP replies ['re', ...request]. */
async function converse(req: zmq.Socket, rep: PeerSocket, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const sent = new Promise<void>((resolve, reject) => {
      req.send(`req-${i}`, zmq.ZMQ_SNDMORE);
      req.send(['', B('tail')], 0, (err?: Error) => (err ? reject(err) : resolve()));
    });
    await withTimeout(sent, 5000, `send callback of request ${i}`);
    const [request] = await rep.receive(1, 5000);
    assertFramesEqual(request!, [B(`req-${i}`), B(''), B('tail')], `request ${i} at libzmq`);
    const reply = nextMessage(req);
    await rep.send([B('re'), ...request!]);
    assertFramesEqual(await reply, [B('re'), B(`req-${i}`), B(''), B('tail')], `reply ${i} at our REQ`);
  }
}

describe('v5-compat REQ interop with a libzmq REP', () => {
  it('libzmq REP binds, our v5 REQ connects: multipart requests and replies', async () => {
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    const ep = await rep.bind('tcp://127.0.0.1:*');
    const req = newSocket('req');
    req.connect(ep);
    await converse(req, rep, 3);
  });

  it('our v5 REQ binds (bind callback, monitor accept), libzmq REP connects', async () => {
    const req = newSocket('req').monitor();
    const accepted = withTimeout(once(req, 'accept'), 5000, "monitor 'accept' of the libzmq REP");
    const ep = await withTimeout(
      new Promise<string>((resolve, reject) =>
        req.bind('tcp://127.0.0.1:*', (err?: Error) => (err ? reject(err) : resolve(req.last_endpoint as string))),
      ),
      5000,
      'bind callback',
    );
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    await rep.connect(ep);
    const [value, address] = await accepted;
    expect(value).toBeUndefined();
    expect(address).toBe(ep);
    await converse(req, rep, 2);
  });
});
