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
//   events      {}                              -> {events: [{type, address, error?, interval?}]}  (all seen so far)
//   waitEvent   {type, count?, timeoutMs}       -> {events}    (fails with ETIMEDOUT)
//   close       {}                              -> {}
//   exit        {}                              -> {}          then the process exits
//
// Security (no "socket" needed):
//   curveKeyPair {}                             -> {publicKey, secretKey}  (Z85, from this peer's libzmq)
//   zap         {rules, clear?}                 -> {}          start the in-process ZAP handler, or replace its rules
//   zapRequests {clear?}                        -> {requests: [[base64]]}  every ZAP request seen so far
//
// Option values and getOption results that are binary are encoded as {"$b64": "..."}.
// Security options are plain zeromq.js socket properties: curveServer, curvePublicKey,
// curveSecretKey, curveServerKey (Z85 strings or {"$b64"} 32-byte keys), plainServer,
// plainUsername, plainPassword, zapDomain, zapEnforceDomain, handshakeInterval (ms).
//
// Event errors: {message, code, status?, errno?}. `handshake:error:auth` carries the ZAP
// status (300/400/500) as `status`; `handshake:error:protocol` a code such as
// ERR_ZMTP_MECHANISM_MISMATCH; `handshake:error:other` (and the other *:error events) an
// errno name as `code` and its number as `errno`.
//
// The ZAP handler (RFC 27) is a ROUTER bound at inproc://zeromq.zap.01 in the default
// context, which every socket this peer makes shares, so libzmq consults it for every
// PLAIN and CURVE server socket (and NULL ones with a zapDomain). `rules` decide the reply:
//   status?: "200"|"300"|"400"|"500"   forced answer, the other rules are then ignored
//   denyAddresses?: [ip]               400 when the request's address is listed
//   allowAddresses?: [ip]              400 when the address is not listed
//   plain?: {user: password}           PLAIN: 400 unless the username/password pair matches
//   curveKeys?: [z85]                  CURVE: 400 unless the client key is listed (absent: any key)
//   userId?: string                    user id in 200 replies (default: PLAIN username,
//                                      CURVE client key in Z85, else empty)
//   metadata?: {name: value}           metadata frame of 200 replies (ZMTP property encoding)
// Everything else gets 200. Replies echo the request id with version "1.0". Each request is
// recorded as its frames after the ROUTER envelope (routing id + empty delimiter), i.e.
// [version, request id, domain, address, identity, mechanism, ...credentials].
// Socket types: PAIR PUB SUB REQ REP DEALER ROUTER PULL PUSH XPUB XSUB STREAM, and RADIO DISH (draft).
//
// ---- Draft socket types (libzmq 4.3 draft API, via `zeromq/draft`) ----
// SERVER CLIENT SCATTER GATHER (zeromq.js's draft classes) and CHANNEL (type 20 through
// zeromq.js's generic Socket; zeromq.js has no class for it). PEER (19) is not offered:
// zeromq.js attaches a routing id to sends and receives only for SERVER and has no
// zmq_connect_peer, so a PEER could neither address nor identify anyone.
//   send     {frames, routingId?}  SERVER: the routing id to send to (zeromq.js's send(msg, {routingId}))
//   receive  -> {messages, metas}  metas[i]: the metadata object zeromq.js returned after the frames of
//                                  message i (SERVER: {routingId}), binary values as {"$b64"}; null if none
// ---- end draft socket types ----
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

// ---- RADIO/DISH (libzmq draft sockets, RFC 48), from zeromq/draft ----
// Ops (on a RADIO or DISH socket):
//   sendGroup    {frames: [base64], group: base64, timeoutMs?} -> {}   RADIO send(body, {group})
//   join / leave {groups: [base64]}                             -> {}   DISH; fails with EINVAL like libzmq
//   receiveGroup {count, timeoutMs}  -> {messages: [{frames: [base64], group: base64}], timedOut}  DISH
const radioDish = await import('zeromq/draft.js');
CLASSES.RADIO = radioDish.Radio;
CLASSES.DISH = radioDish.Dish;
NO_SEND.add('DISH');
NO_RECEIVE.add('RADIO');
const RADIO_DISH_OPS = new Set(['sendGroup', 'join', 'leave', 'receiveGroup']);

async function radioDishOp(e, req) {
  const sock = e.sock;
  switch (req.op) {
    case 'sendGroup':
      return chain(e, 'sendChain', async () => {
        const frames = (req.frames ?? []).map((f) => Buffer.from(f, 'base64'));
        const prev = sock.sendTimeout;
        if (req.timeoutMs != null) sock.sendTimeout = Math.max(0, Math.floor(req.timeoutMs));
        try {
          await sock.send(frames.length === 1 ? frames[0] : frames, { group: Buffer.from(req.group ?? '', 'base64') });
        } finally {
          if (!sock.closed && req.timeoutMs != null) sock.sendTimeout = prev;
        }
        return {};
      });
    case 'join':
    case 'leave':
      if (typeof sock[req.op] !== 'function') throw fail(`socket type ${e.type} has no ${req.op}()`, 'EINVAL');
      sock[req.op](...(req.groups ?? []).map((g) => Buffer.from(g, 'base64')));
      return {};
    case 'receiveGroup':
      return chain(e, 'recvChain', async () => {
        const deadline = Date.now() + Math.max(0, req.timeoutMs ?? 5000);
        const prev = sock.receiveTimeout;
        const messages = [];
        let timedOut = false;
        try {
          while (messages.length < (req.count ?? 1)) {
            const remaining = deadline - Date.now();
            if (remaining <= 0) {
              timedOut = true;
              break;
            }
            sock.receiveTimeout = Math.max(1, remaining);
            try {
              const [body, meta] = await sock.receive();
              messages.push({ frames: [Buffer.from(body).toString('base64')], group: Buffer.from(meta.group).toString('base64') });
            } catch (err) {
              if (err && err.code === 'EAGAIN') {
                timedOut = true;
                break;
              }
              throw err;
            }
          }
        } finally {
          if (!sock.closed) sock.receiveTimeout = prev;
        }
        return { messages, timedOut };
      });
  }
  throw fail(`unknown op ${req.op}`, 'EINVAL');
}
// ---- end RADIO/DISH ----

// ---- Draft socket types (SERVER/CLIENT, SCATTER/GATHER, CHANNEL) ----
// Loaded on first use only: importing zeromq/draft prints an "experimental" warning, and
// peers that make no draft socket should run exactly as before.
const DRAFT_TYPES = new Set(['SERVER', 'CLIENT', 'SCATTER', 'GATHER', 'CHANNEL']);
async function loadDraftTypes() {
  if (CLASSES.SERVER) return;
  const draft = await import('zeromq/draft.js');
  // CHANNEL: zeromq.js has no class; make one on its generic Socket, with the send/receive
  // options Pair has (zeromq.js defines those per class, not on Socket).
  class Channel extends zmq.Socket {
    constructor(options) {
      super(20, options);
    }
  }
  for (const [name, desc] of Object.entries(Object.getOwnPropertyDescriptors(zmq.Pair.prototype))) {
    if (name !== 'constructor' && !(name in Channel.prototype)) Object.defineProperty(Channel.prototype, name, desc);
  }
  Object.assign(CLASSES, { SERVER: draft.Server, CLIENT: draft.Client, SCATTER: draft.Scatter, GATHER: draft.Gather, CHANNEL: Channel });
  NO_SEND.add('GATHER');
  NO_RECEIVE.add('SCATTER');
}
// ---- end draft socket types ----

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
          if (ev.error.status !== undefined) rec.error.status = ev.error.status;
          if (ev.error.errno !== undefined) rec.error.errno = ev.error.errno;
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

async function doSend(e, frames, timeoutMs, routingId) {
  const msg = frames.map((f) => Buffer.from(f, 'base64'));
  if (typeof e.sock.send !== 'function' || NO_SEND.has(e.type)) throw fail(`socket type ${e.type} cannot send`, 'ENOTSUP');
  const prev = e.sock.sendTimeout;
  if (timeoutMs !== undefined && timeoutMs !== null) e.sock.sendTimeout = Math.max(0, Math.floor(timeoutMs));
  try {
    // Draft SERVER: the routing id travels in send()'s second argument.
    if (routingId !== undefined && routingId !== null) await e.sock.send(msg, { routingId });
    else await e.sock.send(msg);
  } finally {
    if (!e.sock.closed && timeoutMs !== undefined && timeoutMs !== null) e.sock.sendTimeout = prev;
  }
}

async function doReceive(e, count, timeoutMs) {
  if (typeof e.sock.receive !== 'function' || NO_RECEIVE.has(e.type)) throw fail(`socket type ${e.type} cannot receive`, 'ENOTSUP');
  const deadline = Date.now() + Math.max(0, timeoutMs);
  const prev = e.sock.receiveTimeout;
  const messages = [];
  const metas = []; // draft types: the metadata object after the frames (SERVER {routingId}), else null
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
        const last = msg[msg.length - 1];
        const meta = last && !(last instanceof Uint8Array) ? msg.pop() : null;
        metas.push(meta && Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, encodeValue(v)])));
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
  return { messages, metas, timedOut };
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

// ---- ZAP handler (RFC 27) ----

const Z85_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/** Z85-encode a buffer whose length is a multiple of 4 (a CURVE key: 32 bytes -> 40 chars). */
function z85(buf) {
  let out = '';
  for (let i = 0; i + 4 <= buf.length; i += 4) {
    let v = buf.readUInt32BE(i);
    const chunk = new Array(5);
    for (let j = 4; j >= 0; j--) {
      chunk[j] = Z85_CHARS[v % 85];
      v = Math.floor(v / 85);
    }
    out += chunk.join('');
  }
  return out;
}

/** ZMTP property list: name length (1 byte), name, value length (u32 BE), value. */
function encodeMetadata(meta) {
  const parts = [];
  for (const [name, value] of Object.entries(meta ?? {})) {
    const n = Buffer.from(name);
    const v = Buffer.from(String(value));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(v.length);
    parts.push(Buffer.from([n.length]), n, len, v);
  }
  return Buffer.concat(parts);
}

const zap = { sock: null, rules: {}, requests: [] };

/** Decide [status, text, userId, metadata] for one request (frames from version on). */
function zapAnswer(frames, rules) {
  const [, , , addressB, , mechB, ...creds] = frames;
  const address = addressB.toString();
  const mechanism = mechB.toString();
  if (rules.status) return [String(rules.status), 'forced by test', '', Buffer.alloc(0)];
  if (rules.denyAddresses && rules.denyAddresses.includes(address)) return ['400', 'address denied', '', Buffer.alloc(0)];
  if (rules.allowAddresses && !rules.allowAddresses.includes(address)) {
    return ['400', 'address not allowed', '', Buffer.alloc(0)];
  }
  let user = '';
  if (mechanism === 'PLAIN') {
    user = (creds[0] ?? Buffer.alloc(0)).toString();
    const pass = (creds[1] ?? Buffer.alloc(0)).toString();
    if (rules.plain && rules.plain[user] !== pass) return ['400', 'invalid username or password', '', Buffer.alloc(0)];
  } else if (mechanism === 'CURVE') {
    user = z85(creds[0] ?? Buffer.alloc(0));
    if (rules.curveKeys && !rules.curveKeys.includes(user)) return ['400', 'unknown client key', '', Buffer.alloc(0)];
  }
  return ['200', 'OK', rules.userId ?? user, encodeMetadata(rules.metadata)];
}

async function zapLoop(sock) {
  try {
    for await (const msg of sock) {
      const delim = msg.findIndex((f) => f.length === 0);
      const envelope = msg.slice(0, delim + 1);
      const frames = msg.slice(delim + 1).map((f) => Buffer.from(f));
      zap.requests.push(frames.map((f) => f.toString('base64')));
      if (frames.length < 6) continue; // not a ZAP request; libzmq never sends one
      const [status, text, userId, metadata] = zapAnswer(frames, zap.rules);
      await sock.send([...envelope, '1.0', frames[1], status, text, userId, metadata]);
    }
  } catch {
    /* socket closed */
  }
}

async function startZap(rules, clear) {
  zap.rules = rules ?? {};
  if (clear) zap.requests = [];
  if (zap.sock) return;
  const sock = new zmq.Router();
  sock.linger = 0;
  await sock.bind('inproc://zeromq.zap.01');
  zap.sock = sock;
  zapLoop(sock);
}

async function handle(req) {
  switch (req.op) {
    case 'ping':
      return { zmq: zmq.version };
    case 'curveKeyPair': {
      const { publicKey, secretKey } = zmq.curveKeyPair();
      return { publicKey, secretKey };
    }
    case 'zap':
      await startZap(req.rules, req.clear);
      return {};
    case 'zapRequests': {
      const requests = zap.requests;
      if (req.clear) zap.requests = [];
      return { requests };
    }
    case 'socket':
      if (DRAFT_TYPES.has(String(req.type).toUpperCase())) await loadDraftTypes(); // draft socket types
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
      await chain(e, 'sendChain', () => doSend(e, req.frames ?? [], req.timeoutMs, req.routingId));
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
      if (RADIO_DISH_OPS.has(req.op)) return radioDishOp(e, req);
      throw fail(`unknown op ${req.op}`, 'EINVAL');
  }
}

let shuttingDown = false;
function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  if (zap.sock) {
    try {
      zap.sock.close();
    } catch {
      /* ignore */
    }
  }
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
