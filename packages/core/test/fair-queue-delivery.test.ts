// Messages arriving on a pipe that already has its turn in the fair queue do not call the
// socket again (Pipe#deliver skips `pipeReadable` while nobody waits in receive()). These
// tests hold the accepted streams' bytes back at a gate and let them in all at once, so
// every pipe has several messages queued before the first receive: the fair queue must
// still take the pipes in turn, each pipe's messages in order, and a receive() that waits
// must still be served by the next message.
import { afterEach, describe, expect, it } from 'vitest';
import { type Stream, type StreamHandlers, type Transport, netTransport } from '../src/index.js';
import { TestSocket, ipcEndpoint, nextEvent, tracker } from './helpers.js';

const t = tracker();
afterEach(() => t.closeAll());

/**
 * node:net whose accepted streams pass bytes through until `close()`, then hold them until
 * `release()`, which hands them on synchronously, stream by stream in acceptance order.
 */
function gateTransport() {
  const gated: Array<{ handlers: StreamHandlers | undefined; held: Buffer[] }> = [];
  let closed = false;
  let heldBytes = 0;
  let waiter: { bytes: number; resolve: () => void } | undefined;
  const wrap = (s: Stream): Stream => {
    const entry: { handlers: StreamHandlers | undefined; held: Buffer[] } = { handlers: undefined, held: [] };
    gated.push(entry);
    const start = s.start.bind(s);
    s.start = (handlers) => {
      entry.handlers = handlers;
      start({
        ...handlers,
        onData: (chunk, transient) => {
          if (!closed) return handlers.onData(chunk, transient);
          entry.held.push(Buffer.from(chunk)); // a copy: transient chunks are reused
          heldBytes += chunk.length;
          if (waiter !== undefined && heldBytes >= waiter.bytes) waiter.resolve();
        },
      });
    };
    return s;
  };
  const transport: Transport = {
    name: 'gate',
    listen: (endpoint, onStream, onAcceptError) => netTransport.listen(endpoint, (s) => onStream(wrap(s)), onAcceptError),
    connect: (endpoint, options) => netTransport.connect(endpoint, options),
  };
  return {
    transport,
    close: () => void (closed = true),
    /** Resolves once `bytes` bytes are held. */
    held: (bytes: number) => new Promise<void>((resolve) => (heldBytes >= bytes ? resolve() : (waiter = { bytes, resolve }))),
    release: () => {
      closed = false;
      for (const entry of gated) for (const chunk of entry.held.splice(0)) entry.handlers!.onData(chunk);
    },
  };
}

describe('delivery into pipes already in the fair queue', () => {
  it('pipes with several queued messages each are taken in turn, each in order', async () => {
    const gate = gateTransport();
    const server = t.add(new TestSocket({ linger: 0, transport: gate.transport }));
    await server.bind(ipcEndpoint());
    const clients = [0, 1, 2].map(() => t.add(new TestSocket({ linger: 0 })));
    for (const [i, c] of clients.entries()) {
      const handshake = nextEvent(server, ['handshake']);
      c.connect(server.lastEndpoint!);
      await handshake;
      // One message each through the open gate: every pipe has been in the fair queue once.
      await c.send(`warm${i}`);
      expect((await server.receive())[0]!.toString()).toBe(`warm${i}`);
    }
    gate.close();
    const perClient = 5;
    let bytes = 0;
    for (const [i, c] of clients.entries()) {
      for (let n = 0; n < perClient; n++) {
        const body = `${i}:${n}`;
        bytes += 2 + body.length; // a short final frame: flags, size, body
        await c.send(body);
      }
    }
    await gate.held(bytes);
    gate.release(); // client 0's five, then client 1's, then client 2's: all queued at once
    const got: string[] = [];
    for (let k = 0; k < 3 * perClient; k++) got.push((await server.receive())[0]!.toString());
    const expected: string[] = [];
    for (let n = 0; n < perClient; n++) for (let i = 0; i < 3; i++) expected.push(`${i}:${n}`);
    expect(got).toEqual(expected);
  });

  it('a receive() that waits is served by the next message on a pipe that had queued ones', async () => {
    const gate = gateTransport();
    const server = t.add(new TestSocket({ linger: 0, transport: gate.transport }));
    await server.bind(ipcEndpoint());
    const client = t.add(new TestSocket({ linger: 0 }));
    const handshake = nextEvent(server, ['handshake']);
    client.connect(server.lastEndpoint!);
    await handshake;
    gate.close();
    for (const body of ['a', 'b']) await client.send(body);
    await gate.held(2 * 3);
    gate.release();
    expect((await server.receiveMany()).map((m) => m[0]!.toString())).toEqual(['a', 'b']);
    // Nothing queued now: the next receive waits, and the next message serves it.
    const waiting = server.receive();
    await client.send('c');
    expect((await waiting)[0]!.toString()).toBe('c');
  });
});
