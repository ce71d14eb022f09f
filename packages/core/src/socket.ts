/**
 * The socket base every pattern extends (libzmq's socket_base_t, shaped like zeromq.js v6).
 *
 * This module is the public API and the pattern contract only; the work lives beside it:
 * endpoints.ts (listeners, connecters, reconnection), pipe.ts (per-peer queues),
 * connection.ts (ZMTP over a stream), waiters.ts (pending calls), options.ts (strict
 * options), events.ts (the monitor), inproc.ts, scheduler.ts and keepalive.ts.
 *
 * A pattern implements routing through hooks and never overrides `send`/`receive`:
 * - `attachPipe`/`detachPipe`: a peer joins or leaves; `onPipeConnected`: an attached
 *   pipe got a (new) connection; `onPipeCommand`: SUBSCRIBE/CANCEL and the like.
 * - `sendMessage`/`receiveMessage`: route one message out, produce one for the app.
 * - admission: `admitSend`/`admitReceive` refuse a call (throw: EFSM, ENOTSUP), and
 *   `sendAbandoned` says an admitted send will never be routed (timeout, close, error).
 *
 * Pending `send()` calls queue in order and are retried whenever a pipe gets room;
 * pending `receive()` calls are served in order as messages arrive. Neither fails with
 * EBUSY (zeromq.js allows one of each; this is a deliberate difference).
 */
import { type Command, type SocketType, ZmqError } from '@monocoque/zmtp';
import type { ConnectionFactory } from './connection.js';
import { BoundEndpoint, Connecter, type EndpointHost } from './endpoints.js';
import { parseEndpoint } from './endpoint.js';
import { type SocketEvent, SocketEvents } from './events.js';
import { type InprocPeer, inprocBind, inprocCancelConnect, inprocConnect, inprocUnbind } from './inproc.js';
import { type MessageLike, toFrames } from './message.js';
import {
  BASE_OPTIONS,
  type OptionHost,
  type OptionSpec,
  OptionTable,
  type OptionValues,
  type SocketOptions,
  defineOptionAccessors,
  toRoutingId,
} from './options.js';
import type { InprocPipe, Message, Pipe, StreamPipe } from './pipe.js';
import { FairQueue } from './routing.js';
import { debug, debugEnabled, describeEvent } from './debug.js';
import { afterTurn, completed, flushNow, receiveMustYield } from './scheduler.js';
import { getDefaultTransport } from './transport-registry.js';
import type { StreamEndpoint, Transport } from './transport.js';
import { type Waiter, Waiters } from './waiters.js';

interface PendingSend extends Waiter<void> {
  frames: Buffer[];
  options: unknown;
}

/** Options of one `connect()` call. */
export interface ConnectOptions {
  /** ROUTER only: the routing id to give this peer, so it can be addressed before it says anything (`ZMQ_CONNECT_ROUTING_ID`). */
  routingId?: string | Uint8Array;
}

const tables = new WeakMap<readonly OptionSpec[], OptionTable>();
const prototypes = new WeakSet<object>();
const NO_PATTERN_OPTIONS: readonly OptionSpec[] = [];

function tableFor(patternOptions: readonly OptionSpec[]): OptionTable {
  let table = tables.get(patternOptions);
  if (table === undefined) tables.set(patternOptions, (table = new OptionTable(BASE_OPTIONS, patternOptions)));
  return table;
}

function closedError(what: string): ZmqError {
  return new ZmqError('EBADF', `cannot ${what}: the socket is closed`);
}

/** A pending call cancelled by `close()`: EAGAIN, as zeromq.js (the call "was not possible"). */
function cancelledError(what: string): ZmqError {
  return new ZmqError('EAGAIN', `${what} cancelled: the socket was closed while the call was waiting`);
}

/**
 * Base class of every socket type. Not used directly: construct a `Dealer`, `Router`, ...
 * from its package.
 *
 * @typeParam In - what `receive()` resolves with: a multipart {@link Message} for the
 *   standard socket types; draft types that attach metadata (a SERVER's routing id, a
 *   DISH's group) resolve with `[payload, metadata]` as zeromq.js's draft sockets do.
 * @typeParam SendArgs - the arguments `send()`/`write()` take after the message: none for
 *   the standard types, e.g. `[{ routingId: number }]` for a SERVER.
 */
export abstract class Socket<In = Message, SendArgs extends unknown[] = []> implements AsyncIterable<In>, OptionHost {
  /** The socket type, as announced to peers. */
  readonly type: SocketType;
  /** Connection life-cycle events (the monitor; zeromq.js's `Observer`). */
  readonly events = new SocketEvents();
  /** Fair queue over inbound pipes, for patterns that fair-queue. */
  protected readonly fairQueue = new FairQueue();

  private _closed = false;
  private _lastEndpoint: string | null = null;
  private readonly table: OptionTable;
  private readonly values: OptionValues;
  private readonly pipes = new Set<Pipe>();
  private readonly bound = new Map<string, BoundEndpoint>();
  private readonly connecters = new Map<string, Connecter>();
  private readonly inprocBound = new Set<string>();
  private readonly inprocConnected = new Map<string, Set<InprocPipe>>();
  private readonly pendingSends = new Waiters<PendingSend>();
  private readonly pendingReceives = new Waiters<Waiter<In>>();
  private readonly socketType: SocketType;
  private readonly host: EndpointHost & InprocPeer;
  private pumpingSends = false;
  private flushWaiters: Array<() => void> = [];
  private writeError: ZmqError | undefined;
  private warned: Set<string> | undefined;

  /**
   * @param type the socket type announced to peers
   * @param options constructor options; unknown names and wrong types throw `EINVAL`
   * @param patternOptions the pattern's own option specs (validated like the base ones)
   */
  protected constructor(type: SocketType, options: SocketOptions = {}, patternOptions: readonly OptionSpec[] = NO_PATTERN_OPTIONS) {
    this.type = type;
    this.socketType = type;
    // Read-only; configurable so that a facade subclass can present libzmq's number instead.
    Object.defineProperty(this, 'type', { value: type, writable: false, enumerable: true, configurable: true });
    this.table = tableFor(patternOptions);
    const proto = Object.getPrototypeOf(this) as object;
    if (!prototypes.has(proto)) {
      defineOptionAccessors(proto, patternOptions);
      prototypes.add(proto);
    }
    this.values = this.table.resolve(options, type);
    this.host = this.makeHost();
  }

  // ---------------------------------------------------------------- options

  /**
   * Make the socket non-extensible, as zeromq.js sockets are, so that assigning a
   * misspelt option (`sock.lingr = 0`) throws instead of silently creating a property.
   * Each socket class calls this at the end of its constructor with itself; subclasses of
   * it stay extensible.
   */
  protected sealAs(cls: abstract new (...args: never[]) => unknown): void {
    if (this.constructor === cls) Object.preventExtensions(this);
  }

  /**
   * The security mechanism new connections use, as zeromq.js names it: `null` (NULL),
   * `"plain"` or `"curve"` (or an explicit mechanism object's name, lower-cased).
   */
  get securityMechanism(): string | null {
    const v = this.values;
    if (v.mechanism !== undefined) return v.mechanism.name === 'NULL' ? null : v.mechanism.name.toLowerCase();
    return v.security === 'NULL' ? null : v.security.toLowerCase();
  }

  /** Read an option by name (the same as reading the property). Throws `EINVAL` for unknown names. */
  getOption(name: string): unknown {
    if (!this.table.specs.has(name)) this.table.check(name, undefined, this.socketType);
    const value = this.values.get(name);
    if (name === 'routingId') return (value as Buffer | null)?.toString('utf8') ?? null;
    return value;
  }

  /** Set an option by name (the same as assigning the property); validated, and applied as documented per option. */
  setOption(name: string, value: unknown): void {
    const v = this.table.check(name, value, this.socketType);
    const spec = this.table.specs.get(name)!;
    this.values.set(name, v);
    this.values.noteSecurity(name, v);
    this.onOptionChange(name, v);
    if (spec.applies !== 'now' && (this.pipes.size > 0 || this.connecters.size > 0 || this.bound.size > 0)) {
      this.warnLater(name, spec.applies === 'bind' ? 'the next bind()' : 'the next connection');
    }
    if (name === 'sendHighWaterMark' || name === 'receiveHighWaterMark') {
      for (const pipe of this.pipes) pipe.hwmChanged();
      if (this.pendingSends.length > 0) this.wakeSenders();
    }
  }

  /** Set several options at once (each validated as by `setOption`). */
  setOptions(options: SocketOptions): void {
    for (const [name, value] of Object.entries(options)) this.setOption(name, value);
  }

  private warnLater(name: string, when: string): void {
    this.warned ??= new Set();
    if (this.warned.has(name)) return;
    this.warned.add(name);
    process.emitWarning(`${this.socketType} socket option ${name} was changed after bind/connect; it takes effect from ${when}`, {
      code: 'MONOCOQUE_OPTION_LATER',
    });
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this._closed;
  }

  /** The endpoint most recently bound, with the real port for `tcp://host:*`; null before any bind. */
  get lastEndpoint(): string | null {
    return this._lastEndpoint;
  }

  /** Whether a message can be received right now without waiting. */
  get readable(): boolean {
    return !this._closed && this.hasIncoming();
  }

  /** Whether a message can be sent right now without waiting. */
  get writable(): boolean {
    return !this._closed && this.pendingSends.length === 0 && this.hasOutgoing();
  }

  // ---------------------------------------------------------------- endpoints

  /**
   * Bind to an endpoint and accept connections on it. Resolves once listening; rejects
   * with `EADDRINUSE`, `EINVAL`, ... when it cannot (and emits `bind:error`).
   */
  async bind(address: string): Promise<void> {
    this.assertOpen();
    let endpoint: ReturnType<typeof parseEndpoint>;
    try {
      endpoint = parseEndpoint(address, true);
    } catch (error) {
      this.host.emitEvent({ type: 'bind:error', address: String(address), error: error as ZmqError });
      throw error;
    }
    if (endpoint.protocol === 'inproc') {
      inprocBind(endpoint.name, this.host);
      this.inprocBound.add(endpoint.name);
      this._lastEndpoint = address;
      this.host.emitEvent({ type: 'bind', address });
      return;
    }
    const b = new BoundEndpoint(this.host, address);
    try {
      this.values.securityMechanism(this.socketType);
      await b.listen(this.pickTransport(), this.values.ipv6 ? withIpv6(endpoint) : endpoint);
    } catch (error) {
      const err = error instanceof ZmqError ? error : new ZmqError('EINVAL', `bind ${address} failed: ${String(error)}`, { cause: error, address });
      this.host.emitEvent({ type: 'bind:error', address, error: err });
      throw err;
    }
    if (this._closed) {
      await b.close();
      throw new ZmqError('EBADF', `bind ${address} failed: the socket was closed while binding`, { address });
    }
    this.bound.set(b.resolved, b);
    this._lastEndpoint = b.resolved;
    this.host.emitEvent({ type: 'bind', address: b.resolved });
  }

  /** Stop listening on an endpoint (the address given to `bind` or the resolved one) and close its connections. */
  async unbind(address: string): Promise<void> {
    this.assertOpen();
    const endpoint = parseEndpoint(address, true);
    if (endpoint.protocol === 'inproc') {
      if (!this.inprocBound.delete(endpoint.name) || !inprocUnbind(endpoint.name, this.host)) {
        throw new ZmqError('ENOENT', `unbind ${address} failed: not bound on this socket`, { address });
      }
      this.host.emitEvent({ type: 'close', address });
      return;
    }
    const b = this.bound.get(address) ?? [...this.bound.values()].find((x) => x.requested === address);
    if (b === undefined) throw new ZmqError('ENOENT', `unbind ${address} failed: not bound on this socket`, { address });
    this.bound.delete(b.resolved);
    b.dropConnections();
    await b.close();
  }

  /**
   * Connect to an endpoint. Returns at once: the peer's pipe exists from now on (unless
   * `immediate`), so messages sent now are queued and delivered once connected. The
   * connection is made in the background and re-made whenever it is lost. Throws
   * synchronously on an invalid endpoint.
   */
  connect(address: string, options: ConnectOptions = {}): void {
    this.assertOpen();
    const endpoint = parseEndpoint(address, false);
    let routingId: Buffer | undefined;
    if (options.routingId !== undefined) {
      if (!this.acceptsConnectRoutingId) {
        throw new ZmqError('ENOTSUP', `connect ${address}: a routingId for the peer is only supported by ROUTER sockets, not ${this.socketType}`, { address });
      }
      routingId = toRoutingId(options.routingId, 'connect routingId');
    }
    if (endpoint.protocol === 'inproc') {
      if (!this.inprocConnected.has(endpoint.name)) this.inprocConnected.set(endpoint.name, new Set());
      inprocConnect(endpoint.name, this.host, routingId);
      return;
    }
    if (this.connecters.has(address)) {
      throw new ZmqError('EINVAL', `connect ${address} failed: already connected to this endpoint`, { address });
    }
    this.values.securityMechanism(this.socketType); // incomplete security options fail here, not later per connection
    const connecter = new Connecter(this.host, address, endpoint, this.pickTransport(), routingId);
    this.connecters.set(address, connecter);
    if (!connecter.start()) {
      this.connecters.delete(address);
      throw new ZmqError('EINVAL', `connect ${address} failed: this ${this.socketType} socket accepts no further peer`, { address });
    }
  }

  /** Stop connecting to an endpoint; queued messages are still delivered within the linger. */
  disconnect(address: string): void {
    this.assertOpen();
    const endpoint = parseEndpoint(address, false);
    if (endpoint.protocol === 'inproc') {
      inprocCancelConnect(endpoint.name, this.host);
      const pipes = this.inprocConnected.get(endpoint.name);
      if (pipes === undefined) throw new ZmqError('ENOENT', `disconnect ${address} failed: not connected on this socket`, { address });
      this.inprocConnected.delete(endpoint.name);
      for (const pipe of pipes) pipe.close(0);
      return;
    }
    const connecter = this.connecters.get(address);
    if (connecter === undefined) throw new ZmqError('ENOENT', `disconnect ${address} failed: not connected on this socket`, { address });
    this.connecters.delete(address);
    connecter.terminate(this.values.linger);
  }

  /**
   * Close the socket: stop listening and connecting, reject pending `send()`/`receive()`
   * calls with `EAGAIN` (as zeromq.js; calls made after `close()` reject with `EBADF`),
   * and terminate every pipe. Messages already queued are still
   * delivered (connections in progress are completed for them) unless `linger` is 0;
   * a positive linger bounds that in milliseconds. The monitor emits `end`.
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const linger = this.values.linger;
    flushNow();
    this.pendingSends.cancelAll(() => this.adaptError(cancelledError('send')));
    this.pendingReceives.cancelAll(() => this.adaptError(cancelledError('receive')));
    for (const connecter of this.connecters.values()) connecter.terminate(linger);
    this.connecters.clear();
    const listeners = [...this.bound.values()].map((b) => b.close());
    this.bound.clear();
    for (const name of this.inprocBound) inprocUnbind(name, this.host);
    for (const name of this.inprocConnected.keys()) inprocCancelConnect(name, this.host);
    for (const pipe of [...this.pipes]) pipe.close(linger);
    for (const waiter of this.flushWaiters) waiter();
    this.flushWaiters = [];
    // The monitor ends after the listeners reported `close` (as libzmq's do).
    const end = () => this.host.emitEvent({ type: 'end', address: this._lastEndpoint ?? '' });
    if (listeners.length === 0) end();
    else void Promise.all(listeners).then(end);
  }

  // ---------------------------------------------------------------- messaging

  /**
   * Send a message (a frame, or an array of frames for multipart). Resolves when the
   * message is queued on a peer's pipe — at once when there is room. While no peer can
   * take it, the call waits (up to `sendTimeout`, then `EAGAIN`); later sends queue
   * behind it in order. Buffers are sent by reference: do not modify them afterwards.
   */
  send(message: MessageLike, ...args: SendArgs): Promise<void> {
    if (this._closed) return Promise.reject(this.adaptError(closedError('send')));
    const options = args[0];
    let frames: Buffer[];
    try {
      frames = toFrames(message);
      this.admitSend();
    } catch (error) {
      return Promise.reject(this.adaptError(error as ZmqError));
    }
    if (this.pendingSends.length === 0) {
      try {
        if (this.sendMessage(frames, options)) return completed();
      } catch (error) {
        this.sendAbandoned();
        return Promise.reject(this.adaptError(error as ZmqError));
      }
    }
    const timeout = this.values.sendTimeout;
    if (timeout === 0) {
      this.sendAbandoned();
      return Promise.reject(this.adaptError(new ZmqError('EAGAIN', `cannot send now: no ${this.socketType} peer can take the message (sendTimeout is 0)`)));
    }
    return new Promise<void>((resolve, reject) => {
      const abandon = (error: ZmqError) => {
        this.sendAbandoned();
        reject(error);
      };
      this.pendingSends.add({ frames, options, resolve, reject: abandon, timer: undefined }, timeout, () =>
        this.adaptError(new ZmqError('EAGAIN', `send timed out after ${timeout} ms: no ${this.socketType} peer could take the message`)),
      );
    });
  }

  /**
   * Queue a message without waiting (the batching API). Returns true when the message was
   * handed to a peer's pipe; false when it was queued behind the high-water mark — like a
   * Node stream, keep the result as a hint to `await flush()` before writing more.
   */
  write(message: MessageLike, ...args: SendArgs): boolean {
    this.assertOpen();
    const options = args[0];
    let frames: Buffer[];
    try {
      frames = toFrames(message);
      this.admitSend();
    } catch (error) {
      throw this.adaptError(error as ZmqError);
    }
    if (this.pendingSends.length === 0) {
      try {
        if (this.sendMessage(frames, options)) return true;
      } catch (error) {
        this.sendAbandoned();
        throw this.adaptError(error as ZmqError);
      }
    }
    this.pendingSends.add({ frames, options, resolve: noop, reject: this.recordWriteError, timer: undefined }, -1, () => new ZmqError('EAGAIN', 'unreachable'));
    return false;
  }

  private readonly recordWriteError = (error: ZmqError): void => {
    this.sendAbandoned();
    this.writeError ??= error;
  };

  /**
   * Resolves once every message given to `send()`/`write()` so far has been handed to a
   * peer's pipe and written to the transport. Always lets the event loop run once, so a
   * `write()`/`flush()` loop never starves I/O. Rejects with the first error a queued
   * `write()` met since the last `flush()` (e.g. `EHOSTUNREACH`); later messages are
   * still sent.
   */
  flush(): Promise<void> {
    const settle = (resolve: () => void, reject: (e: ZmqError) => void) => () => {
      const error = this.writeError;
      this.writeError = undefined;
      if (error !== undefined) reject(error);
      else resolve();
    };
    if (this.pendingSends.length === 0) {
      flushNow();
      return new Promise<void>((resolve, reject) => setImmediate(settle(resolve, reject)));
    }
    return new Promise<void>((resolve, reject) => this.flushWaiters.push(settle(resolve, reject)));
  }

  /**
   * Receive the next message. Resolves at once when one is queued (yielding to the event
   * loop now and then, so a receive loop never starves timers and I/O); otherwise waits
   * (up to `receiveTimeout`, then `EAGAIN`). Concurrent calls are served in call order.
   */
  receive(): Promise<In> {
    if (this._closed) return Promise.reject(this.adaptError(closedError('receive')));
    let message: In | undefined;
    try {
      this.admitReceive();
      if (this.pendingReceives.length === 0) message = this.receiveMessage();
    } catch (error) {
      return Promise.reject(this.adaptError(error as ZmqError));
    }
    if (message !== undefined) return receiveMustYield() ? afterTurn(message) : Promise.resolve(message);
    const timeout = this.values.receiveTimeout;
    if (timeout === 0) return Promise.reject(this.adaptError(new ZmqError('EAGAIN', 'no message available (receiveTimeout is 0)')));
    return new Promise<In>((resolve, reject) => {
      this.pendingReceives.add({ resolve, reject, timer: undefined }, timeout, () =>
        this.adaptError(new ZmqError('EAGAIN', `receive timed out after ${timeout} ms: no message arrived`)),
      );
    });
  }

  /**
   * Receive every message already decoded, up to `max` (the batching API). Waits like
   * `receive()` only when nothing is queued, so it always resolves with at least one.
   */
  async receiveMany(max = Number.POSITIVE_INFINITY): Promise<In[]> {
    const first: In = await this.receive();
    // Sized from what the fair queue holds (growing it by push() from one element was
    // ~3 % of a batched receiver). Patterns that drop messages (filters) leave it shorter;
    // those with messages of their own (XPUB's subscriptions) grow it.
    const bound = Math.min(max, 1 + this.fairQueue.queued);
    const size = bound > 1 ? Math.floor(bound) : 1;
    const out: In[] = new Array<In>(size);
    out[0] = first;
    let n = 1;
    for (; n < max; n++) {
      const message = this.receiveMessage();
      if (message === undefined) break;
      if (n < size) out[n] = message;
      else out.push(message);
    }
    if (n < size) out.length = n;
    return out;
  }

  /** Iterate over received messages until the socket closes. */
  [Symbol.asyncIterator](): AsyncIterator<In> {
    const done = (error: unknown): IteratorResult<In> => {
      // A receive cancelled by close() (EAGAIN) or refused after it (EBADF) ends the loop.
      if (this._closed) return { value: undefined, done: true };
      throw error;
    };
    return {
      next: () => {
        // Fast path: a queued message costs one promise, not two.
        if (!this._closed && this.pendingReceives.length === 0) {
          let message: In | undefined;
          try {
            this.admitReceive();
            message = this.receiveMessage();
          } catch (error) {
            return Promise.reject(this.adaptError(error as ZmqError));
          }
          if (message !== undefined) {
            const result: IteratorResult<In> = { value: message, done: false };
            return receiveMustYield() ? afterTurn(result) : Promise.resolve(result);
          }
        }
        return this.receive().then((value) => ({ value, done: false }), done);
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  // ---------------------------------------------------------------- pattern hooks

  /**
   * A peer's pipe joins the socket. For a connecting socket this happens at `connect()`
   * (the peer is not known yet: `pipe.peer` is undefined); otherwise after the handshake.
   * Return false to refuse it (it is then closed).
   */
  protected abstract attachPipe(pipe: Pipe): boolean;
  /** A pipe was terminated. It may still hold inbound messages; the fair queue drains them. */
  protected abstract detachPipe(pipe: Pipe): void;
  /**
   * Route an outgoing message. Return false when no peer can take it now (the send waits;
   * it is offered again, with the same `options`, when a pipe gets room).
   * @param options the first argument after the message given to `send()`/`write()`
   *   (draft types: a SERVER's `{ routingId }`, a RADIO's `{ group }`); undefined otherwise
   */
  protected abstract sendMessage(frames: Buffer[], options: SendArgs[0] | undefined): boolean;
  /** Produce the next message for the application, or undefined when none is ready. */
  protected abstract receiveMessage(): In | undefined;
  /**
   * An attached pipe got a new connection (its first, for pipes attached at `connect()`,
   * or a reconnection): `pipe.peer` is now the peer that answered. Resend state the peer
   * must know (subscriptions). Return false to refuse this peer (the connection closes).
   */
  protected onPipeConnected(_pipe: Pipe): boolean {
    return true;
  }
  /** A post-handshake command (SUBSCRIBE/CANCEL...) arrived from a peer. */
  protected onPipeCommand(_pipe: Pipe, _command: Command): void {}
  /** Whether a message is ready without waiting (patterns with filters override). */
  protected hasIncoming(): boolean {
    return this.fairQueue.hasIn;
  }
  /** Whether a message could be sent without waiting (patterns that route override). */
  protected hasOutgoing(): boolean {
    return true;
  }
  /** Refuse a `send()`/`write()` by throwing (e.g. `EFSM`, `ENOTSUP`); called before it is queued. */
  protected admitSend(): void {}
  /** Refuse a `receive()` by throwing (e.g. `EFSM`, `ENOTSUP`). */
  protected admitReceive(): void {}
  /** An admitted send will never reach `sendMessage` successfully (timeout, close, error). */
  protected sendAbandoned(): void {}
  /**
   * An option was set (after validation). Patterns that read an option on every message
   * keep it in a plain field updated here (reading the property goes through the option
   * table); they read the initial value with `getOption` in their constructor.
   */
  protected onOptionChange(_name: string, _value: unknown): void {}
  /**
   * Every error a `send()`, `write()` or `receive()` rejects or throws with passes through
   * here first (including timeouts and close cancellations). The default returns it as it
   * is; a facade may present it differently (e.g. zeromq.js's message texts), keeping the
   * original as `cause`.
   */
  protected adaptError(error: ZmqError): ZmqError {
    return error;
  }
  /** Whether `connect(address, { routingId })` is meaningful for this socket type (ROUTER). */
  protected get acceptsConnectRoutingId(): boolean {
    return false;
  }
  /**
   * The connections this socket type makes over tcp:// and ipc://: undefined for ZMTP (every
   * standard type); STREAM returns one that makes core's `RawConnection`s. Read once,
   * when the socket is created.
   */
  protected get connectionFactory(): ConnectionFactory | undefined {
    return undefined;
  }

  /**
   * A message was queued on an attached pipe. The default gives the pipe a turn in the
   * fair queue and serves waiting `receive()` calls; patterns that consume inbound
   * messages themselves (PUB/XPUB subscriptions) override it.
   */
  protected onPipeReadable(pipe: Pipe): void {
    this.fairQueue.activate(pipe);
    if (this.pendingReceives.length > 0) this.wakeReceivers();
  }

  /** Patterns call this when messages may have become receivable outside `onPipeReadable`. */
  protected wakeReceivers(): void {
    while (this.pendingReceives.length > 0) {
      const message = this.receiveMessage();
      if (message === undefined) return;
      this.pendingReceives.take()!.resolve(message);
    }
  }

  /** Patterns call this when a send may now succeed (e.g. REQ got its reply). */
  protected wakeSenders(): void {
    if (this.pumpingSends) return;
    this.pumpingSends = true;
    try {
      while (this.pendingSends.length > 0) {
        const pending = this.pendingSends.peek()!;
        let sent: boolean;
        try {
          sent = this.sendMessage(pending.frames, pending.options as SendArgs[0]);
        } catch (error) {
          this.pendingSends.take();
          pending.reject(this.adaptError(error as ZmqError));
          continue;
        }
        if (!sent) break;
        this.pendingSends.take();
        pending.resolve();
      }
    } finally {
      this.pumpingSends = false;
    }
    if (this.pendingSends.length === 0 && this.flushWaiters.length > 0) {
      flushNow();
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** How many `receive()` calls are waiting for a message. */
  protected get waitingReceives(): number {
    return this.pendingReceives.length;
  }

  /** The pipes currently attached. */
  protected get attachedPipes(): ReadonlySet<Pipe> {
    return this.pipes;
  }

  // ---------------------------------------------------------------- internals

  private pickTransport(): Transport {
    return this.values.transport ?? getDefaultTransport();
  }

  private assertOpen(): void {
    if (this._closed) throw new ZmqError('EBADF', 'the socket is closed');
  }

  private attach(pipe: Pipe): boolean {
    if (this._closed || !this.attachPipe(pipe)) return false;
    this.pipes.add(pipe);
    pipe.attached = true;
    this.wakeSenders();
    if (pipe.hasIn) this.onPipeReadable(pipe);
    return true;
  }

  private inprocHandshake(pipe: InprocPipe): void {
    this.events.emit({ type: 'handshake', address: pipe.endpoint, peer: { address: pipe.endpoint, routingId: pipe.peer!.identity, socketType: pipe.peer!.socketType } });
  }

  /**
   * The object pipes, endpoints and the inproc registry talk to: internals stay off the
   * public surface. Data properties only: V8 keeps an object literal with an accessor in
   * dictionary mode, which made every `owner.pipeReadable(pipe)` on the receive path a
   * generic property lookup.
   */
  private makeHost(): EndpointHost & InprocPeer {
    const values = this.values;
    return {
      type: this.socketType,
      optionValues: values,
      connectionFactory: this.connectionFactory,
      isClosed: () => this._closed,
      emitEvent: debugEnabled
        ? (event: SocketEvent) => {
            debug(describeEvent(this.socketType, event));
            this.events.emit(event);
          }
        : (event: SocketEvent) => this.events.emit(event),
      adoptPipe: (pipe: StreamPipe) => this.attach(pipe),
      pipeConnected: (pipe: StreamPipe) => {
        if (this._closed || !pipe.attached) return false;
        if (!this.onPipeConnected(pipe)) return false;
        this.wakeSenders();
        return true;
      },
      pipeReadable: (pipe: Pipe) => {
        if (pipe.attached) this.onPipeReadable(pipe);
      },
      receiveWaiters: this.pendingReceives,
      pipeWritable: () => {
        if (this.pendingSends.length > 0) this.wakeSenders();
      },
      pipeCommand: (pipe: Pipe, command: Command) => this.onPipeCommand(pipe, command),
      pipeClosed: (pipe: Pipe) => {
        const wasAttached = pipe.attached;
        pipe.attached = false;
        if (this.pipes.delete(pipe) && wasAttached) this.detachPipe(pipe);
        if (pipe.endpoint.startsWith('inproc://')) this.inprocConnected.get(pipe.endpoint.slice(9))?.delete(pipe as InprocPipe);
      },
      attachInproc: (pipe: InprocPipe, linked: boolean) => {
        // The binding side may already have refused the link (e.g. a PAIR with a peer).
        if (pipe.closed) return;
        const name = pipe.endpoint.slice('inproc://'.length);
        this.inprocConnected.get(name)?.add(pipe);
        if (!this.attach(pipe)) {
          pipe.close(0);
          return;
        }
        if (linked) this.inprocHandshake(pipe);
      },
      inprocLinked: (pipe: InprocPipe) => {
        if (pipe.closed || !pipe.attached) return;
        if (!this.onPipeConnected(pipe)) {
          pipe.close(0);
          return;
        }
        this.inprocHandshake(pipe);
        this.wakeSenders();
      },
      inprocRefused: (endpoint: string, error: ZmqError) => {
        this.events.emit({ type: 'handshake:error:protocol', address: endpoint, peer: { address: endpoint }, error });
      },
    };
  }
}

function withIpv6(endpoint: StreamEndpoint): StreamEndpoint {
  return endpoint.protocol === 'tcp' && endpoint.host === '*' ? { ...endpoint, host: '::' } : endpoint;
}

function noop(): void {}

// Base option accessors: `socket.linger = 0` validates and applies (options.ts).
defineOptionAccessors(Socket.prototype, BASE_OPTIONS);

/** The base options as typed properties (accessors defined above). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Socket<In = Message, SendArgs extends unknown[] = []> extends Required<Omit<SocketOptions, 'routingId' | 'mechanism' | 'transport'>> {
  /** Routing id announced to peers; null when unset. Applies to new connections. */
  routingId: string | null;
  /** Security mechanism object; undefined = NULL. */
  mechanism: SocketOptions['mechanism'];
  /** Transport override; undefined = the process default. */
  transport: SocketOptions['transport'];
}
