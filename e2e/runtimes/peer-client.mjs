// A plain-JavaScript client for the libzmq peer process (`e2e/peers/zmq-peer.mjs`), for
// scripts that run outside Vitest and outside Node (Bun, Deno). Same newline-delimited JSON
// protocol as `e2e/helpers/peer.ts`; only what `interop.mjs` needs. The peer itself always
// runs under Node, since npm `zeromq` cannot load under Bun.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('../peers/zmq-peer.mjs', import.meta.url));
const E2E_DIR = fileURLToPath(new URL('..', import.meta.url));

const b64 = (frames) => frames.map((f) => Buffer.from(f).toString('base64'));

/** The Node binary that runs the peer: `MONOCOQUE_PEER_NODE`, else ours under Node, else `node` on PATH. */
function nodeBinary() {
  if (process.env.MONOCOQUE_PEER_NODE) return process.env.MONOCOQUE_PEER_NODE;
  const isNode = !globalThis.Bun && !globalThis.Deno;
  return isNode ? process.execPath : 'node';
}

/** Start a peer process; resolves once it reports that libzmq loaded, rejects loudly otherwise. */
export async function startPeer(timeoutMs = 15_000) {
  const child = spawn(nodeBinary(), [PEER], { cwd: E2E_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map();
  let nextId = 1;
  let stderr = '';
  let exitInfo = null;
  let onReady;
  const ready = new Promise((resolve, reject) => (onReady = { resolve, reject }));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      const err = new Error(`libzmq peer (pid ${child.pid}) exited with ${exitInfo}; stderr: ${stderr.trim() || '(empty)'}`);
      onReady.reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      resolve();
    }),
  );
  child.once('error', (err) => onReady.reject(new Error(`cannot start libzmq peer (${nodeBinary()}): ${err.message}`)));
  child.stdin.on('error', () => {}); // EPIPE after the peer died; reported through 'exit'
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.stdout.setEncoding('utf8');
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) onLine(JSON.parse(line));
    }
  });
  function onLine(msg) {
    if (msg.event === 'ready') return onReady.resolve();
    if (msg.event === 'fatal') return onReady.reject(new Error(`libzmq peer failed to start: ${msg.error}`));
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result ?? {});
    else p.reject(Object.assign(new Error(`libzmq peer '${p.op}' failed: ${msg.error?.message}`), { code: msg.error?.code }));
  }

  function request(op, args = {}, ms = 10_000) {
    if (exitInfo) return Promise.reject(new Error(`libzmq peer already exited with ${exitInfo}`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`libzmq peer did not answer '${op}' within ${ms} ms; stderr: ${stderr.trim()}`));
      }, ms);
      const done = (fn) => (v) => (clearTimeout(timer), fn(v));
      pending.set(id, { op, resolve: done(resolve), reject: done(reject) });
      child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  const timer = setTimeout(() => onReady.reject(new Error(`libzmq peer not ready within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }

  const stop = async (how) => {
    if (exitInfo) return;
    if (how === 'kill') child.kill('SIGKILL');
    else child.stdin.end();
    const force = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(force);
  };

  return {
    pid: child.pid,
    /** A socket in the peer: `type` is PAIR/PUB/SUB/..., `options` use zeromq.js names. */
    async socket(type, options = {}) {
      const opts = { linger: 0, ...options };
      if (opts.subscribe !== undefined) opts.subscribe = { $b64: Buffer.from(opts.subscribe).toString('base64') };
      const { socket } = await request('socket', { type, options: opts });
      const req = (op, args, ms) => request(op, { socket, ...args }, ms);
      return {
        bind: async (endpoint) => (await req('bind', { endpoint })).endpoint,
        connect: (endpoint, options) => req('connect', { endpoint, options }),
        send: (frames) => req('send', { frames: b64(frames) }),
        /** Up to `count` messages within `ms` (never throws on timeout). */
        receiveUpTo: async (count, ms) => {
          const r = await req('receive', { count, timeoutMs: ms }, ms + 10_000);
          return r.messages.map((m) => m.map((f) => Buffer.from(f, 'base64')));
        },
        /** Exactly one message within `ms`, or throws. */
        async receive(ms = 5000) {
          const [m] = await this.receiveUpTo(1, ms);
          if (!m) throw new Error(`libzmq ${type}: no message within ${ms} ms`);
          return m;
        },
        close: () => req('close'),
      };
    },
    /** Ask the peer to exit (stdin closes); SIGKILL after 2 s. */
    close: () => stop('close'),
    /** SIGKILL the peer and wait until it is gone: a crashed peer. */
    kill: () => stop('kill'),
  };
}
