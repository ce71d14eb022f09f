/**
 * monitor, proxy and bench of the built bin against libzmq 4.3.5 (npm `zeromq` 6.8, in this
 * test process) over loopback TCP.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, killAll, run } from './cli.js';

type Zmq = typeof import('zeromq');
const zmq = createRequire(import.meta.url)('zeromq') as Zmq;

beforeAll(ensureBuilt, 120_000);
const open: Array<{ close(): void }> = [];
afterEach(() => {
  killAll();
  for (const s of open.splice(0)) s.close();
});
function track<T extends { close(): void }>(s: T): T {
  open.push(s);
  return s;
}
const ANY = 'tcp://127.0.0.1:*';

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('monitor', () => {
  it('prints accept, handshake (with the peer routing id and type) and disconnect of a libzmq DEALER, as JSON', async () => {
    const c = cli(['monitor', 'router', '--bind', ANY, '--format', 'json', '--timeout', '10000'], { stdin: 'ignore' });
    const ep = await c.bound();
    const dealer = new zmq.Dealer({ linger: 0, routingId: 'watched' });
    dealer.connect(ep);
    await dealer.send('hi');
    await c.waitFor(/"type":"handshake"/, 10_000, 'stdout');
    dealer.close();
    await c.waitFor(/"type":"disconnect"/, 10_000, 'stdout');
    c.kill('SIGINT');
    expect(await c.exit()).toBe(130);
    const events = c.lines.map((l) => JSON.parse(l) as { type: string; endpoint: string; peer?: { address: string; routingId?: string; socketType?: string } });
    const types = events.map((e) => e.type);
    expect(types.indexOf('accept')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('accept')).toBeLessThan(types.indexOf('handshake'));
    expect(types.indexOf('handshake')).toBeLessThan(types.indexOf('disconnect'));
    const handshake = events.find((e) => e.type === 'handshake')!;
    expect(handshake.endpoint).toBe(ep);
    expect(handshake.peer).toMatchObject({ routingId: 'watched', socketType: 'DEALER' });
    expect(handshake.peer!.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(events.find((e) => e.type === 'disconnect')!.peer!.address).toBe(handshake.peer!.address);
  });

  it('text lines, --count, and a failed CURVE handshake with its error', async () => {
    const server = zmq.curveKeyPair();
    const c = cli(['monitor', 'rep', '--bind', ANY, '--curve-server', '--curve-secret-key', server.secretKey, '--count', '3', '--timeout', '10000'], { stdin: 'ignore' });
    const ep = await c.bound();
    const client = zmq.curveKeyPair();
    // The wrong server key: the client's HELLO cannot be opened by this server.
    const req = track(new zmq.Request({ linger: 0, curveServerKey: zmq.curveKeyPair().publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }));
    req.connect(ep);
    expect(await c.exit(15_000)).toBe(0);
    expect(c.lines).toHaveLength(3);
    expect(c.lines[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+ bind ${ep.replace(/\./g, '\\.')}$`));
    expect(c.lines[1]).toMatch(/ accept \S+ peer=tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(c.lines[2]).toMatch(/ handshake:error:protocol \S+ peer=tcp:\/\/127\.0\.0\.1:\d+ error=\S+ ".+"$/);
  });

  it('--timeout with no event → exit 1', async () => {
    const r = await run(['monitor', 'pull', '--bind', ANY, '--count', '2', '--timeout', '500']);
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/ bind tcp:/);
    expect(r.stderr).toMatch(/timed out after 500 ms waiting for an event/);
  });
});

describe('proxy', () => {
  it('router/dealer: libzmq REQ clients reach a libzmq REP worker through it, both ways, frames intact; --capture gets a copy of each', async () => {
    const c = cli(['proxy', '--frontend', `router@${ANY}`, '--backend', `dealer@${ANY}`, '--capture', `push@${ANY}`], { stdin: 'ignore' });
    const front = await c.bound('frontend ');
    const back = await c.bound('backend ');
    const captured = track(new zmq.Pull({ linger: 0 }));
    captured.connect(await c.bound('capture '));
    const worker = track(new zmq.Reply({ linger: 0 }));
    worker.connect(back);
    void (async () => {
      for await (const msg of worker) await worker.send(['done', ...msg]);
    })().catch(() => {});
    const clients = [track(new zmq.Request({ linger: 0 })), track(new zmq.Request({ linger: 0 }))];
    for (const [i, client] of clients.entries()) {
      client.connect(front);
      for (let n = 0; n < 5; n++) {
        await client.send([`client ${i}`, `job ${n}`]);
        const reply = await within(client.receive(), 5000, `reply ${n} to client ${i} through the proxy`);
        expect(reply.map(String)).toEqual(['done', `client ${i}`, `job ${n}`]);
      }
    }
    // 10 requests and 10 replies, each copied whole (the ROUTER envelope included).
    const copies: string[][] = [];
    for (let i = 0; i < 20; i++) copies.push((await within(captured.receive(), 5000, `captured copy ${i}`)).map(String));
    expect(copies.filter((m) => m.at(-2) === 'client 0' || m.at(-2) === 'client 1')).toHaveLength(20);
    expect(copies.filter((m) => m.includes('done'))).toHaveLength(10);
    for (const m of copies) expect(m).toContain('');
    c.kill('SIGTERM');
    expect(await c.exit()).toBe(143);
  });

  it('xsub/xpub: subscriptions travel up to a libzmq PUB, its messages down to a libzmq SUB', async () => {
    const c = cli(['proxy', '--frontend', `xsub@${ANY}`, '--backend', `xpub@${ANY}`], { stdin: 'ignore' });
    const front = await c.bound('frontend ');
    const back = await c.bound('backend ');
    const pub = track(new zmq.Publisher({ linger: 0 }));
    pub.connect(front);
    const sub = track(new zmq.Subscriber({ linger: 0 }));
    sub.connect(back);
    sub.subscribe('a.');
    // A libzmq PUB sends only what some subscriber asked for: anything arriving proves the
    // subscription went up through the proxy.
    let received: Buffer[] | undefined;
    const got = sub.receive().then((m) => (received = m));
    for (let i = 0; received === undefined && i < 500; i++) {
      await pub.send(['b.skip', `${i}`]);
      await pub.send(['a.keep', `${i}`]);
      await new Promise((r) => setTimeout(r, 10));
    }
    await within(got, 1000, 'a message through the xsub/xpub proxy');
    expect(received![0]!.toString()).toBe('a.keep');
    c.kill('SIGINT');
    expect(await c.exit()).toBe(130);
  });
});

describe('bench', () => {
  it('push → a libzmq PULL: a JSON summary, every message delivered', async () => {
    const pull = track(new zmq.Pull({ linger: 0 }));
    await pull.bind(ANY);
    const counting = (async () => {
      let n = 0;
      let bytes = 0;
      for await (const [frame] of pull) {
        bytes += frame!.length;
        if (++n === 20_000) return { n, bytes };
      }
      return { n, bytes };
    })();
    const r = await run(['bench', 'push', '--connect', pull.lastEndpoint!, '--count', '20000', '--size', '64', '--json', '--timeout', '10000'], undefined, 20_000);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, number | string>;
    expect(summary).toMatchObject({ mode: 'push', messages: 20_000, size: 64 });
    expect(summary.messagesPerSecond).toBeGreaterThan(0);
    expect(summary.megabytesPerSecond).toBeGreaterThan(0);
    expect(await within(counting, 10_000, 'the libzmq PULL to receive 20000 messages')).toEqual({ n: 20_000, bytes: 20_000 * 64 });
    expect(r.stderr).not.toMatch(/\r/); // no progress line: stderr is not a terminal
  });

  it('pull ← a libzmq PUSH: a text summary', async () => {
    const c = cli(['bench', 'pull', '--bind', ANY, '--count', '10000', '--timeout', '10000'], { stdin: 'ignore' });
    const ep = await c.bound();
    const push = track(new zmq.Push({ linger: 0 }));
    push.connect(ep);
    for (let i = 0; i < 10_000; i++) await push.send(Buffer.alloc(200));
    expect(await c.exit(20_000)).toBe(0);
    expect(c.lines[0]).toBe('pull: 10,000 messages of 200 B in ' + c.lines[0]!.split(' in ')[1]);
    expect(c.lines[1]).toMatch(/^throughput: [\d,]+ msg\/s, [\d.]+ MB\/s$/);
  });

  it('req → a libzmq REP echo: latency percentiles', async () => {
    const rep = track(new zmq.Reply({ linger: 0 }));
    await rep.bind(ANY);
    void (async () => {
      for await (const msg of rep) await rep.send(msg);
    })().catch(() => {});
    const r = await run(['bench', 'req', '--connect', rep.lastEndpoint!, '--count', '500', '--size', '32', '--json', '--timeout', '5000'], undefined, 20_000);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { mode: string; messages: number; latencyMicros: Record<string, number> };
    expect(s).toMatchObject({ mode: 'req', messages: 500, size: 32 });
    const l = s.latencyMicros;
    expect(l.min).toBeGreaterThan(0);
    expect(l.min).toBeLessThanOrEqual(l.p50!);
    expect(l.p50).toBeLessThanOrEqual(l.p99!);
    expect(l.p99).toBeLessThanOrEqual(l.max!);
  });

  it('rep answers a libzmq REQ --count times', async () => {
    const c = cli(['bench', 'rep', '--bind', ANY, '--count', '100', '--json', '--timeout', '10000'], { stdin: 'ignore' });
    const req = track(new zmq.Request({ linger: 0 }));
    req.connect(await c.bound());
    for (let i = 0; i < 100; i++) {
      await req.send(`r${i}`);
      expect((await within(req.receive(), 5000, `echo ${i}`)).map(String)).toEqual([`r${i}`]);
    }
    expect(await c.exit()).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ mode: 'rep', messages: 100 });
  });

  it('--timeout with no peer → exit 1', async () => {
    const r = await run(['bench', 'push', '--connect', 'tcp://127.0.0.1:1', '--count', '10', '--timeout', '500']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/timed out after 500 ms waiting for a peer to connect/);
  });
});
