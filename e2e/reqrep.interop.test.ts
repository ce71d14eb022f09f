/**
 * Monocoque REQ/REP (`@monocoque/reqrep`) against real libzmq (npm `zeromq` 6, libzmq
 * 4.3.5) in separate processes: both roles, both bind directions, TCP and IPC, multipart;
 * then behaviour: multi-hop envelopes through libzmq ROUTER/DEALER proxies
 * (`peers/zmq-proxy.mjs`), correlate/relaxed, EFSM, replies from the wrong peer or with a
 * bad envelope, and REQ↔PUB refused in the handshake.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Reply, Request } from '@monocoque/reqrep';
import { ZmqError } from '@monocoque/core';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope, sleep, withTimeout } from './helpers/util.js';
import { expectNothing, nextEvent, recv } from './helpers/ours.js';
import { expectCode } from '@monocoque/test-support';

const B = (s: string) => Buffer.from(s, 'utf8');
const E = Buffer.alloc(0);

const scope = new Scope();
const proxies = new Set<ChildProcess>();
afterEach(async () => {
  for (const p of proxies) p.kill('SIGKILL');
  proxies.clear();
  await scope.cleanup();
});

interface ProxySide {
  type?: 'ROUTER' | 'DEALER';
  bind?: string;
  connect?: string;
}

/** Start `peers/zmq-proxy.mjs` (a libzmq ROUTER/DEALER broker in its own process). */
function spawnProxy(frontend: ProxySide, backend: ProxySide): Promise<{ frontend: string; backend: string }> {
  const script = fileURLToPath(new URL('./peers/zmq-proxy.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify({ frontend, backend })], {
    cwd: fileURLToPath(new URL('./', import.meta.url)),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  proxies.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const ready = new Promise<{ frontend: string; backend: string }>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      const msg = JSON.parse(line) as { event: string; error?: string; frontend: string; backend: string };
      if (msg.event === 'ready') resolve({ frontend: msg.frontend, backend: msg.backend });
      else reject(new Error(`zmq proxy failed: ${msg.error}`));
    });
    child.once('exit', (code) => reject(new Error(`zmq proxy exited (${code}): ${stderr}`)));
  });
  return withTimeout(ready, 15_000, 'zmq proxy ready');
}

const newReq = (o: ConstructorParameters<typeof Request>[0] = {}) => scope.track(new Request({ linger: 0, ...o }));
const newRep = (o: ConstructorParameters<typeof Reply>[0] = {}) => scope.track(new Reply({ linger: 0, ...o }));

/** Multipart payloads with empty frames and short/long frame boundaries. */
function payloads(): Buffer[][] {
  return [[B('hello')], [B('a'), E, B('c')], [frameOf(255), frameOf(256), frameOf(70_000)], [E]];
}

/** Serve `rounds` requests on a libzmq REP: reply = ['re', ...request]. */
async function libzmqEcho(rep: PeerSocket, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const [m] = await rep.receive(1, 5000);
    await rep.send([B('re'), ...m!]);
  }
}

describe.each<Transport>(['tcp', 'ipc'])('REQ/REP interop with libzmq over %s', (t) => {
  it('our Request binds, libzmq REP connects: multipart round trips', async () => {
    const req = newReq();
    await req.bind(bindEndpoint(t));
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    await rep.connect(req.lastEndpoint!);
    const serving = libzmqEcho(rep, payloads().length);
    for (const m of payloads()) {
      await withTimeout(req.send(m), 5000, 'Request.send');
      assertFramesEqual(await recv(req), [B('re'), ...m], 'reply');
    }
    await serving;
  });

  it('our Request connects, libzmq REP binds: multipart round trips', async () => {
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    const ep = await rep.bind(bindEndpoint(t));
    const req = newReq();
    req.connect(ep);
    const serving = libzmqEcho(rep, payloads().length);
    for (const m of payloads()) {
      await withTimeout(req.send(m), 5000, 'Request.send');
      assertFramesEqual(await recv(req), [B('re'), ...m], 'reply');
    }
    await serving;
  });

  it('our Reply binds, libzmq REQ connects: multipart round trips', async () => {
    const rep = newRep();
    await rep.bind(bindEndpoint(t));
    const peer = await spawnZmqPeer();
    const req = await peer.socket('REQ', { linger: 0 });
    await req.connect(rep.lastEndpoint!);
    for (const m of payloads()) {
      await req.send(m);
      const got = await recv(rep);
      assertFramesEqual(got, m, 'request at our Reply');
      await rep.send([B('re'), ...got]);
      const [reply] = await req.receive(1, 5000);
      assertFramesEqual(reply!, [B('re'), ...m], 'reply at libzmq REQ');
    }
  });

  it('our Reply connects, libzmq REQ binds: multipart round trips', async () => {
    const peer = await spawnZmqPeer();
    const req = await peer.socket('REQ', { linger: 0 });
    const ep = await req.bind(bindEndpoint(t));
    const rep = newRep();
    rep.connect(ep);
    for (const m of payloads()) {
      await req.send(m);
      const got = await recv(rep);
      assertFramesEqual(got, m, 'request at our Reply');
      await rep.send([B('re'), ...got]);
      const [reply] = await req.receive(1, 5000);
      assertFramesEqual(reply!, [B('re'), ...m], 'reply at libzmq REQ');
    }
  });
});

describe('REQ/REP behaviour against libzmq', () => {
  it('libzmq REQ -> proxy -> proxy -> our Reply: the two-hop envelope is restored, 3 clients', async () => {
    const rep = newRep();
    await rep.bind('tcp://127.0.0.1:*');
    const p2 = await spawnProxy({ bind: 'tcp://127.0.0.1:*' }, { connect: rep.lastEndpoint! });
    const p1 = await spawnProxy({ bind: 'tcp://127.0.0.1:*' }, { connect: p2.frontend });
    const peer = await spawnZmqPeer();
    const clients: PeerSocket[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await peer.socket('REQ', { linger: 0 });
      await c.connect(p1.frontend);
      clients.push(c);
    }
    await Promise.all(clients.map((c, i) => c.send([B(`client ${i}`), E, B('x')])));
    for (let i = 0; i < 3; i++) {
      const [who, empty, x] = await recv(rep, 5000, 'request through two proxies');
      expect(empty!.length).toBe(0);
      expect(x!.toString()).toBe('x');
      await rep.send([B('reply for'), who!]);
    }
    for (const [i, c] of clients.entries()) {
      const [reply] = await c.receive(1, 5000);
      assertFramesEqual(reply!, [B('reply for'), B(`client ${i}`)], `reply at client ${i}`);
    }
  });

  it('libzmq DEALER with its own routing frames -> proxy -> our Reply: envelope back byte for byte', async () => {
    const rep = newRep();
    await rep.bind('tcp://127.0.0.1:*');
    const p = await spawnProxy({ bind: 'tcp://127.0.0.1:*' }, { connect: rep.lastEndpoint! });
    const peer = await spawnZmqPeer();
    const dealer = await peer.socket('DEALER', { linger: 0 });
    await dealer.connect(p.frontend);
    const hops = [B('hop-a'), Buffer.from([0, 1, 255]), B('hop-c')];
    await dealer.send([...hops, E, B('body'), E, B('end')]);
    assertFramesEqual(await recv(rep), [B('body'), E, B('end')], 'request body at our Reply');
    await rep.send([B('answer'), E]);
    const [reply] = await dealer.receive(1, 5000);
    assertFramesEqual(reply!, [...hops, E, B('answer'), E], 'reply at libzmq DEALER');
  });

  it('our Request -> libzmq proxy -> libzmq REP', async () => {
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    const repEp = await rep.bind('tcp://127.0.0.1:*');
    const p = await spawnProxy({ bind: 'tcp://127.0.0.1:*' }, { connect: repEp });
    const req = newReq();
    req.connect(p.frontend);
    const serving = libzmqEcho(rep, 3);
    for (let i = 0; i < 3; i++) {
      await req.send([B(`q${i}`), B('more')]);
      assertFramesEqual(await recv(req), [B('re'), B(`q${i}`), B('more')], 'reply via proxy');
    }
    await serving;
  });

  it('our Request round-robins over two libzmq REPs', async () => {
    const peer = await spawnZmqPeer();
    const a = await peer.socket('REP', { linger: 0 });
    const b = await peer.socket('REP', { linger: 0 });
    const req = newReq();
    const ready = new Promise<void>((resolve) => {
      let n = 0;
      req.events.on('handshake', () => ++n === 2 && resolve());
    });
    req.connect(await a.bind('tcp://127.0.0.1:*'));
    req.connect(await b.bind('tcp://127.0.0.1:*'));
    await withTimeout(ready, 5000, 'two handshakes');
    const who: string[] = [];
    for (let i = 0; i < 4; i++) {
      await req.send(String(i));
      const [atA, atB] = await Promise.all([a.receiveUpTo(1, 500), b.receiveUpTo(1, 500)]);
      expect(atA.length + atB.length, 'each request reaches exactly one REP').toBe(1);
      who.push(atA.length === 1 ? 'a' : 'b');
      const m = atA[0] ?? atB[0]!;
      await (atA.length === 1 ? a : b).send([B('re'), ...m]);
      assertFramesEqual(await recv(req), [B('re'), B(String(i))], 'reply');
    }
    expect(who[0]).not.toBe(who[1]);
    expect(who[1]).not.toBe(who[2]);
    expect(who[2]).not.toBe(who[3]);
  });

  it('EFSM: our Request sending twice, or receiving before sending (libzmq REP peer)', async () => {
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    const req = newReq();
    req.connect(await rep.bind('tcp://127.0.0.1:*'));
    await expectCode(req.receive(), 'EFSM');
    await req.send('first');
    await expectCode(req.send('second'), 'EFSM');
    const [m] = await rep.receive(1, 5000);
    assertFramesEqual(m!, [B('first')], 'the first request reached libzmq');
    await rep.send('answer');
    assertFramesEqual(await recv(req), [B('answer')], 'reply');
    await expectCode(req.receive(), 'EFSM');
    await req.send('third');
    assertFramesEqual((await rep.receive(1, 5000))[0]!, [B('third')], 'next request');
  });

  it('our Request relaxed+correlate with a libzmq REP: the abandoned reply is discarded', async () => {
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    const req = newReq({ relaxed: true, correlate: true });
    req.connect(await rep.bind('tcp://127.0.0.1:*'));
    await req.send('first');
    await req.send('second');
    const [q1] = await rep.receive(1, 5000);
    assertFramesEqual(q1!, [B('first')], 'first request');
    await rep.send('answer to first');
    const [q2] = await rep.receive(1, 5000);
    assertFramesEqual(q2!, [B('second')], 'second request');
    await rep.send('answer to second');
    assertFramesEqual(await recv(req), [B('answer to second')], 'only the current reply');
  });

  it('libzmq REQ relaxed+correlate with our Reply: request ids are echoed', async () => {
    const rep = newRep();
    await rep.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const req = await peer.socket('REQ', { linger: 0, relaxed: true, correlate: true });
    await req.connect(rep.lastEndpoint!);
    await req.send('q1');
    await req.send('q2'); // abandons q1 (libzmq relaxed)
    assertFramesEqual(await recv(rep), [B('q1')], 'q1');
    await rep.send('a1');
    assertFramesEqual(await recv(rep), [B('q2')], 'q2');
    await rep.send('a2');
    // zeromq.js quirk: when its REQ discards a reply (wrong id) and nothing else is queued,
    // receive() fails at once with EAGAIN, which the harness reports as "nothing yet".
    const deadline = Date.now() + 5000;
    let got: Buffer[][] = [];
    while (got.length === 0 && Date.now() < deadline) got = await req.receiveUpTo(1, deadline - Date.now());
    expect(got.length, 'libzmq REQ got a reply').toBe(1);
    assertFramesEqual(got[0]!, [B('a2')], 'libzmq REQ accepted only the reply with its current id');
  });

  it('our Request drops a reply from the wrong peer and replies with a bad envelope (libzmq ROUTERs)', async () => {
    const peer = await spawnZmqPeer();
    const r1 = await peer.socket('ROUTER', { linger: 0 });
    const r2 = await peer.socket('ROUTER', { linger: 0 });
    const req = newReq({ routingId: 'our-req' });
    let n = 0;
    const ready = new Promise<void>((resolve) => req.events.on('handshake', () => ++n === 2 && resolve()));
    req.connect(await r1.bind('tcp://127.0.0.1:*'));
    req.connect(await r2.bind('tcp://127.0.0.1:*'));
    await withTimeout(ready, 5000, 'two handshakes');

    await req.send('question');
    const [at1, at2] = await Promise.all([r1.receiveUpTo(1, 1000), r2.receiveUpTo(1, 1000)]);
    expect(at1.length + at2.length).toBe(1);
    const [right, wrong, got] = at1.length === 1 ? [r1, r2, at1[0]!] : [r2, r1, at2[0]!];
    assertFramesEqual(got, [B('our-req'), E, B('question')], 'request at libzmq ROUTER');

    const reply = req.receive();
    await wrong.send(['our-req', '', 'from the wrong peer']);
    await right.send(['our-req', 'no delimiter']);
    await right.send(['our-req', 'x', '', 'non-empty first frame']);
    await right.send(['our-req', '']); // delimiter without body
    await expectNothing({ receive: () => reply }, 300, 'our Request before the good reply');
    await right.send(['our-req', '', 'good']);
    assertFramesEqual(await withTimeout(reply, 5000, 'good reply'), [B('good')], 'reply');
  });

  it('our Request with correlate drops libzmq ROUTER replies with a wrong request id', async () => {
    const peer = await spawnZmqPeer();
    const router = await peer.socket('ROUTER', { linger: 0 });
    const req = newReq({ routingId: 'corr', correlate: true });
    req.connect(await router.bind('tcp://127.0.0.1:*'));
    await req.send('q');
    const [[id, reqId, empty, body]] = (await router.receive(1, 5000)) as [Buffer[]];
    expect(id!.toString()).toBe('corr');
    expect(reqId!.length).toBe(4);
    expect(empty!.length).toBe(0);
    expect(body!.toString()).toBe('q');
    const bad = Buffer.from(reqId!);
    bad[0] = bad[0]! ^ 1;
    const reply = req.receive();
    await router.send([id!, bad, E, B('stale')]);
    await router.send([id!, E, B('no id')]);
    await expectNothing({ receive: () => reply }, 300, 'our Request before the matching reply');
    await router.send([id!, reqId!, E, B('fresh')]);
    assertFramesEqual(await withTimeout(reply, 5000, 'reply'), [B('fresh')], 'reply');
  });

  it('REQ <-> PUB is refused in the handshake (handshake:error:protocol on our side)', async () => {
    const peer = await spawnZmqPeer();
    const pub = await peer.socket('PUB', { linger: 0 });
    const ep = await pub.bind('tcp://127.0.0.1:*');
    const req = newReq();
    const refused = nextEvent(req, 'handshake:error:protocol');
    req.connect(ep);
    await refused;

    const rep = newRep();
    await rep.bind('tcp://127.0.0.1:*');
    const refusedRep = nextEvent(rep, 'handshake:error:protocol');
    await pub.connect(rep.lastEndpoint!);
    await refusedRep;
  });

  it('our Request waits for a peer: libzmq REP binds 300 ms after the send', async () => {
    const req = newReq();
    const peer = await spawnZmqPeer();
    const rep = await peer.socket('REP', { linger: 0 });
    const ep = await rep.bind('tcp://127.0.0.1:*');
    await rep.unbind(ep);
    req.connect(ep);
    const sent = req.send('early');
    await sleep(300);
    await rep.bind(ep);
    await withTimeout(sent, 5000, 'send after bind');
    const [m] = await rep.receive(1, 5000);
    assertFramesEqual(m!, [B('early')], 'request');
    await rep.send('late answer');
    assertFramesEqual(await recv(req), [B('late answer')], 'reply');
  });
});
