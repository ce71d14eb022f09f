/**
 * The facade's `Proxy` against npm `zeromq` 6.8's in the same process: each scenario runs on
 * both, and what zeromq.js code can observe (codes, errno, message texts, results) must
 * match. Where the two differ by design (pause/resume, close during run, an unbound socket)
 * see docs/proxy.md and e2e/proxy.interop.test.ts.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import * as ours from '@monocoque/zeromq';

const require = createRequire(import.meta.url);
const theirs = require('zeromq') as typeof ours;
type Api = typeof ours;

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
function track<T extends { close(): void }>(s: T): T {
  open.push(s);
  return s;
}

async function both<T>(scenario: (zmq: Api) => Promise<T> | T): Promise<[T, T]> {
  return [await scenario(ours), await scenario(theirs)];
}

/** What a thrown error looks like to zeromq.js code, or 'ok'. */
function thrown(fn: () => unknown): Record<string, unknown> | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (error) {
    const e = error as { code?: string; errno?: number; message?: string; constructor: { name: string } };
    return { kind: e.constructor.name === 'TypeError' ? 'TypeError' : 'Error', code: e.code, errno: e.errno, message: e.message };
  }
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

describe('Proxy (facade) vs zeromq.js', () => {
  it('constructor argument errors', async () => {
    const [a, b] = await both((zmq) => {
      const d = track(new zmq.Dealer());
      return [thrown(() => new zmq.Proxy(undefined as never, d)), thrown(() => new zmq.Proxy(d, 'x' as never))];
    });
    expect(a).toEqual(b);
  });

  it('pause/resume/terminate before run() throw EBADF; run() on a closed socket throws EINVAL', async () => {
    const [a, b] = await both(async (zmq) => {
      const front = track(new zmq.Router());
      const back = track(new zmq.Dealer());
      await front.bind('tcp://127.0.0.1:*');
      await back.bind('tcp://127.0.0.1:*');
      const proxy = new zmq.Proxy(front, back);
      const steering = [thrown(() => proxy.pause()), thrown(() => proxy.resume()), thrown(() => proxy.terminate())];
      back.close();
      return { steering, frontEnd: proxy.frontEnd === front, run: thrown(() => proxy.run()) };
    });
    expect(a).toEqual(b);
    expect(a.run).toMatchObject({ code: 'EINVAL', message: 'Back-end socket must be bound or connected' });
  });

  it('a REQ/REP exchange through a ROUTER/DEALER proxy; terminate() resolves run() and closes both; then EBADF and EINVAL', async () => {
    const [a, b] = await both(async (zmq) => {
      const front = track(new zmq.Router({ linger: 0 }));
      const back = track(new zmq.Dealer({ linger: 0 }));
      await front.bind('tcp://127.0.0.1:*');
      await back.bind('tcp://127.0.0.1:*');
      const proxy = new zmq.Proxy(front, back);
      const running = proxy.run();
      const rep = track(new zmq.Reply({ linger: 0 }));
      rep.connect(back.lastEndpoint!);
      const req = track(new zmq.Request({ linger: 0 }));
      req.connect(front.lastEndpoint!);
      await req.send(['ping', '1']);
      const request = (await within(rep.receive(), 5000, 'the request')).map(String);
      await rep.send(['pong', request[1]!]);
      const reply = (await within(req.receive(), 5000, 'the reply')).map(String);
      proxy.terminate();
      await within(running, 5000, 'run() to resolve');
      return {
        request,
        reply,
        closed: [front.closed, back.closed],
        after: [thrown(() => proxy.pause()), thrown(() => proxy.terminate()), thrown(() => proxy.run())],
      };
    });
    expect(a).toEqual(b);
    expect(a.reply).toEqual(['pong', '1']);
  });
});
