// Runtime-neutral interop check: runs under whatever executes it (Node, Bun, Deno) and
// drives Monocoque's BUILT packages (dist/, through the workspace's node_modules) against a
// libzmq peer in a separate Node process (`e2e/peers/zmq-peer.mjs`, npm zeromq):
//   - every socket pattern over tcp:// and ipc://, both bind directions across the set;
//   - inproc:// between two Monocoque sockets, for every pattern;
//   - reconnect after the peer process is SIGKILLed and restarted on the same endpoint;
//   - the io_uring transport (in a child process of this runtime, since a runtime that
//     lacks parts of N-API may abort the whole process).
// Public API only. Every wait is bounded. Prints one line per check and, last,
// `N passed, N failed` (`, N skipped` when something was skipped, with its reason).
// Exit code 1 when anything failed.
//
//   node e2e/runtimes/interop.mjs
//   bun e2e/runtimes/interop.mjs
//   deno run -A e2e/runtimes/interop.mjs
// `pnpm test:runtimes` (tools/runtimes/run.mjs) runs it under all three.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { Request, Reply } from '@monocoque/reqrep';
import { Publisher, Subscriber, XPublisher, XSubscriber } from '@monocoque/pubsub';
import { Push, Pull } from '@monocoque/pipeline';
import { Pair } from '@monocoque/pair';
import { Proxy } from '@monocoque/proxy';
import { startPeer } from './peer-client.mjs';

const RUNTIME = globalThis.Deno
  ? { name: 'deno', version: globalThis.Deno.version.deno }
  : globalThis.Bun
    ? { name: 'bun', version: globalThis.Bun.version }
    : { name: 'node', version: process.versions.node };

// ---------------------------------------------------------------- helpers

const B = (s) => Buffer.from(s);
/** A multipart message that exercises empty, binary and long (> 255 B) frames. */
const payload = (tag) => [B(tag), Buffer.alloc(0), Buffer.from([0x00, 0xff, 0x01]), Buffer.alloc(300, 0x5a)];

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const recv = (sock, what, ms = 5000) => within(sock.receive(), ms, what);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const hex = (f) => `${f.length}B:${Buffer.from(f).subarray(0, 12).toString('hex')}`;
function assertFrames(actual, expected, what) {
  const same = actual.length === expected.length && actual.every((f, i) => Buffer.compare(Buffer.from(f), Buffer.from(expected[i])) === 0);
  if (!same) throw new Error(`${what}: expected [${expected.map(hex).join(' | ')}], got [${actual.map(hex).join(' | ')}]`);
}

/** Resolves on the `n`-th `type` event of one of our sockets (bounded by `within` at the caller). */
function nthEvent(sock, type, n = 1) {
  let seen = 0;
  return new Promise((resolve) => {
    sock.events.on(type, (e) => ++seen === n && resolve(e));
  });
}

let ipcCounter = 0;
const ipcFiles = [];
function endpoint(transport) {
  if (transport === 'tcp') return 'tcp://127.0.0.1:*';
  if (transport === 'inproc') return `inproc://monocoque-runtimes-${process.pid}-${++ipcCounter}`;
  const path = join(tmpdir(), `monocoque-runtimes-${RUNTIME.name}-${process.pid}-${++ipcCounter}.sock`);
  ipcFiles.push(path);
  return `ipc://${path}`;
}

/** Keep sending probes from `send` until `firstReceive` settles (PUB/SUB slow joiner), bounded. */
async function untilDelivered(send, firstReceive, what, ms = 5000) {
  let got;
  firstReceive.then((m) => (got = m));
  const end = Date.now() + ms;
  while (got === undefined) {
    if (Date.now() > end) throw new Error(`no probe reached ${what} within ${ms} ms (slow joiner)`);
    await send();
    await sleep(20);
  }
  return got;
}

/** Skip probe messages (topic frame starting with `probe`) until the real one, bounded. */
async function receiveSkippingProbes(receive, what) {
  for (let i = 0; i < 1000; i++) {
    const m = await receive();
    if (!m[0].toString().startsWith('probe')) return m;
  }
  throw new Error(`${what}: only probes arrived`);
}

// ---------------------------------------------------------------- runner

const results = { passed: 0, failed: 0, skipped: 0 };
const openSockets = new Set();
/** Track one of our sockets; closed after the check whatever happens. */
const ours = (sock) => (openSockets.add(sock), sock);

async function check(name, fn) {
  const t0 = Date.now();
  try {
    const skipped = await within(fn(), 30_000, `check '${name}'`);
    if (typeof skipped === 'string') {
      results.skipped++;
      console.log(`skip  ${name}: ${skipped}`);
    } else {
      results.passed++;
      console.log(`ok    ${name} (${Date.now() - t0} ms)`);
    }
  } catch (err) {
    results.failed++;
    console.log(`FAIL  ${name}: ${err && err.stack ? err.stack : String(err)}`);
  } finally {
    for (const s of openSockets) s.close();
    openSockets.clear();
  }
}

// ---------------------------------------------------------------- checks against libzmq

/**
 * One check per pattern against a libzmq socket in `peer`: `ours` is our socket, `theirs`
 * the peer's socket type, `oursBinds` who binds. `exchange(our, their)` does the traffic.
 */
const PATTERNS = [
  {
    name: 'our DEALER connects to libzmq ROUTER',
    ours: () => new Dealer({ linger: 0, routingId: 'dealer-1' }),
    theirs: 'ROUTER',
    oursBinds: false,
    async exchange(dealer, router) {
      await dealer.send(payload('hello'));
      const [id, ...frames] = await router.receive();
      assertFrames([id], [B('dealer-1')], 'routing id seen by libzmq');
      assertFrames(frames, payload('hello'), 'libzmq ROUTER received');
      await router.send([id, ...payload('reply')]);
      assertFrames(await recv(dealer, 'DEALER reply'), payload('reply'), 'our DEALER received');
    },
  },
  {
    name: 'our ROUTER binds, libzmq DEALER connects',
    ours: () => new Router({ linger: 0 }),
    theirs: 'DEALER',
    theirOptions: { routingId: 'peer-1' },
    oursBinds: true,
    async exchange(router, dealer) {
      await dealer.send(payload('hello'));
      const [id, ...frames] = await recv(router, 'ROUTER receive');
      assertFrames([id], [B('peer-1')], 'routing id seen by our ROUTER');
      assertFrames(frames, payload('hello'), 'our ROUTER received');
      await router.send([id, ...payload('reply')]);
      assertFrames(await dealer.receive(), payload('reply'), 'libzmq DEALER received');
    },
  },
  {
    name: 'our REQ connects to libzmq REP',
    ours: () => new Request({ linger: 0 }),
    theirs: 'REP',
    oursBinds: false,
    async exchange(req, rep) {
      for (let i = 0; i < 3; i++) {
        await req.send(payload(`ask-${i}`));
        assertFrames(await rep.receive(), payload(`ask-${i}`), 'libzmq REP received');
        await rep.send(payload(`answer-${i}`));
        assertFrames(await recv(req, 'REQ reply'), payload(`answer-${i}`), 'our REQ received');
      }
    },
  },
  {
    name: 'our REP binds, libzmq REQ connects',
    ours: () => new Reply({ linger: 0 }),
    theirs: 'REQ',
    oursBinds: true,
    async exchange(rep, req) {
      for (let i = 0; i < 3; i++) {
        await req.send(payload(`ask-${i}`));
        assertFrames(await recv(rep, 'REP request'), payload(`ask-${i}`), 'our REP received');
        await rep.send(payload(`answer-${i}`));
        assertFrames(await req.receive(), payload(`answer-${i}`), 'libzmq REQ received');
      }
    },
  },
  {
    name: 'our PUB binds, libzmq SUB connects',
    ours: () => new Publisher({ linger: 0 }),
    theirs: 'SUB',
    theirOptions: { subscribe: 'p' }, // 'probe…' and 'payload'; never 'other'
    oursBinds: true,
    async exchange(pub, sub) {
      await untilDelivered(() => pub.send(['probe']), sub.receive(5000), 'the libzmq SUB');
      await pub.send(['other', 'filtered out']);
      await pub.send(payload('payload'));
      const m = await receiveSkippingProbes(() => sub.receive(), 'libzmq SUB');
      assertFrames(m, payload('payload'), 'libzmq SUB received');
    },
  },
  {
    name: 'libzmq PUB binds, our SUB connects',
    ours: () => {
      const sub = new Subscriber({ linger: 0 });
      sub.subscribe('p');
      return sub;
    },
    theirs: 'PUB',
    oursBinds: false,
    async exchange(sub, pub) {
      await untilDelivered(() => pub.send(['probe']), sub.receive(), 'our SUB');
      await pub.send(['other', 'filtered out']);
      await pub.send(payload('payload'));
      const m = await receiveSkippingProbes(() => recv(sub, 'SUB receive'), 'our SUB');
      assertFrames(m, payload('payload'), 'our SUB received');
    },
  },
  {
    name: 'our XPUB binds, libzmq XSUB connects',
    ours: () => new XPublisher({ linger: 0 }),
    theirs: 'XSUB',
    oursBinds: true,
    async exchange(xpub, xsub) {
      await xsub.send([Buffer.from('\x01p')]);
      assertFrames(await recv(xpub, 'subscription at our XPUB'), [B('\x01p')], 'our XPUB received the subscription');
      await xpub.send(payload('payload'));
      assertFrames(await xsub.receive(), payload('payload'), 'libzmq XSUB received');
    },
  },
  {
    name: 'libzmq XPUB binds, our XSUB connects',
    ours: () => new XSubscriber({ linger: 0 }),
    theirs: 'XPUB',
    oursBinds: false,
    async exchange(xsub, xpub) {
      await xsub.send([Buffer.from('\x01p')]);
      assertFrames(await xpub.receive(), [B('\x01p')], 'libzmq XPUB received the subscription');
      await xpub.send(payload('payload'));
      assertFrames(await recv(xsub, 'XSUB receive'), payload('payload'), 'our XSUB received');
    },
  },
  {
    name: 'our PUSH connects to libzmq PULL',
    ours: () => new Push({ linger: 0 }),
    theirs: 'PULL',
    oursBinds: false,
    async exchange(push, pull) {
      for (let i = 0; i < 100; i++) await push.send([B(`m${i}`), Buffer.alloc(i)]);
      const got = await pull.receiveUpTo(100, 5000);
      if (got.length !== 100) throw new Error(`libzmq PULL got ${got.length}/100 messages`);
      got.forEach((m, i) => assertFrames(m, [B(`m${i}`), Buffer.alloc(i)], `message ${i} at libzmq PULL`));
    },
  },
  {
    name: 'our PULL binds, libzmq PUSH connects',
    ours: () => new Pull({ linger: 0 }),
    theirs: 'PUSH',
    oursBinds: true,
    async exchange(pull, push) {
      for (let i = 0; i < 100; i++) await push.send([B(`m${i}`), Buffer.alloc(i)]);
      for (let i = 0; i < 100; i++) assertFrames(await recv(pull, `PULL message ${i}`), [B(`m${i}`), Buffer.alloc(i)], `message ${i} at our PULL`);
    },
  },
  {
    name: 'our PAIR binds, libzmq PAIR connects',
    ours: () => new Pair({ linger: 0 }),
    theirs: 'PAIR',
    oursBinds: true,
    async exchange(pair, theirs) {
      await theirs.send(payload('ping'));
      assertFrames(await recv(pair, 'PAIR receive'), payload('ping'), 'our PAIR received');
      await pair.send(payload('pong'));
      assertFrames(await theirs.receive(), payload('pong'), 'libzmq PAIR received');
    },
  },
];

async function patternChecks(peer, transport) {
  for (const p of PATTERNS) {
    await check(`${transport}: ${p.name}`, async () => {
      const sock = ours(p.ours());
      const theirs = await peer.socket(p.theirs, p.theirOptions);
      try {
        if (p.oursBinds) {
          await sock.bind(endpoint(transport));
          await theirs.connect(sock.lastEndpoint);
        } else {
          sock.connect(await theirs.bind(endpoint(transport)));
        }
        await p.exchange(sock, theirs);
      } finally {
        await theirs.close().catch(() => {});
      }
    });
  }
}

/** Our DEALER stays connected while the libzmq ROUTER process is SIGKILLed and restarted. */
async function reconnectCheck(transport) {
  await check(`${transport}: reconnect after the libzmq peer process is killed and restarted`, async () => {
    const peers = [];
    try {
      const roundTrip = async (router, tag) => {
        await dealer.send([B(tag)]);
        const [id, m] = await router.receive();
        assertFrames([m], [B(tag)], `libzmq ROUTER received (${tag})`);
        await router.send([id, B(`${tag}-reply`)]);
        assertFrames(await recv(dealer, `reply to ${tag}`), [B(`${tag}-reply`)], 'our DEALER received');
      };
      const startRouter = async (ep) => {
        const peer = await startPeer();
        peers.push(peer);
        const router = await peer.socket('ROUTER');
        return { peer, router, ep: await router.bind(ep) };
      };
      const dealer = ours(new Dealer({ linger: 0, routingId: 'survivor' }));
      const first = await startRouter(endpoint(transport));
      const connected = nthEvent(dealer, 'handshake', 1);
      const reconnected = nthEvent(dealer, 'handshake', 2);
      const dropped = nthEvent(dealer, 'disconnect', 1);
      dealer.connect(first.ep);
      await within(connected, 5000, 'first handshake');
      await roundTrip(first.router, 'before');
      await first.peer.kill();
      await within(dropped, 5000, "'disconnect' after the peer was killed");
      const second = await startRouter(first.ep); // same endpoint: same port / same path
      await within(reconnected, 10_000, 'handshake with the restarted peer');
      await roundTrip(second.router, 'after');
    } finally {
      await Promise.all(peers.map((p) => p.close()));
    }
  });
}

// ---------------------------------------------------------------- inproc (ours <-> ours)

const INPROC = [
  ['DEALER/ROUTER', () => new Router({ linger: 0 }), () => new Dealer({ linger: 0, routingId: 'd' }), async (router, dealer) => {
    await dealer.send(payload('hi'));
    const [id, ...frames] = await recv(router, 'ROUTER receive');
    assertFrames(frames, payload('hi'), 'ROUTER received');
    await router.send([id, ...payload('back')]);
    assertFrames(await recv(dealer, 'DEALER receive'), payload('back'), 'DEALER received');
  }],
  ['REQ/REP', () => new Reply({ linger: 0 }), () => new Request({ linger: 0 }), async (rep, req) => {
    await req.send(payload('ask'));
    assertFrames(await recv(rep, 'REP receive'), payload('ask'), 'REP received');
    await rep.send(payload('answer'));
    assertFrames(await recv(req, 'REQ receive'), payload('answer'), 'REQ received');
  }],
  ['PUB/SUB', () => new Publisher({ linger: 0 }), () => {
    const sub = new Subscriber({ linger: 0 });
    sub.subscribe('p');
    return sub;
  }, async (pub, sub) => {
    await untilDelivered(() => pub.send(['probe']), sub.receive(), 'the SUB');
    await pub.send(['other']);
    await pub.send(payload('payload'));
    assertFrames(await receiveSkippingProbes(() => recv(sub, 'SUB receive'), 'SUB'), payload('payload'), 'SUB received');
  }],
  ['XPUB/XSUB', () => new XPublisher({ linger: 0 }), () => new XSubscriber({ linger: 0 }), async (xpub, xsub) => {
    await xsub.send([B('\x01p')]);
    assertFrames(await recv(xpub, 'XPUB receive'), [B('\x01p')], 'XPUB received the subscription');
    await xpub.send(payload('payload'));
    assertFrames(await recv(xsub, 'XSUB receive'), payload('payload'), 'XSUB received');
  }],
  ['PUSH/PULL', () => new Pull({ linger: 0 }), () => new Push({ linger: 0 }), async (pull, push) => {
    for (let i = 0; i < 100; i++) await push.send([B(`m${i}`)]);
    for (let i = 0; i < 100; i++) assertFrames(await recv(pull, `PULL message ${i}`), [B(`m${i}`)], `PULL message ${i}`);
  }],
  ['PAIR', () => new Pair({ linger: 0 }), () => new Pair({ linger: 0 }), async (a, b) => {
    await b.send(payload('ping'));
    assertFrames(await recv(a, 'PAIR receive'), payload('ping'), 'bound PAIR received');
    await a.send(payload('pong'));
    assertFrames(await recv(b, 'PAIR receive'), payload('pong'), 'connected PAIR received');
  }],
];

async function inprocChecks() {
  for (const [name, makeBound, makeConnected, exchange] of INPROC) {
    await check(`inproc: ${name} between two Monocoque sockets`, async () => {
      const bound = ours(makeBound());
      await bound.bind(endpoint('inproc'));
      const connected = ours(makeConnected());
      connected.connect(bound.lastEndpoint);
      await exchange(bound, connected);
    });
  }
}

/** A Proxy (ROUTER/DEALER broker) between a Monocoque REQ and REP over inproc, then terminate. */
async function proxyCheck() {
  await check('inproc: Proxy (ROUTER/DEALER) between Monocoque REQ and REP, then terminate()', async () => {
    const front = ours(new Router({ linger: 0 }));
    const back = ours(new Dealer({ linger: 0 }));
    await front.bind(endpoint('inproc'));
    await back.bind(endpoint('inproc'));
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const rep = ours(new Reply({ linger: 0 }));
    rep.connect(back.lastEndpoint);
    const req = ours(new Request({ linger: 0 }));
    req.connect(front.lastEndpoint);
    await req.send(payload('request'));
    assertFrames(await recv(rep, 'REP receive through the proxy'), payload('request'), 'REP received');
    await rep.send(payload('reply'));
    assertFrames(await recv(req, 'REQ receive through the proxy'), payload('reply'), 'REQ received');
    proxy.terminate();
    await within(running, 5000, 'Proxy run() to resolve after terminate()');
    if (!front.closed || !back.closed) throw new Error('terminate() left a proxied socket open');
  });
}

// ---------------------------------------------------------------- io_uring transport

/** Child-process mode: a PUSH/PULL round trip on the io_uring transport, over tcp and ipc. */
async function uringProbe() {
  const { uringUnavailableReason, uringTransport } = await import('@monocoque/uring');
  const reason = uringUnavailableReason();
  if (reason !== undefined) {
    console.log(`UNAVAILABLE ${reason}`);
    return;
  }
  for (const transport of ['tcp', 'ipc']) {
    const pull = new Pull({ linger: 0, transport: uringTransport() });
    const push = new Push({ linger: 0, transport: uringTransport() });
    await pull.bind(endpoint(transport));
    push.connect(pull.lastEndpoint);
    for (let i = 0; i < 100; i++) await push.send([B(`u${i}`)]);
    for (let i = 0; i < 100; i++) assertFrames(await recv(pull, `uring PULL message ${i}`), [B(`u${i}`)], `uring message ${i}`);
    push.close();
    pull.close();
  }
  for (const path of ipcFiles) rmSync(path, { force: true });
  console.log('OK');
}

/** Known ways a runtime without full N-API/libuv support dies when the addon is used. */
const MISSING_NAPI = /unsupported uv function[^\n]*|undefined symbol: \S+|napi_\w+ is not (?:a function|supported)[^\n]*/;

async function uringCheck() {
  await check('io_uring transport (@monocoque/uring addon) over tcp and ipc', async () => {
    const script = fileURLToPath(import.meta.url);
    const args = RUNTIME.name === 'deno' ? ['run', '-A', script, '--uring-probe'] : [script, '--uring-probe'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const status = await within(
      new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`))),
      20_000,
      'the io_uring child process',
    ).catch((err) => {
      child.kill('SIGKILL');
      throw err;
    });
    const text = out.replace(/\x1b\[[0-9;]*m/g, '').trim();
    if (status === 'code 0' && /^OK$/m.test(text)) return undefined;
    const unavailable = text.match(/^UNAVAILABLE (.*)$/m);
    if (status === 'code 0' && unavailable) {
      if (RUNTIME.name === 'node' && (process.env.CI === 'true' || process.env.MONOCOQUE_REQUIRE_URING === '1')) {
        throw new Error(`the io_uring addon must load under Node here (CI / MONOCOQUE_REQUIRE_URING=1): ${unavailable[1]}`);
      }
      return `addon unavailable: ${unavailable[1]}`;
    }
    const missing = text.match(MISSING_NAPI);
    if (RUNTIME.name !== 'node' && missing) {
      return `${RUNTIME.name} ${RUNTIME.version} cannot run the addon: the process dies with '${missing[0].trim()}' (${status})`;
    }
    throw new Error(`io_uring child process ended with ${status}:\n${text}`);
  });
}

// ---------------------------------------------------------------- main

if (process.argv.includes('--uring-probe')) {
  await uringProbe();
  process.exit(0);
}
console.log(`interop under ${RUNTIME.name} ${RUNTIME.version} (built packages, libzmq peer under Node)`);
const t0 = Date.now();
for (const transport of ['tcp', 'ipc']) {
  let peer;
  try {
    peer = await startPeer();
  } catch (err) {
    await check(`${transport}: start the libzmq peer`, () => Promise.reject(err));
    continue;
  }
  try {
    await patternChecks(peer, transport);
  } finally {
    await peer.close();
  }
  await reconnectCheck(transport);
}
await inprocChecks();
await proxyCheck();
await uringCheck();
for (const path of ipcFiles) rmSync(path, { force: true });

const skipped = results.skipped > 0 ? `, ${results.skipped} skipped` : '';
console.log(`${RUNTIME.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${results.passed} passed, ${results.failed} failed${skipped}`);
process.exit(results.failed > 0 ? 1 : 0);
