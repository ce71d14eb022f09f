/**
 * Drives a real ZeroMQ peer (libzmq via npm `zeromq`, or optionally pyzmq) that runs in a
 * separate process, over the newline-delimited JSON protocol described in
 * `e2e/peers/zmq-peer.mjs`.
 *
 *   const peer = await spawnZmqPeer();              // fails loudly if libzmq cannot load
 *   const router = await peer.socket('ROUTER', { routingId: 'r', linger: 0 });
 *   const ep = await router.bind('tcp://127.0.0.1:*'); // resolved, e.g. tcp://127.0.0.1:40231
 *   await peer.connect(ep);                         // peer-level calls use the last socket made
 *   const msgs = await router.receive(1, 5000);     // Buffer[][]; throws on timeout
 *   await peer.close();                             // kills the process for sure
 *
 * Every request is bounded by a timeout; when the process dies, pending requests reject
 * with its exit status and the tail of its stderr.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export type SocketType =
  | 'PAIR'
  | 'PUB'
  | 'SUB'
  | 'REQ'
  | 'REP'
  | 'DEALER'
  | 'ROUTER'
  | 'PULL'
  | 'PUSH'
  | 'XPUB'
  | 'XSUB'
  | 'STREAM'
  | 'RADIO'
  | 'DISH'
  // ---- draft socket types (SERVER/CLIENT, SCATTER/GATHER, CHANNEL; zeromq.js has no PEER) ----
  | 'SERVER'
  | 'CLIENT'
  | 'SCATTER'
  | 'GATHER'
  | 'CHANNEL';
  // ---- end draft socket types ----

export type Frame = string | Buffer | Uint8Array;
export type Message = Frame | Frame[];

/** Options applied to the peer's socket after creation (zeromq.js v6 property names). */
export interface PeerSocketOptions {
  routingId?: string | Buffer;
  linger?: number;
  /** SUB: topics to subscribe to right after creation. */
  subscribe?: Frame | Frame[];
  mandatory?: boolean;
  handover?: boolean;
  immediate?: boolean;
  ipv6?: boolean;
  sendHighWaterMark?: number;
  receiveHighWaterMark?: number;
  maxMessageSize?: number;
  reconnectInterval?: number;
  /** ZMQ_CURVE_SERVER: act as CURVE server (also needs `curveSecretKey`). */
  curveServer?: boolean;
  /** ZMQ_CURVE_PUBLICKEY / SECRETKEY / SERVERKEY: Z85 strings (40 chars) or 32-byte keys. */
  curvePublicKey?: string | Buffer;
  curveSecretKey?: string | Buffer;
  curveServerKey?: string | Buffer;
  /** ZMQ_PLAIN_SERVER: act as PLAIN server. */
  plainServer?: boolean;
  /** ZMQ_PLAIN_USERNAME / PASSWORD: make this socket a PLAIN client. */
  plainUsername?: string;
  plainPassword?: string;
  /** ZMQ_ZAP_DOMAIN: sent in ZAP requests; for NULL sockets, non-empty turns ZAP on. */
  zapDomain?: string;
  /** ZMQ_ZAP_ENFORCE_DOMAIN (libzmq 4.3 opt-in strict mode). */
  zapEnforceDomain?: boolean;
  /** ZMQ_HANDSHAKE_IVL in ms (libzmq default 30 000; 0 = no limit). */
  handshakeInterval?: number;
  [name: string]: unknown;
}

export interface PeerEvent {
  type: string;
  address: string | null;
  /**
   * Present on `*:error` events. `handshake:error:auth`: `status` is the ZAP status code
   * (300/400/500). `handshake:error:protocol`: `code` is e.g. `ERR_ZMTP_MECHANISM_MISMATCH`.
   * `handshake:error:other` and the socket-level errors: `code`/`errno` name the errno.
   */
  error?: { message: string; code: string | null; status?: number; errno?: number };
  interval?: number;
  /** pyzmq peer only: libzmq's raw monitor event value. */
  value?: number;
}

/** ZAP status code (RFC 27). */
export type ZapStatus = '200' | '300' | '400' | '500';

/**
 * Rules for the peer's in-process ZAP handler (see `ZmqPeer.zap`). Checked in this order;
 * a request that passes every rule given gets 200.
 */
export interface ZapRules {
  /** Answer every request with this status, ignoring the other rules. */
  status?: ZapStatus;
  /** 400 for requests from these addresses (as libzmq reports them, e.g. `127.0.0.1`). */
  denyAddresses?: string[];
  /** 400 for requests from any address not listed. */
  allowAddresses?: string[];
  /** PLAIN: 400 unless `plain[username] === password`. Absent: any username/password. */
  plain?: Record<string, string>;
  /** CURVE: 400 unless the client's long-term public key (Z85) is listed. Absent: any key. */
  curveKeys?: string[];
  /** User id of 200 replies. Default: the PLAIN username, the CURVE client key (Z85), else empty. */
  userId?: string;
  /** Metadata properties of 200 replies (ZMTP property encoding on the wire). */
  metadata?: Record<string, string>;
}

/**
 * One ZAP request as the peer's handler got it: the frames after the ROUTER envelope,
 * `[version, requestId, domain, address, identity, mechanism, ...credentials]`.
 */
export type ZapRequest = Buffer[];

export type PeerKind = 'zeromq' | 'pyzmq';

export interface SpawnOptions {
  /** Which peer implementation: npm `zeromq` (default) or Debian's python3-zmq. */
  kind?: PeerKind;
  /** How long the process may take to report ready. Default 15 s. */
  startupTimeoutMs?: number;
  /** Default bound for requests without their own timeout. Default 10 s. */
  requestTimeoutMs?: number;
}

/** Error from the peer process: `code` is libzmq's (EHOSTUNREACH, EAGAIN, ...) when known. */
export class PeerError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'PeerError';
  }
}

const peersDir = fileURLToPath(new URL('../peers/', import.meta.url));
const e2eDir = fileURLToPath(new URL('../', import.meta.url));
/**
 * The interpreter for the pyzmq peer: $MONOCOQUE_E2E_PYTHON, else Debian's /usr/bin/python3
 * (where apt's python3-zmq lives; a pyenv `python3` on PATH would not see it), else python3.
 */
const PYTHON = process.env.MONOCOQUE_E2E_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function toBuffer(f: Frame): Buffer {
  if (typeof f === 'string') return Buffer.from(f, 'utf8');
  if (Buffer.isBuffer(f)) return f;
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

function encodeFrames(msg: Message): string[] {
  const frames = Array.isArray(msg) ? msg : [msg];
  return frames.map((f) => toBuffer(f).toString('base64'));
}

function encodeOption(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $b64: toBuffer(v).toString('base64') };
  if (Array.isArray(v)) return v.map(encodeOption);
  return v;
}

function decodeOption(v: unknown): unknown {
  if (v && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string') {
    return Buffer.from((v as { $b64: string }).$b64, 'base64');
  }
  return v;
}

/** Short description of received messages for failure messages (first and last 3). */
function summarize(msgs: Buffer[][]): string {
  const one = (m: Buffer[]) => `[${m.map((f) => `${f.length}B:${f.subarray(0, 12).toString('hex')}`).join(' | ')}]`;
  if (msgs.length <= 6) return msgs.map(one).join(', ') || '(none)';
  return `${msgs.slice(0, 3).map(one).join(', ')}, … ${msgs.length - 6} more …, ${msgs.slice(-3).map(one).join(', ')}`;
}

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  op: string;
}

const livePeers = new Set<ZmqPeer>();

/** Result of the availability probe for the optional pyzmq peer. */
export function pyzmqAvailability(): { available: true; version: string } | { available: false; reason: string } {
  const r = spawnSync(PYTHON, ['-c', 'import zmq; print(zmq.zmq_version(), zmq.__version__)'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.error) return { available: false, reason: `${PYTHON} not runnable: ${r.error.message}` };
  if (r.status !== 0) {
    return {
      available: false,
      reason: `python3-zmq not installed (apt-get install -y python3-zmq): ${r.stderr.trim().split('\n').pop()}`,
    };
  }
  return { available: true, version: r.stdout.trim() };
}

/** Spawn a peer process and wait until it reports that libzmq loaded. Rejects loudly otherwise. */
export async function spawnZmqPeer(options: SpawnOptions = {}): Promise<ZmqPeer> {
  const kind = options.kind ?? 'zeromq';
  const startupTimeoutMs = options.startupTimeoutMs ?? 15_000;
  const script = kind === 'zeromq' ? `${peersDir}zmq-peer.mjs` : `${peersDir}pyzmq-peer.py`;
  if (!existsSync(script)) throw new Error(`peer script missing: ${script}`);
  const child =
    kind === 'zeromq'
      ? spawn(process.execPath, [script], { cwd: e2eDir, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(PYTHON, ['-u', script], { cwd: e2eDir, stdio: ['pipe', 'pipe', 'pipe'] });
  const peer = new ZmqPeer(kind, child, options.requestTimeoutMs ?? 10_000);
  livePeers.add(peer);
  try {
    await peer.ready(startupTimeoutMs);
  } catch (err) {
    await peer.close();
    throw err;
  }
  return peer;
}

/** Kill every peer spawned by this worker that is still alive (use in afterEach/afterAll). */
export async function closeAllPeers(): Promise<void> {
  await Promise.all([...livePeers].map((p) => p.close()));
}

export class ZmqPeer {
  /** libzmq version reported by the peer, e.g. `4.3.5`. */
  zmqVersion = '';
  readonly pid: number | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderrTail = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readyWaiter: { resolve(): void; reject(e: Error): void } | null = null;
  private readonly exitPromise: Promise<void>;
  private current: PeerSocket | null = null;
  private readonly sockets: PeerSocket[] = [];

  constructor(
    readonly kind: PeerKind,
    private readonly child: ChildProcess,
    private readonly defaultTimeoutMs: number,
  ) {
    this.pid = child.pid;
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        livePeers.delete(this);
        const err = new Error(`zmq peer (${kind}, pid ${this.pid}) exited: ${this.describeExit()}`);
        this.readyWaiter?.reject(err);
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`${err.message} while waiting for '${p.op}'`));
        }
        this.pending.clear();
        resolve();
      });
    });
    child.once('error', (err) => {
      this.stderrTail += `\nspawn error: ${err.message}`;
      this.readyWaiter?.reject(new Error(`cannot start zmq peer (${kind}): ${err.message}`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-4000);
    });
    child.stdin!.on('error', () => {
      /* EPIPE after the peer died; reported through 'exit' */
    });
    const rl = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    rl.on('line', (line) => this.onLine(line));
  }

  private describeExit(): string {
    const ex = this.exited;
    const status = ex ? (ex.signal ? `signal ${ex.signal}` : `code ${ex.code}`) : 'still running';
    return `${status}; stderr: ${this.stderrTail.trim() || '(empty)'}`;
  }

  /** @internal */
  ready(timeoutMs: number): Promise<void> {
    if (this.exited) return Promise.reject(new Error(`zmq peer exited before ready: ${this.describeExit()}`));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiter = null;
        reject(new Error(`zmq peer (${this.kind}) not ready within ${timeoutMs} ms; stderr: ${this.stderrTail}`));
      }, timeoutMs);
      this.readyWaiter = {
        resolve: () => {
          clearTimeout(timer);
          this.readyWaiter = null;
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          this.readyWaiter = null;
          reject(e);
        },
      };
    });
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let msg: {
      event?: string;
      error?: unknown;
      zmq?: string;
      id?: number | null;
      ok?: boolean;
      result?: Record<string, unknown>;
    };
    try {
      msg = JSON.parse(line);
    } catch {
      this.stderrTail += `\n[non-JSON stdout] ${line.slice(0, 200)}`;
      return;
    }
    if (msg.event === 'ready') {
      this.zmqVersion = String(msg.zmq ?? '');
      this.readyWaiter?.resolve();
      return;
    }
    if (msg.event === 'fatal') {
      this.readyWaiter?.reject(new Error(`zmq peer (${this.kind}) failed to start: ${String(msg.error)}`));
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result ?? {});
    else {
      const e = (msg.error ?? {}) as { message?: string; code?: string | null };
      p.reject(new PeerError(`zmq peer '${p.op}' failed: ${e.message ?? 'unknown error'}`, e.code ?? null));
    }
  }

  /** Send one raw request; resolves with its `result`. Bounded by `timeoutMs`. */
  request(op: string, args: Record<string, unknown> = {}, timeoutMs = this.defaultTimeoutMs): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error(`zmq peer already exited: ${this.describeExit()}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`zmq peer did not answer '${op}' within ${timeoutMs} ms; stderr: ${this.stderrTail}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, op });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** A fresh CURVE key pair (Z85) made by the peer's own libzmq (`zmq_curve_keypair`). */
  async curveKeyPair(): Promise<{ publicKey: string; secretKey: string }> {
    const r = await this.request('curveKeyPair');
    return { publicKey: r.publicKey as string, secretKey: r.secretKey as string };
  }

  /**
   * Start the peer's ZAP handler (a ROUTER at `inproc://zeromq.zap.01` in the context its
   * sockets share), or replace its rules when it runs already. Every PLAIN and CURVE server
   * socket of the peer (and NULL ones with a `zapDomain`) then asks it. Start it before
   * the connection handshakes it should judge. `clear` also forgets recorded requests.
   */
  async zap(rules: ZapRules = {}, opts: { clear?: boolean } = {}): Promise<void> {
    await this.request('zap', { rules, clear: opts.clear ?? false });
  }

  /** Every ZAP request the peer's handler has seen, oldest first. `clear` forgets them. */
  async zapRequests(opts: { clear?: boolean } = {}): Promise<ZapRequest[]> {
    const r = await this.request('zapRequests', { clear: opts.clear ?? false });
    return (r.requests as string[][]).map((m) => m.map((f) => Buffer.from(f, 'base64')));
  }

  /** Create a socket in the peer; it becomes the target of the peer-level shortcuts below. */
  async socket(type: SocketType, options: PeerSocketOptions = {}): Promise<PeerSocket> {
    const opts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) continue;
      if (k === 'subscribe') {
        const topics = Array.isArray(v) ? v : [v];
        opts[k] = topics.map((t) => encodeOption(toBuffer(t as Frame)));
      } else opts[k] = encodeOption(v);
    }
    const r = await this.request('socket', { type, options: opts });
    const s = new PeerSocket(this, r.socket as number, type);
    this.current = s;
    this.sockets.push(s);
    return s;
  }

  private cur(): PeerSocket {
    if (!this.current) throw new Error('zmq peer: call peer.socket(type) first');
    return this.current;
  }

  // Shortcuts on the most recently created socket.
  bind(endpoint: string): Promise<string> {
    return this.cur().bind(endpoint);
  }
  unbind(endpoint: string): Promise<void> {
    return this.cur().unbind(endpoint);
  }
  connect(endpoint: string, options?: { routingId?: string | Buffer }): Promise<void> {
    return this.cur().connect(endpoint, options);
  }
  disconnect(endpoint: string): Promise<void> {
    return this.cur().disconnect(endpoint);
  }
  send(msg: Message, opts?: { timeoutMs?: number }): Promise<void> {
    return this.cur().send(msg, opts);
  }
  receive(count = 1, timeoutMs = 5000): Promise<Buffer[][]> {
    return this.cur().receive(count, timeoutMs);
  }
  receiveUpTo(count: number, timeoutMs: number): Promise<Buffer[][]> {
    return this.cur().receiveUpTo(count, timeoutMs);
  }
  expectNoMessage(timeoutMs = 200): Promise<void> {
    return this.cur().expectNoMessage(timeoutMs);
  }

  /**
   * Send a signal to the process, e.g. `SIGSTOP`/`SIGCONT` to freeze and thaw it (its
   * sockets stay open, it just stops answering). Throws when the process already exited.
   */
  signal(sig: NodeJS.Signals): void {
    if (this.exited) throw new Error(`zmq peer already exited, cannot send ${sig}: ${this.describeExit()}`);
    if (!this.child.kill(sig)) throw new Error(`could not send ${sig} to zmq peer pid ${this.pid}`);
  }

  /** Kill the process abruptly (SIGKILL) and wait until it is gone: a crashed peer. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await Promise.race([this.exitPromise, new Promise<void>((r) => setTimeout(r, 5000).unref())]);
  }

  /** Ask the peer to exit; SIGKILL it if it has not within 2 s. Idempotent, never throws. */
  async close(): Promise<void> {
    if (this.exited) return;
    try {
      this.child.stdin!.write(`${JSON.stringify({ id: 0, op: 'exit' })}\n`);
      this.child.stdin!.end();
    } catch {
      /* already gone */
    }
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    const hardStop = new Promise<void>((r) => setTimeout(r, 5000).unref());
    await Promise.race([this.exitPromise, hardStop]);
    clearTimeout(killTimer);
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

export class PeerSocket {
  constructor(
    readonly peer: ZmqPeer,
    readonly handle: number,
    readonly type: SocketType,
  ) {}

  private req(op: string, args: Record<string, unknown> = {}, timeoutMs?: number) {
    return this.peer.request(op, { socket: this.handle, ...args }, timeoutMs);
  }

  /** Bind; resolves with the resolved endpoint (ZMQ_LAST_ENDPOINT, real port for `:*`). */
  async bind(endpoint: string): Promise<string> {
    const r = await this.req('bind', { endpoint });
    return r.endpoint as string;
  }
  async unbind(endpoint: string): Promise<void> {
    await this.req('unbind', { endpoint });
  }
  /** Start connecting (libzmq connects in the background); resolves once the call is made. */
  async connect(endpoint: string, options?: { routingId?: string | Buffer }): Promise<void> {
    await this.req('connect', { endpoint, options: options ? encodeOption(options) : undefined });
  }
  async disconnect(endpoint: string): Promise<void> {
    await this.req('disconnect', { endpoint });
  }
  /**
   * Send one multipart message. Without `timeoutMs` the peer's send may wait indefinitely
   * (bounded here by the request timeout); with it, libzmq's sendTimeout applies and an
   * EAGAIN/EHOSTUNREACH rejection carries `code`.
   */
  async send(msg: Message, opts: { timeoutMs?: number } = {}): Promise<void> {
    const bound = (opts.timeoutMs ?? 0) + 10_000;
    await this.req('send', { frames: encodeFrames(msg), timeoutMs: opts.timeoutMs }, bound);
  }
  /**
   * Send `count` messages in one request: each is `msg` plus a last frame holding the
   * sequence number 0..count-1 as a big-endian u32. Bounded by `timeoutMs` in total.
   */
  async sendMany(msg: Message, count: number, timeoutMs = 20_000): Promise<void> {
    await this.req('sendMany', { frames: encodeFrames(msg), count }, timeoutMs);
  }
  // ---- draft socket types: routing ids (SERVER) ----
  /** SERVER: send a single-part message to the peer with `routingId` (zeromq.js's `send(msg, { routingId })`). */
  async sendTo(routingId: number, msg: Message, opts: { timeoutMs?: number } = {}): Promise<void> {
    const bound = (opts.timeoutMs ?? 0) + 10_000;
    await this.req('send', { frames: encodeFrames(msg), timeoutMs: opts.timeoutMs, routingId }, bound);
  }
  /**
   * Receive exactly `count` messages with the metadata zeromq.js's draft sockets return
   * after the frames (SERVER: `{ routingId }`); `meta` is null for the other types.
   */
  async receiveWithMeta(count = 1, timeoutMs = 5000): Promise<Array<{ frames: Buffer[]; meta: Record<string, unknown> | null }>> {
    const r = await this.req('receive', { count, timeoutMs }, timeoutMs + 10_000);
    const messages = (r.messages as string[][]).map((m) => m.map((f) => Buffer.from(f, 'base64')));
    if (messages.length < count) {
      throw new Error(`zmq peer ${this.type}: expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}: ${summarize(messages)}`);
    }
    const metas = (r.metas as Array<Record<string, unknown> | null> | undefined) ?? [];
    return messages.map((frames, i) => {
      const meta = metas[i] ?? null;
      return { frames, meta: meta && Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, decodeOption(v)])) };
    });
  }
  // ---- end draft socket types ----

  /** Receive exactly `count` messages within `timeoutMs` or throw (with what did arrive). */
  async receive(count = 1, timeoutMs = 5000): Promise<Buffer[][]> {
    const msgs = await this.receiveUpTo(count, timeoutMs);
    if (msgs.length < count) {
      throw new Error(
        `zmq peer ${this.type}: expected ${count} message(s) within ${timeoutMs} ms, got ${msgs.length}: ${summarize(msgs)}`,
      );
    }
    return msgs;
  }
  /** Receive up to `count` messages, stopping at `timeoutMs`; never throws on timeout. */
  async receiveUpTo(count: number, timeoutMs: number): Promise<Buffer[][]> {
    const r = await this.req('receive', { count, timeoutMs }, timeoutMs + 10_000);
    return (r.messages as string[][]).map((m) => m.map((f) => Buffer.from(f, 'base64')));
  }
  /** Assert that nothing arrives within `timeoutMs`. */
  async expectNoMessage(timeoutMs = 200): Promise<void> {
    const msgs = await this.receiveUpTo(1, timeoutMs);
    if (msgs.length > 0) {
      throw new Error(`zmq peer ${this.type}: expected no message, got ${summarize(msgs)}`);
    }
  }
  async subscribe(...topics: Frame[]): Promise<void> {
    await this.req('subscribe', { topics: topics.map((t) => toBuffer(t).toString('base64')) });
  }
  async unsubscribe(...topics: Frame[]): Promise<void> {
    await this.req('unsubscribe', { topics: topics.map((t) => toBuffer(t).toString('base64')) });
  }
  async setOption(name: string, value: unknown): Promise<void> {
    await this.req('setOption', { name, value: encodeOption(value) });
  }
  async getOption(name: string): Promise<unknown> {
    const r = await this.req('getOption', { name });
    return decodeOption(r.value);
  }
  /** Every monitor event seen so far (zeromq.js names: accept, connect, handshake, ...). */
  async events(): Promise<PeerEvent[]> {
    const r = await this.req('events');
    return r.events as PeerEvent[];
  }
  /** Wait until `count` events of `type` have been seen in total; throws on timeout. */
  async waitForEvent(type: string, count = 1, timeoutMs = 5000): Promise<PeerEvent[]> {
    const r = await this.req('waitEvent', { type, count, timeoutMs }, timeoutMs + 10_000);
    return r.events as PeerEvent[];
  }
  async close(): Promise<void> {
    await this.req('close');
  }

  // ---- RADIO/DISH (draft, zeromq/draft's Radio and Dish) ----
  /** RADIO: send `body` to `group` (zeromq.js `send(body, { group })`; libzmq refuses multipart with EINVAL). */
  async sendGroup(body: Message, group: Frame, opts: { timeoutMs?: number } = {}): Promise<void> {
    const bound = (opts.timeoutMs ?? 0) + 10_000;
    await this.req('sendGroup', { frames: encodeFrames(body), group: toBuffer(group).toString('base64'), timeoutMs: opts.timeoutMs }, bound);
  }
  /** DISH: join groups (libzmq: EINVAL for a joined group or one over 255 bytes). */
  async join(...groups: Frame[]): Promise<void> {
    await this.req('join', { groups: groups.map((g) => toBuffer(g).toString('base64')) });
  }
  /** DISH: leave groups (libzmq: EINVAL for a group not joined). */
  async leave(...groups: Frame[]): Promise<void> {
    await this.req('leave', { groups: groups.map((g) => toBuffer(g).toString('base64')) });
  }
  /** DISH: receive up to `count` messages as `{ body, group }`, stopping at `timeoutMs`; never throws on timeout. */
  async receiveGroupUpTo(count: number, timeoutMs: number): Promise<Array<{ body: Buffer; group: Buffer }>> {
    const r = await this.req('receiveGroup', { count, timeoutMs }, timeoutMs + 10_000);
    return (r.messages as Array<{ frames: string[]; group: string }>).map((m) => ({
      body: Buffer.from(m.frames[0]!, 'base64'),
      group: Buffer.from(m.group, 'base64'),
    }));
  }
  /** DISH: receive exactly `count` messages within `timeoutMs` or throw (with what did arrive). */
  async receiveGroup(count = 1, timeoutMs = 5000): Promise<Array<{ body: Buffer; group: Buffer }>> {
    const msgs = await this.receiveGroupUpTo(count, timeoutMs);
    if (msgs.length < count) {
      const got = msgs.map((m) => `${m.group.toString()}: ${m.body.toString()}`).join(', ');
      throw new Error(`zmq peer ${this.type}: expected ${count} message(s) within ${timeoutMs} ms, got ${msgs.length}: [${got}]`);
    }
    return msgs;
  }
  // ---- end RADIO/DISH ----
}
