// The output batch of a connection is bounded in bytes as well as in messages: a tick (or a
// backlog pumped on drain) full of large messages reaches the transport in writes of about
// MAX_BATCH_BYTES, and while the transport pushes back, the rest waits in the pipe where the
// send high-water mark counts it. Before the bound, one write could carry a whole HWM of
// messages, and the batch held another HWM behind it (3× libzmq's backlog per peer).
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES } from '../src/connection.js';
import { type Stream, type Transport, netTransport } from '../src/index.js';
import { TestSocket, ipcEndpoint, tracker } from './helpers.js';

const t = tracker();
afterEach(() => t.closeAll());

/** node:net, recording the bytes of every write() a connecting stream is given. */
function countingTransport(writes: number[]): Transport {
  const wrap = (s: Stream): Stream => {
    const write = s.write.bind(s);
    s.write = (chunks) => {
      let n = 0;
      for (const c of chunks) n += c.length;
      writes.push(n);
      return write(chunks);
    };
    return s;
  };
  return {
    name: 'counting',
    listen: (endpoint, onStream, onAcceptError) => netTransport.listen(endpoint, onStream, onAcceptError),
    connect: async (endpoint, options) => wrap(await netTransport.connect(endpoint, options)),
  };
}

describe('output batch bound', () => {
  it('a tick of large messages reaches the transport in writes of about MAX_BATCH_BYTES, all delivered in order', async () => {
    const writes: number[] = [];
    const server = t.add(new TestSocket({ linger: 0 }));
    await server.bind(ipcEndpoint());
    const client = t.add(new TestSocket({ linger: 0, sendHighWaterMark: 1000, transport: countingTransport(writes) }));
    client.connect(server.lastEndpoint!);
    await client.send('hello');
    expect((await server.receive())[0]!.toString()).toBe('hello');

    writes.length = 0;
    const size = 64 * 1024;
    const count = 100; // 6.4 MB queued in one tick, well under the HWM in messages
    const sent: Promise<void>[] = [];
    for (let i = 0; i < count; i++) sent.push(client.send(Buffer.alloc(size, i)));
    await Promise.all(sent);
    for (let i = 0; i < count; i++) {
      const [body] = await server.receive();
      expect(body!.length).toBe(size);
      expect(body![0]).toBe(i);
    }
    // A message is never split: a write may pass the bound by its last message (and its header).
    expect(Math.max(...writes)).toBeLessThanOrEqual(MAX_BATCH_BYTES + size + 9);
    expect(writes.reduce((a, b) => a + b, 0)).toBe(count * (size + 9));
  }, 20_000);
});
