#!/usr/bin/env node
// A libzmq message proxy for Monocoque's interop tests, run as its own process (a separate
// script so that the zmq-peer.mjs protocol stays unchanged).
//
// Usage: node zmq-proxy.mjs '<json config>'
//   config: {"frontend": {"type": "ROUTER", "bind": "tcp://127.0.0.1:*"},
//            "backend":  {"type": "DEALER", "connect": "tcp://127.0.0.1:5555"}}
//   Each side takes `bind` (resolved endpoint reported) or `connect`; types default to
//   ROUTER (frontend) and DEALER (backend), i.e. the classic REQ/REP broker.
// stdout: {"event":"ready","zmq":"4.3.5","frontend":"tcp://127.0.0.1:40001","backend":...}
//      or {"event":"fatal","error":"..."} and exit code 1.
// Every message received on one side is sent on the other, frames unchanged (a ROUTER
// side adds / strips the routing frame as usual). The process exits when stdin closes.

let zmq;
const write = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

try {
  zmq = await import('zeromq');
} catch (err) {
  write({ event: 'fatal', error: `cannot load npm 'zeromq': ${err && err.stack ? err.stack : String(err)}` });
  process.exit(1);
}

const CLASSES = { ROUTER: zmq.Router, DEALER: zmq.Dealer, PUSH: zmq.Push, PULL: zmq.Pull, PAIR: zmq.Pair };

async function open(side, defaults) {
  const type = String(side.type ?? defaults).toUpperCase();
  const Cls = CLASSES[type];
  if (!Cls) throw new Error(`unsupported proxy socket type ${type}`);
  const sock = new Cls({ linger: 0 });
  if (side.bind) {
    await sock.bind(side.bind);
    return { sock, endpoint: sock.lastEndpoint };
  }
  if (side.connect) {
    sock.connect(side.connect);
    return { sock, endpoint: side.connect };
  }
  throw new Error(`proxy side needs bind or connect: ${JSON.stringify(side)}`);
}

async function pump(from, to) {
  try {
    for await (const msg of from) await to.send(msg);
  } catch {
    /* closed */
  }
}

let sockets = [];
try {
  const config = JSON.parse(process.argv[2] ?? '{}');
  const front = await open(config.frontend ?? { bind: 'tcp://127.0.0.1:*' }, 'ROUTER');
  const back = await open(config.backend ?? { bind: 'tcp://127.0.0.1:*' }, 'DEALER');
  sockets = [front.sock, back.sock];
  void pump(front.sock, back.sock);
  void pump(back.sock, front.sock);
  write({ event: 'ready', zmq: zmq.version, pid: process.pid, frontend: front.endpoint, backend: back.endpoint });
} catch (err) {
  write({ event: 'fatal', error: err && err.stack ? err.stack : String(err) });
  process.exit(1);
}

function shutdown() {
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      /* ignore */
    }
  }
  process.exit(0);
}
process.stdin.on('data', () => {});
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.on('SIGTERM', shutdown);
