// The node:net transport's reads (net-transport.ts): under Node.js every stream, accepted or
// connected, TCP or IPC, reads into one shared buffer and hands the engine transient chunks;
// bytes arrive whole and in order under any write pattern, several streams at once, with
// pause/resume; a listener closes while adopted connections are still open. Under Bun and
// Deno the transport keeps node:net's own reads ('data' events, chunks handed over).
import { afterEach, describe, expect, it } from 'vitest';
import { type Listener, type Stream, type StreamEndpoint, type StreamHandlers, netTransport } from '../src/index.js';
import { ipcEndpoint } from './helpers.js';

const shared = typeof process.versions.bun !== 'string' && typeof process.versions.deno !== 'string';

/** Records a stream's bytes (copying transient chunks, as the engine does). */
class Sink implements StreamHandlers {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  transient = 0;
  handedOver = 0;
  /** The memory of every transient chunk, to check it is one buffer reused. */
  readonly memories = new Set<ArrayBufferLike>();
  closed = false;
  private waiters: Array<() => void> = [];

  onData(chunk: Buffer, transient?: boolean): void {
    if (transient === true) {
      this.transient++;
      this.memories.add(chunk.buffer);
      this.chunks.push(Buffer.from(chunk));
    } else {
      this.handedOver++;
      this.chunks.push(chunk);
    }
    this.bytes += chunk.length;
    this.wake();
  }
  onDrain(): void {
    this.wake();
  }
  onClose(): void {
    this.closed = true;
    this.wake();
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (${this.bytes} bytes so far)`)), ms);
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

const listeners: Listener[] = [];
const streams: Stream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.destroy();
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

async function pair(endpoint: StreamEndpoint): Promise<{ server: Stream; client: Stream }> {
  let accepted!: (s: Stream) => void;
  const got = new Promise<Stream>((r) => (accepted = r));
  const listener = await netTransport.listen(endpoint, (s) => accepted(s));
  listeners.push(listener);
  const bound: StreamEndpoint =
    endpoint.protocol === 'tcp' ? { protocol: 'tcp', host: '127.0.0.1', port: Number(listener.endpoint.split(':').pop()) } : endpoint;
  const client = await netTransport.connect(bound);
  const server = await got;
  streams.push(client, server);
  return { server, client };
}

/** Deterministic bytes: position-dependent, so a reordered or repeated chunk shows. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >>> 8)) & 0xff;
  return b;
}

/** Write `data` in pieces of random sizes (1 B to 200 KiB), waiting for drain when asked. */
async function writeAll(stream: Stream, sink: Sink, data: Buffer): Promise<void> {
  let off = 0;
  let drains = 0;
  const onDrain = sink.onDrain.bind(sink);
  sink.onDrain = () => {
    drains++;
    onDrain();
  };
  while (off < data.length) {
    const n = Math.min(data.length - off, 1 + Math.floor(Math.random() ** 3 * 200 * 1024));
    const before = drains;
    if (!stream.write([data.subarray(off, off + n)])) await sink.until(() => drains > before || sink.closed, 'drain');
    off += n;
  }
}

describe('node:net transport reads', () => {
  for (const kind of ['tcp', 'ipc'] as const) {
    it(`${kind}: both directions arrive whole and in order${shared ? ', as transient chunks of one reused buffer' : ''}`, async () => {
      const endpoint: StreamEndpoint = kind === 'tcp' ? { protocol: 'tcp', host: '127.0.0.1', port: 0 } : parseIpc(ipcEndpoint());
      const { server, client } = await pair(endpoint);
      const s = new Sink();
      const c = new Sink();
      server.start(s);
      client.start(c);
      const up = pattern(3 << 20, 1);
      const down = pattern(2 << 20, 2);
      await Promise.all([writeAll(client, c, up), writeAll(server, s, down)]);
      await Promise.all([s.until(() => s.bytes >= up.length, 'upstream bytes'), c.until(() => c.bytes >= down.length, 'downstream bytes')]);
      expect(Buffer.concat(s.chunks).equals(up)).toBe(true);
      expect(Buffer.concat(c.chunks).equals(down)).toBe(true);
      if (shared) {
        // Accepted (server) and connected (client) streams alike; all share the one buffer.
        expect([s.handedOver, c.handedOver]).toEqual([0, 0]);
        expect(s.transient).toBeGreaterThan(0);
        expect(new Set([...s.memories, ...c.memories]).size).toBe(1);
      } else {
        console.warn(`[net-transport test] ${process.versions.bun ? 'Bun' : 'Deno'}: node:net's own reads, chunks handed over`);
        expect([s.transient, c.transient]).toEqual([0, 0]);
      }
    }, 30_000);
  }

  it('ten streams at once, each paused and resumed while its peer writes, keep their bytes apart', async () => {
    const pairs = await Promise.all(Array.from({ length: 10 }, () => pair({ protocol: 'tcp', host: '127.0.0.1', port: 0 })));
    const sinks = pairs.map(({ server }) => {
      const s = new Sink();
      const onData = s.onData.bind(s);
      let paused = false;
      let sinceResume = 0;
      s.onData = (chunk, transient) => {
        expect(paused, 'data while paused').toBe(false);
        onData(chunk, transient);
        sinceResume += chunk.length;
        if (sinceResume >= 300 * 1024) {
          paused = true;
          sinceResume = 0;
          server.pause();
          setTimeout(() => {
            paused = false;
            server.resume();
          }, 2);
        }
      };
      server.start(s);
      return s;
    });
    const data = pairs.map((_, i) => pattern(2 << 20, 10 + i));
    await Promise.all(
      pairs.map(async ({ client }, i) => {
        const c = new Sink();
        client.start(c);
        await writeAll(client, c, data[i]!);
      }),
    );
    await Promise.all(sinks.map((s, i) => s.until(() => s.bytes >= data[i]!.length, `stream ${i}`)));
    sinks.forEach((s, i) => expect(Buffer.concat(s.chunks).equals(data[i]!), `stream ${i}`).toBe(true));
  }, 30_000);

  it('a listener closes while connections it accepted are still open; they keep working', async () => {
    const { server, client } = await pair({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    const s = new Sink();
    server.start(s);
    client.start(new Sink());
    await listeners.pop()!.close();
    client.write([Buffer.from('still here')]);
    await s.until(() => s.bytes >= 10, 'bytes after the listener closed');
    expect(Buffer.concat(s.chunks).toString()).toBe('still here');
  });
});

function parseIpc(endpoint: string): StreamEndpoint {
  return { protocol: 'ipc', path: endpoint.slice('ipc://'.length) };
}
