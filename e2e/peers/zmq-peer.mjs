#!/usr/bin/env node
// A libzmq peer for Monocoque's interop tests, run in its own process.
//
// It uses the npm `zeromq` package (v6, which bundles libzmq) and is driven over
// stdin/stdout with newline-delimited JSON. The protocol (shared with pyzmq-peer.py):
//
//   startup  -> {"event":"ready","peer":"zeromq","zmq":"4.3.5","pid":123}
//            or {"event":"fatal","error":"..."} followed by exit code 1
//   request  <- {"id":1,"op":"socket","type":"ROUTER","options":{"routingId":"a"}}
//   reply    -> {"id":1,"ok":true,"result":{...}}  or {"id":1,"ok":false,"error":{"message","code"}}
//
// Operations (every one but `socket`/`exit`/`ping` takes "socket": <handle>):
//   ping                                        -> {}
//   socket      {type, options}                 -> {socket}
//   bind        {endpoint}                      -> {endpoint}  (resolved ZMQ_LAST_ENDPOINT)
//   unbind      {endpoint}                      -> {}
//   connect     {endpoint, options?}            -> {}
//   disconnect  {endpoint}                      -> {}
//   send        {frames: [base64], timeoutMs?}  -> {}          (fails with code, e.g. EHOSTUNREACH, EAGAIN)
//   sendMany    {frames, count, timeoutMs?}     -> {sent}      (count messages: frames + [u32 BE sequence number])
//   receive     {count, timeoutMs}              -> {messages: [[base64]], timedOut}
//   subscribe   {topics: [base64]}              -> {}          (SUB only; XSUB subscribes by sending \x01topic)
//   unsubscribe {topics: [base64]}              -> {}
//   setOption   {name, value}                   -> {}
//   getOption   {name}                          -> {value}
//   events      {}                              -> {events: [{type, address, error?}]}  (all seen so far;
//                                                   an auth error carries its ZAP status: error.status)
//   waitEvent   {type, count?, timeoutMs}       -> {events}    (fails with ETIMEDOUT)
//   close       {}                              -> {}
//   exit        {}                              -> {}          then the process exits
//
// Option values and getOption results that are binary are encoded as {"$b64": "..."}.
// Socket types: PAIR PUB SUB REQ REP DEALER ROUTER PULL PUSH XPUB XSUB STREAM.
// Sends and receives on one socket are each serialised (one chain for sends, one for
// receives), bind/unbind on a third chain that sends and receives also wait for;
// everything else runs as it arrives. The process exits when stdin closes.

import { createInterface } from 'node:readline';

function write(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

let zmq;
try {
  zmq = await import('zeromq');
  // Touch the native addon so a broken build fails here and not on first use.
  const probe = new zmq.Dealer();
  probe.close();
} catch (err) {
  write({ event: 'fatal', error: `cannot load npm 'zeromq': ${err && err.stack ? err.stack : String(err)}` });
  process.exit(1);
}

const CLASSES = {
  PAIR: zmq.Pair,
  PUB: zmq.Publisher,
  SUB: zmq.Subscriber,
  REQ: zmq.Request,
  REP: zmq.Reply,
  DEALER: zmq.Dealer,
  ROUTER: zmq.Router,
  PULL: zmq.Pull,
  PUSH: zmq.Push,
  XPUB: zmq.XPublisher,
  XSUB: zmq.XSubscriber,
  STREAM: zmq.Stream,
};

const NO_SEND = new Set(['SUB', 'PULL']);
const NO_RECEIVE = new Set(['PUB', 'PUSH']);

const sockets = new Map(); // handle -> { sock, type, events: [], waiters: Set, sendChain, recvChain }
let nextHandle = 1;

function decodeValue(v) {
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.$b64 === 'string') {
    return Buffer.from(v.$b64, 'base64');
  }
  if (Array.isArray(v)) return v.map(decodeValue);
  return v;
}

function encodeValue(v) {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $b64: Buffer.from(v).toString('base64') };
  return v;
}

function fail(message, code) {
  const err = new Error(message);
  if (code) err.code = code;
  return err;
}

function entry(handle) {
  const e = sockets.get(handle);
  if (!e) throw fail(`no socket with handle ${handle}`, 'EBADF');
  return e;
}

function recordEvents(e) {
  const sock = e.sock;
  // The Observer reads the monitor in the background; record every event.
  (async () => {
    try {
      for await (const ev of sock.events) {
        const rec = { type: ev.type, address: ev.address ?? null };
        if (ev.error) {
          rec.error = { message: ev.error.message, code: ev.error.code ?? null };
          if (ev.error.status !== undefined) rec.error.status = ev.error.status; // ZAP status of an auth failure
        }
        if (ev.interval !== undefined) rec.interval = ev.interval;
        e.events.push(rec);
        for (const w of e.waiters) w();
      }
    } catch {
      /* socket closed */
    }
  })();
}

function createSocket(type, options = {}) {
  const Cls = CLASSES[String(type).toUpperCase()];
  if (!Cls) throw fail(`unknown socket type ${type}`, 'EINVAL');
  const opts = {};
  let subscribe;
  for (const [k, raw] of Object.entries(options)) {
    const v = decodeValue(raw);
    if (k === 'subscribe') subscribe = Array.isArray(v) ? v : [v];
    else opts[k] = v;
  }
  const sock = new Cls();
  for (const [k, v] of Object.entries(opts)) {
    try {
      sock[k] = v;
    } catch (err) {
      sock.close();
      throw fail(`cannot set option ${k}=${JSON.stringify(raw(v))}: ${err.message}`, err.code ?? 'EINVAL');
    }
  }
  if (subscribe) {
    if (typeof sock.subscribe !== 'function') {
      sock.close();
      throw fail(`socket type ${type} has no subscribe()`, 'EINVAL');
    }
    sock.subscribe(...subscribe);
  }
  const handle = nextHandle++;
  const e = {
    sock,
    type: String(type).toUpperCase(),
    events: [],
    waiters: new Set(),
    sendChain: Promise.resolve(),
    recvChain: Promise.resolve(),
    ctlChain: Promise.resolve(),
  };
  sockets.set(handle, e);
  recordEvents(e);
  return handle;
}

function raw(v) {
  return Buffer.isBuffer(v) ? `<${v.length} bytes>` : v;
}

// Sends and receives each wait for the previous op of their kind and for pending control
// ops (bind/unbind/...): libzmq.js rejects concurrent use with EBUSY otherwise.
function chain(e, key, fn) {
  const p = Promise.all([e[key], e.ctlChain]).then(() => fn());
  e[key] = p.catch(() => {});
  return p;
}

function control(e, fn) {
  const p = e.ctlChain.then(() => fn());
  e.ctlChain = p.catch(() => {});
  return p;
}

async function doSend(e, frames, timeoutMs) {
  const msg = frames.map((f) => Buffer.from(f, 'base64'));
  if (typeof e.sock.send !== 'function' || NO_SEND.has(e.type)) throw fail(`socket type ${e.type} cannot send`, 'ENOTSUP');
  const prev = e.sock.sendTimeout;
  if (timeoutMs !== undefined && timeoutMs !== null) e.sock.sendTimeout = Math.max(0, Math.floor(timeoutMs));
  try {
    await e.sock.send(msg);
  } finally {
    if (!e.sock.closed && timeoutMs !== undefined && timeoutMs !== null) e.sock.sendTimeout = prev;
  }
}

async function doReceive(e, count, timeoutMs) {
  if (typeof e.sock.receive !== 'function' || NO_RECEIVE.has(e.type)) throw fail(`socket type ${e.type} cannot receive`, 'ENOTSUP');
  const deadline = Date.now() + Math.max(0, timeoutMs);
  const prev = e.sock.receiveTimeout;
  const messages = [];
  let timedOut = false;
  try {
    while (messages.length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        timedOut = true;
        break;
      }
      e.sock.receiveTimeout = Math.max(1, remaining);
      try {
        const msg = await e.sock.receive();
        messages.push(msg.map((f) => Buffer.from(f).toString('base64')));
      } catch (err) {
        if (err && err.code === 'EAGAIN') {
          timedOut = true;
          break;
        }
        throw err;
      }
    }
  } finally {
    if (!e.sock.closed) e.sock.receiveTimeout = prev;
  }
  return { messages, timedOut };
}

function waitEvent(e, type, count, timeoutMs) {
  const matching = () => e.events.filter((ev) => ev.type === type);
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = matching();
      if (m.length >= count) {
        done();
        resolve({ events: m });
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(
        fail(
          `timed out after ${timeoutMs} ms waiting for ${count} '${type}' event(s); seen: ${JSON.stringify(e.events)}`,
          'ETIMEDOUT',
        ),
      );
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      e.waiters.delete(check);
    };
    e.waiters.add(check);
    check();
  });
}

async function handle(req) {
  switch (req.op) {
    case 'ping':
      return { zmq: zmq.version };
    case 'socket':
      return { socket: createSocket(req.type, req.options ?? {}) };
    case 'exit':
      setImmediate(shutdown);
      return {};
  }
  const e = entry(req.socket);
  const sock = e.sock;
  switch (req.op) {
    case 'bind':
      return control(e, async () => {
        await sock.bind(req.endpoint);
        return { endpoint: sock.lastEndpoint };
      });
    case 'unbind':
      return control(e, async () => {
        await sock.unbind(req.endpoint);
        return {};
      });
    case 'connect': {
      const opts = req.options ? decodeValue(req.options) : undefined;
      if (opts && Object.keys(opts).length > 0) sock.connect(req.endpoint, opts);
      else sock.connect(req.endpoint);
      return {};
    }
    case 'disconnect':
      sock.disconnect(req.endpoint);
      return {};
    case 'send':
      await chain(e, 'sendChain', () => doSend(e, req.frames ?? [], req.timeoutMs));
      return {};
    case 'sendMany':
      return chain(e, 'sendChain', async () => {
        const base = req.frames ?? [];
        for (let i = 0; i < (req.count ?? 0); i++) {
          const seq = Buffer.alloc(4);
          seq.writeUInt32BE(i);
          await doSend(e, [...base, seq.toString('base64')], req.timeoutMs);
        }
        return { sent: req.count ?? 0 };
      });
    case 'receive':
      return chain(e, 'recvChain', () => doReceive(e, req.count ?? 1, req.timeoutMs ?? 5000));
    case 'subscribe':
    case 'unsubscribe': {
      if (typeof sock[req.op] !== 'function') throw fail(`socket type ${e.type} has no ${req.op}()`, 'EINVAL');
      sock[req.op](...(req.topics ?? []).map((t) => Buffer.from(t, 'base64')));
      return {};
    }
    case 'setOption':
      sock[req.name] = decodeValue(req.value);
      return {};
    case 'getOption':
      return { value: encodeValue(sock[req.name]) };
    case 'events':
      return { events: e.events };
    case 'waitEvent':
      return waitEvent(e, req.type, req.count ?? 1, req.timeoutMs ?? 5000);
    case 'close':
      sock.close();
      sockets.delete(req.socket);
      return {};
    default:
      throw fail(`unknown op ${req.op}`, 'EINVAL');
  }
}

let shuttingDown = false;
function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const { sock } of sockets.values()) {
    try {
      sock.linger = 0;
      sock.close();
    } catch {
      /* ignore */
    }
  }
  sockets.clear();
  process.exit(0);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (err) {
    write({ id: null, ok: false, error: { message: `bad JSON: ${err.message}`, code: 'EINVAL' } });
    return;
  }
  Promise.resolve()
    .then(() => handle(req))
    .then(
      (result) => write({ id: req.id, ok: true, result: result ?? {} }),
      (err) =>
        write({
          id: req.id,
          ok: false,
          error: { message: err && err.message ? err.message : String(err), code: (err && err.code) || null },
        }),
    );
});
rl.on('close', shutdown);
process.on('SIGTERM', shutdown);

write({ event: 'ready', peer: 'zeromq', zmq: zmq.version, pid: process.pid });
