#!/usr/bin/env node
/**
 * One side of one benchmark scenario, for the JavaScript implementations (Monocoque and
 * npm zeromq share the zeromq.js v6 API; the node:net floor of lib/floor.mjs mimics it).
 * Spawned by run.mjs; c/zmqbench.c is the C twin.
 *
 *   node worker.mjs '<json WorkerConfig>'
 *   node worker.mjs --probe <impl>      → which patterns this implementation can run
 *
 * Line protocol on stdout (one JSON object per line):
 *   {"event":"ready","endpoint":"tcp://127.0.0.1:40312"}   the server is bound
 *   {"event":"result", ...}                                 the measuring side is done
 *   {"event":"error","message":"..."}                       it failed
 * The measuring side (latency client, throughput receiver) exits after its result; the
 * other side runs until the runner kills it.
 *
 * Fan-out/fan-in rows (`peers` in the config): the server keeps its one socket (PUB sends,
 * ROUTER echoes, PULL counts per pusher); the client opens `peers` sockets (SUBs or DEALERs,
 * which count, or PUSHes, which send) in this one process, each in its own async loop, and
 * counting per peer goes through lib/meter.mjs.
 */
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { firstLine, loadCurve, loadPattern, monocoqueTransportName, PATTERN_CLASSES } from './lib/impls.mjs';
import { curveBackendOf } from './lib/matrix.mjs';
import { PeerMeter } from './lib/meter.mjs';
import { summariseLatency } from './lib/stats.mjs';

/**
 * @typedef {object} CurveKeys Z85 key pairs made by the runner for one run
 * @property {string} serverPublic
 * @property {string} serverSecret
 * @property {string} clientPublic
 * @property {string} clientSecret
 *
 * @typedef {object} WorkerConfig
 * @property {'monocoque' | 'monocoque-uring' | 'monocoque-noble' | 'zeromq' | 'node-net' | 'node-net-framed'} impl
 * @property {'server' | 'client'} role server binds, client connects
 * @property {'req-rep' | 'dealer-router' | 'push-pull' | 'pub-sub'} pattern
 * @property {'plain' | 'batch'} variant batch: the write/flush/receiveMany API (Monocoque, node:net floor)
 * @property {string} endpoint to bind (server) or connect to (client)
 * @property {number} size payload bytes
 * @property {number} warmupMs minimum warm-up time before measuring
 * @property {number} warmupMsgs minimum warm-up messages before measuring
 * @property {number} durationMs measurement window
 * @property {number} maxMsgs stop measuring after this many messages
 * @property {CurveKeys} [curve] run CURVE with these keys (NULL without)
 * @property {'sodium' | 'noble'} [curveBackend] Monocoque: the box backend CURVE must run on
 * @property {number} [peers] fan-out/fan-in rows: the client opens this many sockets
 * @property {number} [joinTimeoutMs] fan-out rows: how long every peer may take to be heard from
 */

/**
 * CPU time (user + system, all threads) this process used since `since`, as a percentage
 * of one core over `elapsedMs`: how busy the measuring side was during the window.
 * @param {NodeJS.CpuUsage} since
 * @param {number} elapsedMs
 */
function cpuPercent(since, elapsedMs) {
  const d = process.cpuUsage(since);
  return ((d.user + d.system) / 1e3 / elapsedMs) * 100;
}

/** Write one protocol line synchronously (safe right before process.exit). */
function emit(obj) {
  writeSync(1, `${JSON.stringify(obj)}\n`);
}

function fail(err) {
  emit({ event: 'error', message: firstLine(err) });
  process.exit(1);
}

/**
 * Echo server (REP / ROUTER): every message goes back unchanged (ROUTER keeps the
 * routing id frame in front, so the reply reaches the right peer).
 */
async function echoServer(sock) {
  for await (const frames of sock) await sock.send(frames);
}

/** Round-trip client (REQ / DEALER). */
async function latencyClient(sock, cfg, payload) {
  const samples = [];
  let warm = 0;
  const start = performance.now();
  let measureStart = 0;
  let measuring = false;
  let cpu0 = process.cpuUsage();
  for (;;) {
    const t0 = performance.now();
    if (!measuring && warm >= cfg.warmupMsgs && t0 - start >= cfg.warmupMs) {
      measuring = true;
      measureStart = t0;
      cpu0 = process.cpuUsage();
    }
    if (measuring && (t0 - measureStart >= cfg.durationMs || samples.length >= cfg.maxMsgs)) break;
    await sock.send(payload);
    const [reply] = await sock.receive();
    const rttUs = (performance.now() - t0) * 1e3;
    if (reply.length !== cfg.size) throw new Error(`reply of ${reply.length} bytes, expected ${cfg.size}`);
    if (measuring) samples.push(rttUs);
    else warm++;
  }
  const elapsedMs = performance.now() - measureStart;
  return { kind: 'latency', ...summariseLatency(Float64Array.from(samples)), warmupCount: warm, elapsedMs, cpuPercent: cpuPercent(cpu0, elapsedMs) };
}

/**
 * Sender (PUSH client / PUB server): sends until killed.
 * plain: `await send()` per message; batch: `write()` until it refuses or a batch is
 * full, then `await flush()` (which also yields to the event loop).
 */
async function sender(sock, cfg, payload) {
  if (cfg.variant === 'batch') {
    const perFlush = Math.max(1, Math.min(1024, Math.floor((256 * 1024) / Math.max(1, cfg.size))));
    for (;;) {
      for (let i = 0; i < perFlush && sock.write(payload); i++);
      await sock.flush();
    }
  }
  for (;;) await sock.send(payload);
}

/**
 * Receiver (PULL server / SUB client): warms up, then counts messages for the
 * measurement window. plain: `for await`; batch: `receiveMany()`.
 */
async function receiver(sock, cfg) {
  let warm = 0;
  let count = 0;
  let first = 0;
  let measureStart = 0;
  let measuring = false;
  let cpu0 = process.cpuUsage();
  /** @returns {boolean} true when the measurement is over */
  const onMessages = (batch) => {
    for (const frames of batch) {
      if (frames[0].length !== cfg.size) throw new Error(`message of ${frames[0].length} bytes, expected ${cfg.size}`);
    }
    if (!measuring) {
      const t = performance.now();
      if (warm === 0) first = t;
      warm += batch.length;
      if (warm >= cfg.warmupMsgs && t - first >= cfg.warmupMs) {
        measuring = true;
        measureStart = t;
        cpu0 = process.cpuUsage();
      }
      return false;
    }
    count += batch.length;
    return count >= cfg.maxMsgs || performance.now() - measureStart >= cfg.durationMs;
  };
  if (cfg.variant === 'batch') {
    while (!onMessages(await sock.receiveMany()));
  } else {
    // Check the clock only every 16 messages: it is not free at millions of messages/s.
    const one = [null];
    let n = 0;
    for await (const frames of sock) {
      one[0] = frames;
      if (!measuring || (++n & 15) === 0) {
        if (onMessages(one)) break;
      } else {
        if (frames[0].length !== cfg.size) throw new Error(`message of ${frames[0].length} bytes, expected ${cfg.size}`);
        if (++count >= cfg.maxMsgs) break;
      }
    }
  }
  const elapsedMs = performance.now() - measureStart;
  const secs = elapsedMs / 1e3;
  return {
    kind: 'throughput',
    count,
    warmupCount: warm,
    elapsedMs,
    msgPerSec: count / secs,
    mbPerSec: (count * cfg.size) / secs / 1e6,
    cpuPercent: cpuPercent(cpu0, elapsedMs),
  };
}

/**
 * The fan-out/fan-in side that counts, over a PeerMeter (lib/meter.mjs): `loops(meter)`
 * starts one async loop per counted peer; a 10 ms timer ends a stalled window. Returns the
 * result object, or throws the first error of any loop.
 * @param {WorkerConfig} cfg
 * @param {number} peers
 * @param {(meter: PeerMeter) => Promise<unknown>[]} loops
 */
async function meterPeers(cfg, peers, loops) {
  let cpu0 = process.cpuUsage();
  const meter = new PeerMeter({
    peers,
    warmupMs: cfg.warmupMs,
    warmupMsgs: cfg.warmupMsgs,
    durationMs: cfg.durationMs,
    maxMsgs: cfg.maxMsgs,
    joinTimeoutMs: cfg.joinTimeoutMs ?? 30_000,
    onMeasure: () => {
      cpu0 = process.cpuUsage();
    },
  });
  /** @type {() => void} */
  let wake = () => {};
  const ended = new Promise((resolve) => {
    wake = () => resolve(undefined);
  });
  const timer = setInterval(() => {
    if (meter.tick()) wake();
  }, 10);
  const running = loops(meter).map((p) => p.then(() => wake()));
  try {
    // A loop that throws rejects here; one that returns means the window is over.
    await Promise.race([ended, ...running]);
  } finally {
    clearInterval(timer);
  }
  const r = meter.result();
  return {
    kind: 'fanout',
    ...r,
    mbPerSec: cfg.pattern === 'dealer-router' ? undefined : (r.msgPerSec * cfg.size) / 1e6,
    cpuPercent: cpuPercent(cpu0, r.elapsedMs),
    // Peak RSS of this process so far (getrusage ru_maxrss, KiB).
    rssPeakBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/**
 * Fan-out client (`pub-sub`, N SUBs) and round-robin client (`dealer-router`, N DEALERs
 * each with one request in flight): N sockets in this process, each in its own loop.
 * @param {any} Cls the SUB or DEALER class
 * @param {WorkerConfig} cfg
 * @param {Buffer} payload
 */
async function manyClients(Cls, cfg, payload) {
  const peers = /** @type {number} */ (cfg.peers);
  const socks = [];
  for (let i = 0; i < peers; i++) {
    const sock = new Cls({ linger: 0 });
    if (cfg.pattern === 'pub-sub') sock.subscribe();
    sock.connect(cfg.endpoint);
    socks.push(sock);
  }
  const check = (/** @type {Buffer} */ msg) => {
    if (msg.length !== cfg.size) throw new Error(`message of ${msg.length} bytes, expected ${cfg.size}`);
  };
  return meterPeers(cfg, peers, (meter) =>
    socks.map(async (sock, i) => {
      if (cfg.pattern === 'pub-sub') {
        for await (const frames of sock) {
          check(frames[0]);
          if (meter.hit(i)) return;
        }
      } else {
        while (!meter.done) {
          await sock.send(payload);
          const frames = await sock.receive();
          check(frames[0]);
          if (meter.hit(i)) return;
        }
      }
    }),
  );
}

/**
 * Fan-in client: N PUSH sockets sending flat out (`await send()`), each message tagged
 * with its sender's index in its first two bytes (little-endian) so the PULL can count
 * per pusher.
 * @param {any} Cls the PUSH class
 * @param {WorkerConfig} cfg
 */
async function manyPushers(Cls, cfg) {
  const peers = /** @type {number} */ (cfg.peers);
  const loops = [];
  for (let i = 0; i < peers; i++) {
    const sock = new Cls({ linger: 0 });
    sock.connect(cfg.endpoint);
    const payload = Buffer.alloc(cfg.size, 'x');
    payload.writeUInt16LE(i, 0);
    loops.push(
      (async () => {
        for (;;) await sock.send(payload);
      })(),
    );
  }
  await Promise.all(loops);
}

/**
 * Fan-in server: one PULL counting per pusher (the index in the first two bytes).
 * @param {any} sock
 * @param {WorkerConfig} cfg
 */
async function fanInReceiver(sock, cfg) {
  const peers = /** @type {number} */ (cfg.peers);
  return meterPeers(cfg, peers, (meter) => [
    (async () => {
      for await (const frames of sock) {
        const msg = frames[0];
        if (msg.length !== cfg.size) throw new Error(`message of ${msg.length} bytes, expected ${cfg.size}`);
        const i = msg[0] | (msg[1] << 8);
        if (i >= peers) throw new Error(`message from pusher ${i}, expected < ${peers}`);
        if (meter.hit(i)) return;
      }
    })(),
  ]);
}

/** @param {WorkerConfig['impl']} impl whether it is one of Monocoque's columns (which record their transport) */
const isMonocoque = (impl) => impl.startsWith('monocoque');

/** @param {WorkerConfig} cfg */
async function main(cfg) {
  const loaded = await loadPattern(cfg.impl, cfg.pattern);
  if (!loaded.ok) throw new Error(loaded.reason);
  const isServer = cfg.role === 'server';
  const Cls = isServer ? loaded.Server : loaded.Client;
  /** @type {Record<string, unknown>} */
  let options = {};
  /** @type {string | undefined} */
  let curveBackend;
  // The floor has no framing: its receiver cuts the stream into records of this size (the
  // framed floor: into ZMTP frames of this size).
  if (cfg.impl === 'node-net' || cfg.impl === 'node-net-framed') options = { recordSize: cfg.size, framed: cfg.impl === 'node-net-framed' };
  if (cfg.curve) {
    if (cfg.impl === 'zeromq') curveBackend = 'libzmq';
    else {
      const curve = await loadCurve(cfg.curveBackend);
      if (!curve.ok) throw new Error(curve.reason);
      curveBackend = curve.backend.name;
    }
    const k = cfg.curve;
    options = isServer
      ? { curveServer: true, curveSecretKey: k.serverSecret }
      : { curveServerKey: k.serverPublic, curvePublicKey: k.clientPublic, curveSecretKey: k.clientSecret };
  }
  const sock = new Cls(options);
  // Report the mechanism the socket really uses, so a CURVE row can never measure NULL.
  const mechanism = sock.securityMechanism ?? 'null';
  if (mechanism !== (cfg.curve ? 'curve' : 'null')) throw new Error(`security mechanism is ${mechanism}, expected ${cfg.curve ? 'curve' : 'null'}`);
  emit({ event: 'security', mechanism, ...(curveBackend ? { backend: curveBackend } : {}) });
  if (cfg.variant === 'batch' && typeof sock.write !== 'function') {
    throw new Error(`${Cls.name} has no batching API (write/flush/receiveMany)`);
  }
  const payload = Buffer.alloc(cfg.size, 'x');

  if (cfg.peers !== undefined && !isServer) {
    // Fan-out/fan-in rows: the client process holds `peers` sockets (made in the helpers).
    sock.close();
    if (cfg.pattern === 'push-pull') return manyPushers(Cls, cfg);
    if (cfg.pattern !== 'pub-sub' && cfg.pattern !== 'dealer-router') throw new Error(`no fan-out client for ${cfg.pattern}`);
    const result = await manyClients(Cls, cfg, payload);
    if (isMonocoque(cfg.impl)) result.transport = await monocoqueTransportName();
    emit({ event: 'result', ...result });
    process.exit(0);
  }

  if (isServer) {
    await sock.bind(cfg.endpoint);
    emit({ event: 'ready', endpoint: sock.lastEndpoint ?? cfg.endpoint });
  } else {
    if (cfg.pattern === 'pub-sub') sock.subscribe();
    sock.connect(cfg.endpoint);
  }

  let result;
  switch (`${cfg.pattern}:${cfg.role}`) {
    case 'req-rep:server':
    case 'dealer-router:server':
      return echoServer(sock);
    case 'req-rep:client':
    case 'dealer-router:client':
      result = await latencyClient(sock, cfg, payload);
      break;
    case 'push-pull:client':
    case 'pub-sub:server':
      return sender(sock, cfg, payload);
    case 'push-pull:server':
    case 'pub-sub:client':
      result = cfg.peers !== undefined ? await fanInReceiver(sock, cfg) : await receiver(sock, cfg);
      break;
    default:
      throw new Error(`unknown pattern/role ${cfg.pattern}/${cfg.role}`);
  }
  if (isMonocoque(cfg.impl)) result.transport = await monocoqueTransportName();
  if (curveBackend) result.curveBackend = curveBackend;
  emit({ event: 'result', ...result });
  process.exit(0);
}

/**
 * Report which patterns an implementation can run and whether it has the batching API.
 * @param {WorkerConfig['impl']} impl
 */
async function probe(impl) {
  /** @type {Record<string, { ok: boolean, reason?: string, batch?: boolean }>} */
  const patterns = {};
  for (const pattern of /** @type {WorkerConfig['pattern'][]} */ (Object.keys(PATTERN_CLASSES))) {
    const loaded = await loadPattern(impl, pattern);
    if (!loaded.ok) {
      patterns[pattern] = { ok: false, reason: loaded.reason };
      continue;
    }
    // Throughput patterns: PUSH (client) and PUB (server) send, PULL and SUB receive.
    const [send, recv] = pattern === 'pub-sub' ? [loaded.Server, loaded.Client] : [loaded.Client, loaded.Server];
    const batch =
      typeof send.prototype.write === 'function' &&
      typeof send.prototype.flush === 'function' &&
      typeof recv.prototype.receiveMany === 'function';
    patterns[pattern] = { ok: true, batch };
  }
  /** @type {{ ok: boolean, reason?: string, backend?: string }} */
  let curve;
  if (impl === 'zeromq') {
    const zmq = await import('zeromq').catch(() => undefined);
    curve = zmq?.capability?.curve ? { ok: true, backend: 'libzmq' } : { ok: false, reason: 'zeromq.js built without CURVE' };
  } else if (impl === 'node-net' || impl === 'node-net-framed') {
    curve = { ok: false, reason: 'the node:net floor has no security mechanism' };
  } else if (impl !== 'monocoque-uring') {
    const loaded = await loadCurve(curveBackendOf(impl));
    curve = loaded.ok ? { ok: true, backend: `${loaded.backend.name} (${loaded.backend.reason})` } : { ok: false, reason: loaded.reason };
  } else {
    curve = { ok: false, reason: 'CURVE rows run on node:net only' };
  }
  let version;
  if (impl === 'zeromq') version = `zeromq.js (libzmq ${(await import('zeromq')).version})`;
  else if (impl === 'node-net') version = `node:net, no framing (Node ${process.version})`;
  else if (impl === 'node-net-framed') version = `node:net, ZMTP frames, one Buffer view per message (Node ${process.version})`;
  else if (Object.values(patterns).some((p) => p.ok)) version = `transport: ${await monocoqueTransportName()}`;
  emit({ event: 'probe', impl, version, patterns, curve });
  process.exit(0);
}

// Exit cleanly when asked, so that `node --cpu-prof` writes the profile (run.mjs --cpu-prof).
process.on('SIGTERM', () => process.exit(0));

if (process.argv[2] === '--probe') {
  probe(/** @type {any} */ (process.argv[3])).catch(fail);
} else {
  main(JSON.parse(process.argv[2])).catch(fail);
}
