/**
 * `@monocoque/zeromq/v5-compat` — the callback/EventEmitter API of zeromq.js 5.x, as npm
 * `zeromq` 6 offers it under `zeromq/v5-compat`, built on this package's v6 API.
 *
 * ```ts
 * import * as zmq from '@monocoque/zeromq/v5-compat';
 * const rep = zmq.socket('rep');
 * rep.bind('tcp://127.0.0.1:5555', (err) => { if (err) throw err; });
 * rep.on('message', (...frames) => rep.send(['re', ...frames]));
 * const req = zmq.socket('req');
 * req.connect('tcp://127.0.0.1:5555');
 * req.on('message', (...frames) => console.log(frames.map(String)));
 * req.send('hello');
 * ```
 *
 * Design note. Every compat socket wraps one v6 socket (imported from './index.js' and
 * nothing else, so this file runs on whatever implements the v6 API) and drives it with two
 * loops:
 * - a receive loop (all types but PUSH and PUB), started at construction, that awaits
 *   `receive()` and emits each message as `emit('message', ...frames)` on the next tick;
 *   while paused it stops after the receive in flight and holds what that one brought;
 * - a send loop that sends queued messages one at a time, in order, calling each
 *   message's callback when its `send()` settles (or emitting 'error' without one).
 * zeromq.js's v6 `send()`/`receive()` on REQ and REP wait for their turn in the lockstep
 * (RFC 28); Monocoque's reject with `EFSM` instead. The loops treat that `EFSM` as "not
 * yet": the receive loop waits for the next send, the send loop for the next message, so
 * v5 code that queues requests back to back, or replies later, behaves as with zeromq.js.
 * `send(frames, ZMQ_SNDMORE)` accumulates frames until a call without the flag.
 * Socket options keep libzmq's numeric codes (`setsockopt(zmq.ZMQ_LINGER, 0)`), a few
 * short names (`sock.linger = 0`, `createSocket('dealer', { identity: 'a' })`), and map
 * onto the v6 option properties exactly as zeromq.js's compat layer maps them, quirks
 * included (e.g. `getsockopt(ZMQ_IPV4ONLY)` is a boolean, `getsockopt(ZMQ_IPV6)` is 0/1).
 * Monitor events are those of a v6 `Observer` on the socket, renamed to the v5 names and
 * argument order `(value, address, error)`; `unmonitor()` closes that observer.
 *
 * Where zeromq.js 6.8's compat layer misbehaves we do what it evidently means, and say so:
 * - `unbindSync(address)` unbinds (zeromq.js 6.8's native `unbindSync` binds again, and
 *   fails with EADDRINUSE);
 * - `send()` on a SUB or PULL socket passes "Cannot send on this socket type." to the
 *   callback, or emits it as 'error' (zeromq.js rejects a promise nobody handles);
 * - `unmonitor()` ends the monitor quietly (zeromq.js emits an ENOTSOCK 'error').
 */
import { EventEmitter } from 'node:events';
import { context, curveKeyPair, Observer, Socket as V6Socket, version as libraryVersion } from './index.js';

// ---------------------------------------------------------------------------------------
// Constants: libzmq's numbers, under the names zeromq.js 5.x exported.

/** Socket option codes (libzmq `zmq_setsockopt`/`zmq_getsockopt`). */
export const ZMQ_AFFINITY = 4;
/** Socket option: routing id (ZMQ_ROUTING_ID's old name). */
export const ZMQ_IDENTITY = 5;
/** Socket option: add a SUB subscription. */
export const ZMQ_SUBSCRIBE = 6;
/** Socket option: remove a SUB subscription. */
export const ZMQ_UNSUBSCRIBE = 7;
/** Socket option: multicast data rate. */
export const ZMQ_RATE = 8;
/** Socket option: multicast recovery interval. */
export const ZMQ_RECOVERY_IVL = 9;
/** Socket option: multicast recovery interval (zeromq.js gives it the same code as {@link ZMQ_RECOVERY_IVL}). */
export const ZMQ_RECOVERY_IVL_MSEC = 9;
/** Socket option: kernel send buffer size. */
export const ZMQ_SNDBUF = 11;
/** Socket option: kernel receive buffer size. */
export const ZMQ_RCVBUF = 12;
/** Socket option: more frames follow (not supported in compatibility mode). */
export const ZMQ_RCVMORE = 13;
/** Socket option: file descriptor (not supported in compatibility mode). */
export const ZMQ_FD = 14;
/** Socket option: readiness bits ({@link ZMQ_POLLIN} / {@link ZMQ_POLLOUT}). */
export const ZMQ_EVENTS = 15;
/** Socket option: socket type number. */
export const ZMQ_TYPE = 16;
/** Socket option: linger period in ms. */
export const ZMQ_LINGER = 17;
/** Socket option: reconnect interval in ms. */
export const ZMQ_RECONNECT_IVL = 18;
/** Socket option: listen backlog. */
export const ZMQ_BACKLOG = 19;
/** Socket option: maximum reconnect interval in ms. */
export const ZMQ_RECONNECT_IVL_MAX = 21;
/** Socket option: largest inbound message accepted. */
export const ZMQ_MAXMSGSIZE = 22;
/** Socket option: send high-water mark. */
export const ZMQ_SNDHWM = 23;
/** Socket option: receive high-water mark. */
export const ZMQ_RCVHWM = 24;
/** Socket option: multicast hops. */
export const ZMQ_MULTICAST_HOPS = 25;
/** Socket option: receive timeout in ms. */
export const ZMQ_RCVTIMEO = 27;
/** Socket option: send timeout in ms. */
export const ZMQ_SNDTIMEO = 28;
/** Socket option: IPv4 only (inverse of {@link ZMQ_IPV6}). */
export const ZMQ_IPV4ONLY = 31;
/** Socket option: last bound endpoint. */
export const ZMQ_LAST_ENDPOINT = 32;
/** Socket option: ROUTER fails on unroutable messages. */
export const ZMQ_ROUTER_MANDATORY = 33;
/** Socket option: TCP keepalive. */
export const ZMQ_TCP_KEEPALIVE = 34;
/** Socket option: TCP keepalive probe count. */
export const ZMQ_TCP_KEEPALIVE_CNT = 35;
/** Socket option: TCP keepalive idle time. */
export const ZMQ_TCP_KEEPALIVE_IDLE = 36;
/** Socket option: TCP keepalive probe interval. */
export const ZMQ_TCP_KEEPALIVE_INTVL = 37;
/** Socket option: TCP accept filter. */
export const ZMQ_TCP_ACCEPT_FILTER = 38;
/** Socket option: queue only to completed connections (ZMQ_IMMEDIATE's old name). */
export const ZMQ_DELAY_ATTACH_ON_CONNECT = 39;
/** Socket option: XPUB passes on every subscription. */
export const ZMQ_XPUB_VERBOSE = 40;
/** Socket option: raw ROUTER (not supported in compatibility mode). */
export const ZMQ_ROUTER_RAW = 41;
/** Socket option: IPv6. */
export const ZMQ_IPV6 = 42;
/** Socket option: security mechanism (0 null, 1 plain, 2 curve, 3 gssapi). */
export const ZMQ_MECHANISM = 43;
/** Socket option: PLAIN server. */
export const ZMQ_PLAIN_SERVER = 44;
/** Socket option: PLAIN username. */
export const ZMQ_PLAIN_USERNAME = 45;
/** Socket option: PLAIN password. */
export const ZMQ_PLAIN_PASSWORD = 46;
/** Socket option: CURVE server. */
export const ZMQ_CURVE_SERVER = 47;
/** Socket option: CURVE public key. */
export const ZMQ_CURVE_PUBLICKEY = 48;
/** Socket option: CURVE secret key. */
export const ZMQ_CURVE_SECRETKEY = 49;
/** Socket option: CURVE server's public key. */
export const ZMQ_CURVE_SERVERKEY = 50;
/** Socket option: ZAP domain. */
export const ZMQ_ZAP_DOMAIN = 55;
/** Socket option: ROUTER hands an identity over to a new connection. */
export const ZMQ_ROUTER_HANDOVER = 56;
/** Socket option: heartbeat interval in ms. */
export const ZMQ_HEARTBEAT_IVL = 75;
/** Socket option: heartbeat time-to-live in ms. */
export const ZMQ_HEARTBEAT_TTL = 76;
/** Socket option: heartbeat timeout in ms. */
export const ZMQ_HEARTBEAT_TIMEOUT = 77;
/** Socket option: connect timeout in ms. */
export const ZMQ_CONNECT_TIMEOUT = 79;
/** Context option: I/O threads. */
export const ZMQ_IO_THREADS = 1;
/** Context option: maximum sockets. */
export const ZMQ_MAX_SOCKETS = 2;

/** Socket type numbers. */
export const ZMQ_PAIR = 0;
/** PUB socket type. */
export const ZMQ_PUB = 1;
/** SUB socket type. */
export const ZMQ_SUB = 2;
/** REQ socket type. */
export const ZMQ_REQ = 3;
/** REP socket type. */
export const ZMQ_REP = 4;
/** DEALER socket type. */
export const ZMQ_DEALER = 5;
/** XREQ: DEALER's old name. */
export const ZMQ_XREQ = 5;
/** ROUTER socket type. */
export const ZMQ_ROUTER = 6;
/** XREP: ROUTER's old name. */
export const ZMQ_XREP = 6;
/** PULL socket type. */
export const ZMQ_PULL = 7;
/** PUSH socket type. */
export const ZMQ_PUSH = 8;
/** XPUB socket type. */
export const ZMQ_XPUB = 9;
/** XSUB socket type. */
export const ZMQ_XSUB = 10;
/** STREAM socket type. */
export const ZMQ_STREAM = 11;

/** Poll bit: a message can be received. */
export const ZMQ_POLLIN = 1;
/** Poll bit: a message can be sent. */
export const ZMQ_POLLOUT = 2;
/** Poll bit: error. */
export const ZMQ_POLLERR = 4;
/** `send()` flag: more frames of this message follow. */
export const ZMQ_SNDMORE = 2;

/** Capability flags zeromq.js 5.x exported (all present). */
export const ZMQ_CAN_MONITOR = 1;
/** Capability: `disconnect()` exists. */
export const ZMQ_CAN_DISCONNECT = 1;
/** Capability: `unbind()` exists. */
export const ZMQ_CAN_UNBIND = 1;
/** Capability: context options can be set. */
export const ZMQ_CAN_SET_CTX = 1;

/** zeromq.js 5.x socket states (exported for compatibility; nothing reports them). */
export const STATE_READY = 0;
/** Socket state: busy. */
export const STATE_BUSY = 1;
/** Socket state: closed. */
export const STATE_CLOSED = 2;

/** Short option names usable as properties (`sock.linger = 0`) and with `setsockopt('linger', 0)`. */
const shortOptions = {
  _fd: ZMQ_FD,
  _ioevents: ZMQ_EVENTS,
  _receiveMore: ZMQ_RCVMORE,
  _subscribe: ZMQ_SUBSCRIBE,
  _unsubscribe: ZMQ_UNSUBSCRIBE,
  affinity: ZMQ_AFFINITY,
  backlog: ZMQ_BACKLOG,
  identity: ZMQ_IDENTITY,
  linger: ZMQ_LINGER,
  rate: ZMQ_RATE,
  rcvbuf: ZMQ_RCVBUF,
  last_endpoint: ZMQ_LAST_ENDPOINT,
  reconnect_ivl: ZMQ_RECONNECT_IVL,
  recovery_ivl: ZMQ_RECOVERY_IVL,
  sndbuf: ZMQ_SNDBUF,
  mechanism: ZMQ_MECHANISM,
  plain_server: ZMQ_PLAIN_SERVER,
  plain_username: ZMQ_PLAIN_USERNAME,
  plain_password: ZMQ_PLAIN_PASSWORD,
  curve_server: ZMQ_CURVE_SERVER,
  curve_publickey: ZMQ_CURVE_PUBLICKEY,
  curve_secretkey: ZMQ_CURVE_SECRETKEY,
  curve_serverkey: ZMQ_CURVE_SERVERKEY,
  zap_domain: ZMQ_ZAP_DOMAIN,
  heartbeat_ivl: ZMQ_HEARTBEAT_IVL,
  heartbeat_ttl: ZMQ_HEARTBEAT_TTL,
  heartbeat_timeout: ZMQ_HEARTBEAT_TIMEOUT,
  connect_timeout: ZMQ_CONNECT_TIMEOUT,
} as const;

/** A short option name (see {@link options}). */
export type ShortOption = keyof typeof shortOptions;

/** The short option names and their codes: `options.linger === ZMQ_LINGER`. */
export { shortOptions as options };

// ---------------------------------------------------------------------------------------
// Sockets

/** Socket type names accepted by {@link socket} / {@link createSocket}. */
export type SocketType =
  | 'pair'
  | 'req'
  | 'rep'
  | 'pub'
  | 'sub'
  | 'dealer'
  | 'xreq'
  | 'router'
  | 'xrep'
  | 'pull'
  | 'push'
  | 'xpub'
  | 'xsub'
  | 'stream';

/** Called when an operation completes: no argument on success, the error otherwise. */
export type Callback = (err?: Error) => void;

/** A frame as `send()` accepts it (strings are sent as UTF-8; see the v6 `send()`). */
export type Frame = Buffer | ArrayBufferView | ArrayBuffer | string | null | undefined | number | boolean;

/**
 * libzmq's type number for each v5 type name (`xreq`/`xrep` are DEALER/ROUTER's old names);
 * the v6 `new Socket(number)` makes the matching socket class.
 */
const typeNumbers: Record<SocketType, number> = {
  pair: ZMQ_PAIR,
  req: ZMQ_REQ,
  rep: ZMQ_REP,
  pub: ZMQ_PUB,
  sub: ZMQ_SUB,
  dealer: ZMQ_DEALER,
  xreq: ZMQ_XREQ,
  router: ZMQ_ROUTER,
  xrep: ZMQ_XREP,
  pull: ZMQ_PULL,
  push: ZMQ_PUSH,
  xpub: ZMQ_XPUB,
  xsub: ZMQ_XSUB,
  stream: ZMQ_STREAM,
};

/** The v6 socket as this module uses it: option properties are reached by name. */
type Untyped = Record<string, unknown> & {
  readonly closed: boolean;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly type: number;
  readonly lastEndpoint: string | null;
  readonly securityMechanism: string | null;
};
type Sender = { send(message: Frame[]): Promise<void> };
type Receiver = { receive(): Promise<Buffer[]> };
type Filtered = { subscribe(...topics: Array<Buffer | string>): void; unsubscribe(...topics: Array<Buffer | string>): void };

/**
 * How a libzmq option code maps onto a v6 property. `get`/`set` are false where zeromq.js's
 * compat layer answers "Unknown option" for that direction, or a message string where it
 * throws that message.
 */
interface OptionMapping {
  prop: string;
  set?: false | string | ((value: unknown) => unknown);
  get?: false | string | ((value: unknown) => unknown);
}

const bit = (v: unknown): number => (v ? 1 : 0);
const optionMap = new Map<number, OptionMapping>([
  [ZMQ_AFFINITY, { prop: 'affinity' }],
  [ZMQ_IDENTITY, { prop: 'routingId' }],
  [ZMQ_RATE, { prop: 'rate' }],
  [ZMQ_RECOVERY_IVL, { prop: 'recoveryInterval' }],
  [ZMQ_SNDBUF, { prop: 'sendBufferSize' }],
  [ZMQ_RCVBUF, { prop: 'receiveBufferSize' }],
  [ZMQ_LINGER, { prop: 'linger' }],
  [ZMQ_RECONNECT_IVL, { prop: 'reconnectInterval' }],
  [ZMQ_BACKLOG, { prop: 'backlog' }],
  [ZMQ_RECONNECT_IVL_MAX, { prop: 'reconnectMaxInterval' }],
  [ZMQ_MAXMSGSIZE, { prop: 'maxMessageSize' }],
  [ZMQ_SNDHWM, { prop: 'sendHighWaterMark' }],
  [ZMQ_RCVHWM, { prop: 'receiveHighWaterMark' }],
  [ZMQ_MULTICAST_HOPS, { prop: 'multicastHops' }],
  [ZMQ_RCVTIMEO, { prop: 'receiveTimeout' }],
  [ZMQ_SNDTIMEO, { prop: 'sendTimeout' }],
  [ZMQ_IPV4ONLY, { prop: 'ipv6', set: (v) => !v, get: (v) => !v }],
  [ZMQ_ROUTER_MANDATORY, { prop: 'mandatory', set: Boolean, get: bit }],
  [ZMQ_TCP_KEEPALIVE, { prop: 'tcpKeepalive' }],
  [ZMQ_TCP_KEEPALIVE_CNT, { prop: 'tcpKeepaliveCount' }],
  [ZMQ_TCP_KEEPALIVE_IDLE, { prop: 'tcpKeepaliveIdle' }],
  [ZMQ_TCP_KEEPALIVE_INTVL, { prop: 'tcpKeepaliveInterval' }],
  [ZMQ_TCP_ACCEPT_FILTER, { prop: 'tcpAcceptFilter', get: false }],
  [ZMQ_DELAY_ATTACH_ON_CONNECT, { prop: 'immediate', set: Boolean, get: bit }],
  [
    ZMQ_XPUB_VERBOSE,
    { prop: 'verbosity', set: (v) => (v ? 'allSubs' : null), get: 'Reading ZMQ_XPUB_VERBOSE is not supported' },
  ],
  [
    ZMQ_ROUTER_RAW,
    {
      prop: '',
      set: 'ZMQ_ROUTER_RAW is not supported in compatibility mode',
      get: 'ZMQ_ROUTER_RAW is not supported in compatibility mode',
    },
  ],
  [ZMQ_IPV6, { prop: 'ipv6', set: Boolean, get: bit }],
  [ZMQ_PLAIN_SERVER, { prop: 'plainServer', set: Boolean, get: bit }],
  [ZMQ_PLAIN_USERNAME, { prop: 'plainUsername' }],
  [ZMQ_PLAIN_PASSWORD, { prop: 'plainPassword' }],
  [ZMQ_CURVE_SERVER, { prop: 'curveServer', set: Boolean, get: bit }],
  [ZMQ_CURVE_PUBLICKEY, { prop: 'curvePublicKey' }],
  [ZMQ_CURVE_SECRETKEY, { prop: 'curveSecretKey' }],
  [ZMQ_CURVE_SERVERKEY, { prop: 'curveServerKey' }],
  [ZMQ_ZAP_DOMAIN, { prop: 'zapDomain' }],
  [ZMQ_HEARTBEAT_IVL, { prop: 'heartbeatInterval' }],
  [ZMQ_HEARTBEAT_TTL, { prop: 'heartbeatTimeToLive' }],
  [ZMQ_HEARTBEAT_TIMEOUT, { prop: 'heartbeatTimeout' }],
  [ZMQ_CONNECT_TIMEOUT, { prop: 'connectTimeout' }],
  [ZMQ_ROUTER_HANDOVER, { prop: 'handover', set: Boolean, get: false }],
  // Read-only codes, answered from the v6 socket's state (see getsockopt).
  [ZMQ_RCVMORE, { prop: '', set: false, get: 'ZMQ_RCVMORE is not supported in compatibility mode' }],
  [ZMQ_FD, { prop: '', set: false, get: 'ZMQ_FD is not supported in compatibility mode' }],
]);

/** libzmq's ZMQ_MECHANISM numbers for the v6 `securityMechanism` names. */
const mechanisms: Record<string, number> = { plain: 1, curve: 2, gssapi: 3 };

function unknownOption(): Error {
  return new Error('Unknown option');
}

/** The libzmq code for a numeric option or a short name; undefined when neither. */
function optionCode(option: number | string): number | undefined {
  if (typeof option === 'number') return option;
  return Object.prototype.hasOwnProperty.call(shortOptions, option) ? shortOptions[option as ShortOption] : undefined;
}

const nextTick = (fn: () => void): void => process.nextTick(fn);

/**
 * A zeromq.js 5.x socket: callbacks and events over one v6 socket.
 *
 * Events: `'message'` `(...frames: Buffer[])`; `'bind'`/`'unbind'` `(address)`; `'error'`
 * `(err)`; after {@link monitor}: `'connect'`, `'connect_delay'`, `'connect_retry'`,
 * `'listen'`, `'bind_error'`, `'accept'`, `'accept_error'`, `'close'`, `'close_error'`,
 * `'disconnect'`, each `(value, address, error)`.
 *
 * Besides its methods, a socket has a property per short option name (`identity`,
 * `linger`, `last_endpoint`, ... see {@link options}); assigning a string to one sets the
 * option to its UTF-8 bytes.
 */
export class Socket extends EventEmitter {
  /** Short option properties (`sock.linger`, `sock.identity`, ...) and anything else user code attaches. */
  [key: string]: any;

  /** The type name given at creation (`'req'`, `'xrep'`, ...). */
  type: SocketType;

  readonly #socket: V6Socket;
  readonly #canReceive: boolean;
  readonly #canSend: boolean;
  /** Frames of a message being assembled with ZMQ_SNDMORE. */
  #parts: Frame[] = [];
  readonly #sendQueue: Array<[Frame[], Callback | undefined]> = [];
  /** Loops waiting for the other direction to move (REQ/REP lockstep, see the loops). */
  readonly #sentWaiters: Array<() => void> = [];
  readonly #receivedWaiters: Array<() => void> = [];
  /** Messages received while paused, emitted on resume. */
  readonly #held: Buffer[][] = [];
  /** The monitor's observer, while monitoring. */
  #observer: Observer | undefined;
  #paused = false;
  #receiving = false;
  #sending = false;

  /** Create a socket of the given type name; throws for an unknown one. Prefer {@link socket}. */
  constructor(type: SocketType) {
    super();
    this.type = type;
    const number = Object.prototype.hasOwnProperty.call(typeNumbers, type) ? typeNumbers[type] : undefined;
    if (number === undefined) throw new Error(`Invalid socket type: ${String(type)}`);
    this.#socket = new V6Socket(number);
    this.#canReceive = type !== 'push' && type !== 'pub';
    this.#canSend = type !== 'pull' && type !== 'sub';
    this.#receiveLoop();
  }

  /** Whether the socket has been closed. */
  get closed(): boolean {
    return this.#socket.closed;
  }

  /** Bind to `address`; emits 'bind' then calls `cb()`, or calls `cb(err)` (emits 'error' without `cb`). */
  bind(address: string, cb?: Callback): this {
    this.#settle(this.#socket.bind(address), 'bind', address, cb);
    return this;
  }

  /** Unbind from `address`; emits 'unbind' then calls `cb()`, or calls `cb(err)` (emits 'error' without `cb`). */
  unbind(address: string, cb?: Callback): this {
    this.#settle(this.#socket.unbind(address), 'unbind', address, cb);
    return this;
  }

  /**
   * The v6 `bindSync()`: with zeromq.js it binds before returning and throws the error;
   * with this package's v6 API it starts the bind (Node.js cannot listen synchronously),
   * throws for a closed or busy socket, and reports a later failure as a process warning.
   */
  bindSync(address: string): void {
    this.#socket.bindSync(address);
  }

  /** The v6 `unbindSync()` (see {@link Socket.bindSync} for when it completes). */
  unbindSync(address: string): void {
    this.#socket.unbindSync(address);
  }

  /** Connect to `address` (in the background; throws for an invalid address). */
  connect(address: string): this {
    this.#socket.connect(address);
    return this;
  }

  /** Disconnect from `address`. */
  disconnect(address: string): this {
    this.#socket.disconnect(address);
    return this;
  }

  /**
   * Queue a message. With `flags & ZMQ_SNDMORE`, the frames are kept and more follow in the
   * next call; the message goes out with the first call without it, whose `cb` is called
   * once the v6 `send()` settles (without `cb`, a failure is emitted as 'error').
   */
  send(message: Frame | Frame[], flags?: number | null, cb?: Callback): this {
    this.#parts = this.#parts.concat(message);
    if (((flags ?? 0) & ZMQ_SNDMORE) === 0) {
      this.#sendQueue.push([this.#parts, cb]);
      this.#parts = [];
      if (!this.#paused) void this.#sendLoop();
    }
    return this;
  }

  /** Removed in compatibility mode: always throws (use `on('message', ...)`). */
  read(): never {
    throw new Error("read() has been removed from compatibility mode; use on('message', ...) instead.");
  }

  /** Stop emitting 'message' and stop sending queued messages until {@link resume}. */
  pause(): void {
    this.#paused = true;
  }

  /** Emit held messages, then resume receiving and sending. */
  resume(): void {
    this.#paused = false;
    for (const msg of this.#held.splice(0)) this.#emitMessage(msg);
    this.#receiveLoop();
    void this.#sendLoop();
  }

  /** Close the socket (pending sends are dropped after the linger period, as in libzmq). */
  close(): this {
    this.#socket.close();
    Socket.#wake(this.#sentWaiters);
    Socket.#wake(this.#receivedWaiters);
    return this;
  }

  /**
   * Emit the socket's monitor events under their v5 names, each as `(value, address, error)`:
   * `connect_retry` carries the retry interval, `*_error` events the errno and the error.
   * The arguments are ignored (all events are read), with a process warning.
   */
  monitor(interval?: number, numOfEvents?: number): this {
    if (interval || numOfEvents) {
      process.emitWarning(
        'Arguments to monitor() are ignored in compatibility mode; all events are read automatically',
      );
    }
    if (this.#observer === undefined) {
      this.#observer = new Observer(this.#socket);
      void this.#monitorLoop(this.#observer);
    }
    return this;
  }

  /** Stop monitoring (closes the monitor's observer; `monitor()` may start another). */
  unmonitor(): this {
    this.#observer?.close();
    this.#observer = undefined;
    return this;
  }

  /** SUB only: subscribe to messages starting with `filter`. */
  subscribe(filter: string | Buffer): this {
    this.#subscriber().subscribe(filter);
    return this;
  }

  /** SUB only: remove a subscription. */
  unsubscribe(filter: string | Buffer): this {
    this.#subscriber().unsubscribe(filter);
    return this;
  }

  /** Set a socket option by libzmq code (`zmq.ZMQ_LINGER`) or short name (`'linger'`). */
  setsockopt(option: number | ShortOption, value: any): this {
    const code = optionCode(option);
    const sock = this.#socket as unknown as Untyped;
    if (code === ZMQ_SUBSCRIBE || code === ZMQ_UNSUBSCRIBE) {
      const s = sock as unknown as Filtered;
      if (code === ZMQ_SUBSCRIBE) s.subscribe(value);
      else s.unsubscribe(value);
      return this;
    }
    const map = code === undefined ? undefined : optionMap.get(code);
    if (map === undefined || map.set === false) throw unknownOption();
    if (typeof map.set === 'string') throw new Error(map.set);
    sock[map.prop] = map.set === undefined ? value : map.set(value);
    return this;
  }

  /** Read a socket option by libzmq code or short name. */
  getsockopt(option: number | ShortOption): any {
    const code = optionCode(option);
    const sock = this.#socket as unknown as Untyped;
    switch (code) {
      case ZMQ_EVENTS:
        return (sock.readable ? ZMQ_POLLIN : 0) | (sock.writable ? ZMQ_POLLOUT : 0);
      case ZMQ_TYPE:
        return sock.type;
      case ZMQ_LAST_ENDPOINT:
        return sock.lastEndpoint;
      case ZMQ_MECHANISM:
        return mechanisms[sock.securityMechanism ?? ''] ?? 0;
    }
    const map = code === undefined ? undefined : optionMap.get(code);
    if (map === undefined || map.get === false) throw unknownOption();
    if (typeof map.get === 'string') throw new Error(map.get);
    const value = sock[map.prop];
    return map.get === undefined ? value : map.get(value);
  }

  #subscriber(): Filtered {
    if (this.#socket.type !== ZMQ_SUB) throw new Error('Subscriber socket required');
    return this.#socket as unknown as Filtered;
  }

  #settle(op: Promise<void>, event: 'bind' | 'unbind', address: string, cb: Callback | undefined): void {
    op.then(
      () =>
        nextTick(() => {
          this.emit(event, address);
          cb?.();
        }),
      (err: Error) =>
        nextTick(() => {
          if (cb) cb(err);
          else this.emit('error', err);
        }),
    );
  }

  #emitMessage(msg: Buffer[]): void {
    nextTick(() => this.emit('message', ...msg));
  }

  /** Wait until the send loop sends a message (or the socket closes). */
  #afterSend(): Promise<void> {
    return new Promise((resolve) => this.#sentWaiters.push(resolve));
  }

  /** Wait until the receive loop receives a message (or the socket closes). */
  #afterReceive(): Promise<void> {
    return new Promise((resolve) => this.#receivedWaiters.push(resolve));
  }

  static #wake(waiters: Array<() => void>): void {
    for (const wake of waiters.splice(0)) wake();
  }

  /**
   * Receive until closed or paused; a message that arrives once paused is held for
   * resume(). `EFSM` (a REQ with no request out, a REP that owes a reply) is the lockstep
   * saying "not yet": the loop waits for the next send, as zeromq.js's receive() waits.
   */
  #receiveLoop(): void {
    if (!this.#canReceive || this.#receiving) return;
    this.#receiving = true;
    const sock = this.#socket as unknown as Receiver & { closed: boolean };
    const step = async (): Promise<void> => {
      while (!sock.closed && !this.#paused) {
        let msg: Buffer[];
        try {
          msg = await sock.receive();
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === 'EFSM' && !sock.closed) {
            await this.#afterSend();
          } else if (!sock.closed && code !== 'EBUSY') {
            // A close cancels the pending receive; EBUSY is a receive already in progress.
            nextTick(() => this.emit('error', err));
          }
          continue;
        }
        if (this.#paused) {
          this.#held.push(msg);
          Socket.#wake(this.#receivedWaiters);
        } else {
          // A send waiting for this reply goes after the 'message' event, as in zeromq.js.
          nextTick(() => {
            this.emit('message', ...msg);
            Socket.#wake(this.#receivedWaiters);
          });
        }
      }
    };
    void step().finally(() => {
      this.#receiving = false;
    });
  }

  /**
   * Send queued messages in order until closed, paused or empty. `EFSM` (a REQ whose
   * previous request awaits its reply, a REP with no request to answer) waits for the next
   * received message and tries again, as zeromq.js's send() waits.
   */
  async #sendLoop(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    try {
      while (!this.#socket.closed && !this.#paused && this.#sendQueue.length > 0) {
        const [msg, cb] = this.#sendQueue[0]!;
        try {
          if (!this.#canSend) throw new Error('Cannot send on this socket type.');
          await (this.#socket as unknown as Sender).send(msg);
        } catch (err) {
          if ((err as { code?: unknown }).code === 'EFSM' && !this.#socket.closed) {
            await this.#afterReceive();
            continue;
          }
          this.#sendQueue.shift();
          Socket.#wake(this.#sentWaiters);
          if (cb) cb(err as Error);
          else this.emit('error', err);
          continue;
        }
        this.#sendQueue.shift();
        Socket.#wake(this.#sentWaiters);
        cb?.();
      }
    } finally {
      this.#sending = false;
    }
  }

  async #monitorLoop(events: Observer): Promise<void> {
    while (!events.closed) {
      let event: { type: string; address?: string; interval?: number; error?: Error & { errno?: number } };
      try {
        event = (await events.receive()) as typeof event;
      } catch (err) {
        // unmonitor() ends the observer: that is not an error (zeromq.js 6.8 emits its
        // cancelled receive as an ENOTSOCK 'error', which kills a program without a listener).
        if (!this.#socket.closed && !events.closed) this.emit('error', err);
        continue;
      }
      let name: string;
      let value: number | undefined;
      let error: Error | undefined;
      switch (event.type) {
        case 'connect':
        case 'accept':
        case 'close':
        case 'disconnect':
          name = event.type;
          break;
        case 'connect:delay':
          name = 'connect_delay';
          break;
        case 'connect:retry':
          name = 'connect_retry';
          value = event.interval;
          break;
        case 'bind':
          name = 'listen';
          break;
        case 'bind:error':
        case 'accept:error':
        case 'close:error':
          name = event.type.replace(':', '_');
          error = event.error;
          value = event.error?.errno ?? 0;
          break;
        case 'end':
          return;
        default:
          continue; // handshake events and the like have no v5 name
      }
      this.emit(name, value, event.address, error);
    }
  }
}

// Short option properties: reading calls getsockopt, assigning calls setsockopt (strings as UTF-8 bytes).
for (const name of Object.keys(shortOptions) as ShortOption[]) {
  if (Object.prototype.hasOwnProperty.call(Socket.prototype, name)) continue;
  Object.defineProperty(Socket.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: Socket) {
      return this.getsockopt(shortOptions[name]);
    },
    set(this: Socket, value: unknown) {
      this.setsockopt(shortOptions[name], typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
    },
  });
}

/**
 * Create a socket of type `type` and apply `options`: each key is assigned as a property,
 * so short option names (`{ identity: 'a', linger: 0 }`) set socket options.
 */
export function createSocket(type: SocketType, options: { [key: string]: any } = {}): Socket {
  const sock = new Socket(type);
  for (const key of Object.keys(options)) sock[key] = options[key];
  return sock;
}

export { createSocket as socket };

/** A new CURVE key pair as Z85 strings: `{ public, secret }`. */
export function curveKeypair(): { public: string; secret: string } {
  const { publicKey, secretKey } = curveKeyPair();
  return { public: publicKey, secret: secretKey };
}

/**
 * Forward messages between two sockets, in the pairs zeromq.js's compat layer supports:
 * `push/pull`, `pull/push`, `xpub/xsub`, `router/dealer` (or `xrep/xreq`). Messages from
 * the backend also go to `capture` when given (for router/dealer without the first two
 * frames, the routing envelope). Throws for any other pair.
 */
export function proxy(frontend: Socket, backend: Socket, capture?: Socket): void {
  let strip: number;
  switch (`${frontend.type}/${backend.type}`) {
    case 'push/pull':
    case 'pull/push':
    case 'xpub/xsub':
      strip = 0;
      break;
    case 'router/dealer':
    case 'xrep/xreq':
      strip = 2;
      break;
    default:
      throw new Error('This socket type order is not supported in compatibility mode');
  }
  frontend.on('message', (...frames: Buffer[]) => backend.send(frames));
  backend.on('message', (...frames: Buffer[]) => {
    frontend.send(frames);
    capture?.send(strip === 0 ? frames : frames.slice(strip));
  });
}

/** zeromq.js 5.x's `zmq.Context`: static accessors for the shared context; cannot be instantiated. */
export class Context {
  /** Set the shared context's I/O thread count. */
  static setMaxThreads(value: number): void {
    context.ioThreads = value;
  }

  /** The shared context's I/O thread count. */
  static getMaxThreads(): number {
    return context.ioThreads;
  }

  /** Set the shared context's socket limit. */
  static setMaxSockets(value: number): void {
    context.maxSockets = value;
  }

  /** The shared context's socket limit. */
  static getMaxSockets(): number {
    return context.maxSockets;
  }

  /** Always throws: there is one shared context in compatibility mode. */
  constructor() {
    throw new Error('Context cannot be instantiated in compatibility mode');
  }
}

/** The libzmq version the v6 API reports (e.g. "4.3.5"). */
export const version: string = libraryVersion;

/**
 * The whole API as one object, for `import zmq from '@monocoque/zeromq/v5-compat'` (what an
 * ES module gets from the CommonJS `zeromq/v5-compat`).
 */
const v5 = {
  Context,
  Socket,
  createSocket,
  socket: createSocket,
  curveKeypair,
  proxy,
  version,
  options: shortOptions,
  ZMQ_AFFINITY,
  ZMQ_IDENTITY,
  ZMQ_SUBSCRIBE,
  ZMQ_UNSUBSCRIBE,
  ZMQ_RATE,
  ZMQ_RECOVERY_IVL,
  ZMQ_RECOVERY_IVL_MSEC,
  ZMQ_SNDBUF,
  ZMQ_RCVBUF,
  ZMQ_RCVMORE,
  ZMQ_FD,
  ZMQ_EVENTS,
  ZMQ_TYPE,
  ZMQ_LINGER,
  ZMQ_RECONNECT_IVL,
  ZMQ_BACKLOG,
  ZMQ_RECONNECT_IVL_MAX,
  ZMQ_MAXMSGSIZE,
  ZMQ_SNDHWM,
  ZMQ_RCVHWM,
  ZMQ_MULTICAST_HOPS,
  ZMQ_RCVTIMEO,
  ZMQ_SNDTIMEO,
  ZMQ_IPV4ONLY,
  ZMQ_LAST_ENDPOINT,
  ZMQ_ROUTER_MANDATORY,
  ZMQ_TCP_KEEPALIVE,
  ZMQ_TCP_KEEPALIVE_CNT,
  ZMQ_TCP_KEEPALIVE_IDLE,
  ZMQ_TCP_KEEPALIVE_INTVL,
  ZMQ_TCP_ACCEPT_FILTER,
  ZMQ_DELAY_ATTACH_ON_CONNECT,
  ZMQ_XPUB_VERBOSE,
  ZMQ_ROUTER_RAW,
  ZMQ_IPV6,
  ZMQ_MECHANISM,
  ZMQ_PLAIN_SERVER,
  ZMQ_PLAIN_USERNAME,
  ZMQ_PLAIN_PASSWORD,
  ZMQ_CURVE_SERVER,
  ZMQ_CURVE_PUBLICKEY,
  ZMQ_CURVE_SECRETKEY,
  ZMQ_CURVE_SERVERKEY,
  ZMQ_ZAP_DOMAIN,
  ZMQ_ROUTER_HANDOVER,
  ZMQ_HEARTBEAT_IVL,
  ZMQ_HEARTBEAT_TTL,
  ZMQ_HEARTBEAT_TIMEOUT,
  ZMQ_CONNECT_TIMEOUT,
  ZMQ_IO_THREADS,
  ZMQ_MAX_SOCKETS,
  ZMQ_PAIR,
  ZMQ_PUB,
  ZMQ_SUB,
  ZMQ_REQ,
  ZMQ_REP,
  ZMQ_DEALER,
  ZMQ_XREQ,
  ZMQ_ROUTER,
  ZMQ_XREP,
  ZMQ_PULL,
  ZMQ_PUSH,
  ZMQ_XPUB,
  ZMQ_XSUB,
  ZMQ_STREAM,
  ZMQ_POLLIN,
  ZMQ_POLLOUT,
  ZMQ_POLLERR,
  ZMQ_SNDMORE,
  ZMQ_CAN_MONITOR,
  ZMQ_CAN_DISCONNECT,
  ZMQ_CAN_UNBIND,
  ZMQ_CAN_SET_CTX,
  STATE_READY,
  STATE_BUSY,
  STATE_CLOSED,
};
export default v5;
