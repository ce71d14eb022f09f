/**
 * The socket base every pattern extends (libzmq's socket_base_t, shaped like zeromq.js v6).
 *
 * It owns endpoints (listeners, connecters with reconnect, inproc links), the per-peer
 * pipes, the queues of pending `send()`/`receive()` calls and the event sink. A pattern
 * supplies five hooks: `attachPipe`, `detachPipe`, `sendMessage`, `receiveMessage` and
 * optionally `onPipeCommand`; the base calls them and never decides routing itself.
 *
 * Sends and receives never overlap wrongly: pending `send()` calls queue in order and are
 * retried whenever a pipe gets room; pending `receive()` calls are served in order as
 * messages arrive. Neither ever fails with EBUSY.
 */
import { type Command, type SocketType, ZmqError } from '@monocoque/zmtp';
import { Deque } from './deque.js';
import { type Endpoint, parseEndpoint } from './endpoint.js';
import { type SocketEventType, SocketEvents } from './events.js';
import { type InprocPeer, inprocBind, inprocCancelConnect, inprocConnect, inprocUnbind } from './inproc.js';
import { type MessageLike, toFrames } from './message.js';
import { type ResolvedOptions, type SocketOptions, resolveOptions, toRoutingId } from './options.js';
import { type InprocPipe, type Message, type Pipe, type PipeOwner, StreamPipe, flushAllPipes, flushTurns } from './pipe.js';
import { FairQueue } from './routing.js';
import { getDefaultTransport } from './transport-registry.js';
import type { Listener, StreamEndpoint, Transport } from './transport.js';

interface PendingSend {
  frames: Buffer[];
  resolve: () => void;
  reject: (error: ZmqError) => void;
  timer: NodeJS.Timeout | undefined;
}

interface PendingReceive {
  resolve: (message: Message) => void;
  reject: (error: ZmqError) => void;
  timer: NodeJS.Timeout | undefined;
}

interface Bound {
  readonly requested: string;
  readonly resolved: string;
  readonly listener: Listener;
  readonly pipes: Set<Pipe>;
}

const RESOLVED = Promise.resolve();

/**
 * Sends that complete at once resolve with an already-resolved promise (fast), but a loop
 * like `for (;;) await pub.send(x)` would then never let the event loop run, starving
 * I/O: after `YIELD_EVERY` such sends without an event-loop turn, one send resolves on
 * `setImmediate` instead.
 */
const YIELD_EVERY = 512;
let immediateSends = 0;
let lastTurn = -1;
function sentNow(): Promise<void> {
  // The pipes' shared flush runs once per event-loop turn: when it has run since the last
  // send, the loop has turned and the count starts again.
  const turn = flushTurns();
  if (turn !== lastTurn) {
    lastTurn = turn;
    immediateSends = 0;
  }
  if (++immediateSends < YIELD_EVERY) return RESOLVED;
  immediateSends = 0;
  return new Promise((resolve) => setImmediate(resolve));
}

/** Connects to one endpoint and keeps reconnecting (with back-off) until disconnected. */
class Connecter {
  pipe: Pipe | undefined;
  private cancelled = false;
  private timer: NodeJS.Timeout | undefined;
  private interval: number;

  constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly endpoint: StreamEndpoint,
    private readonly transport: Transport,
  ) {
    this.interval = socket.resolvedOptions.reconnectInterval;
  }

  attempt(): void {
    this.timer = undefined;
    this.transport.connect(this.endpoint).then(
      (stream) => {
        if (this.cancelled) {
          stream.destroy();
          return;
        }
        this.socket.emitEvent('connect', this.address, undefined, stream.remoteAddress);
        this.pipe = this.socket.startStream(stream, this.address, this);
      },
      (error: unknown) => {
        if (this.cancelled) return;
        const err = error instanceof ZmqError ? error : new ZmqError('ECONNREFUSED', String(error), { cause: error, address: this.address });
        this.socket.emitEvent('connect:delay', this.address, err);
        this.retry();
      },
    );
  }

  /** The handshake succeeded: the next disconnection retries at the base interval. */
  succeeded(): void {
    this.interval = this.socket.resolvedOptions.reconnectInterval;
  }

  /** The connection (or its handshake) ended: try again later. */
  lost(pipe: Pipe): void {
    if (this.pipe === pipe) this.pipe = undefined;
    if (!this.cancelled) this.retry();
  }

  cancel(linger: number): void {
    this.cancelled = true;
    clearTimeout(this.timer);
    this.pipe?.close(linger);
  }

  private retry(): void {
    if (this.timer !== undefined) return;
    const interval = this.interval;
    const max = this.socket.resolvedOptions.reconnectMaxInterval;
    if (max > 0) this.interval = Math.min(this.interval * 2, max);
    this.socket.emitEvent('connect:retry', this.address, undefined, undefined, interval);
    this.timer = setTimeout(() => this.attempt(), interval);
    this.timer.unref();
  }
}

/**
 * Base class of every socket type. Not used directly: construct a `Dealer`, `Router`, ...
 * from its package.
 */
export abstract class Socket implements PipeOwner, InprocPeer, AsyncIterable<Message> {
  /** The socket type, as announced to peers. */
  readonly type: SocketType;
  /** Connection life-cycle events (the monitor). */
  readonly events = new SocketEvents();
  /** @internal */
  readonly resolvedOptions: ResolvedOptions;
  /** Fair queue over inbound pipes, for patterns that fair-queue. */
  protected readonly fairQueue = new FairQueue();

  private _closed = false;
  private _lastEndpoint: string | undefined;
  private readonly pipes = new Set<Pipe>();
  private readonly bound = new Map<string, Bound>();
  private readonly connecters = new Map<string, Connecter>();
  private readonly pipeConnecter = new Map<Pipe, Connecter>();
  private readonly pipeBound = new Map<Pipe, Bound>();
  private readonly inprocBound = new Set<string>();
  private readonly inprocConnected = new Map<string, Set<InprocPipe>>();
  private readonly pendingSends = new Deque<PendingSend>();
  private readonly pendingReceives = new Deque<PendingReceive>();
  private pumpingSends = false;
  private flushWaiters: Array<() => void> = [];

  protected constructor(type: SocketType, options: SocketOptions = {}) {
    this.type = type;
    this.resolvedOptions = resolveOptions(options);
  }

  // ---------------------------------------------------------------- options

  /** Routing id announced to peers; applies to connections made after it is set. */
  get routingId(): string | undefined {
    return this.resolvedOptions.routingId?.toString('utf8');
  }
  set routingId(value: string | Uint8Array | undefined) {
    this.resolvedOptions.routingId = value === undefined ? undefined : toRoutingId(value);
  }
  /** Milliseconds to keep flushing after `close()`; -1 = until sent. */
  get linger(): number {
    return this.resolvedOptions.linger;
  }
  set linger(value: number) {
    this.resolvedOptions.linger = resolveOptions({ linger: value }).linger;
  }
  /** Outbound HWM per peer in messages (applies to new connections). */
  get sendHighWaterMark(): number {
    return this.resolvedOptions.sendHighWaterMark;
  }
  set sendHighWaterMark(value: number) {
    this.resolvedOptions.sendHighWaterMark = resolveOptions({ sendHighWaterMark: value }).sendHighWaterMark;
  }
  /** Inbound HWM per peer in messages (applies to new connections). */
  get receiveHighWaterMark(): number {
    return this.resolvedOptions.receiveHighWaterMark;
  }
  set receiveHighWaterMark(value: number) {
    this.resolvedOptions.receiveHighWaterMark = resolveOptions({ receiveHighWaterMark: value }).receiveHighWaterMark;
  }
  /** Milliseconds `send()` may wait; -1 = forever. */
  get sendTimeout(): number {
    return this.resolvedOptions.sendTimeout;
  }
  set sendTimeout(value: number) {
    this.resolvedOptions.sendTimeout = resolveOptions({ sendTimeout: value }).sendTimeout;
  }
  /** Milliseconds `receive()` may wait; -1 = forever. */
  get receiveTimeout(): number {
    return this.resolvedOptions.receiveTimeout;
  }
  set receiveTimeout(value: number) {
    this.resolvedOptions.receiveTimeout = resolveOptions({ receiveTimeout: value }).receiveTimeout;
  }
  /** Largest accepted inbound frame; -1 = no limit (applies to new connections). */
  get maxMessageSize(): number {
    return this.resolvedOptions.maxMessageSize;
  }
  set maxMessageSize(value: number) {
    this.resolvedOptions.maxMessageSize = resolveOptions({ maxMessageSize: value }).maxMessageSize;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this._closed;
  }

  /** The endpoint most recently bound, with the real port for `tcp://host:*`. */
  get lastEndpoint(): string | undefined {
    return this._lastEndpoint;
  }

  /** Whether a message can be received right now without waiting. */
  get readable(): boolean {
    return this.hasIncoming();
  }

  // ---------------------------------------------------------------- endpoints

  /**
   * Bind to an endpoint and accept connections on it. Resolves once listening; rejects
   * with `EADDRINUSE`, `EINVAL`, ... when it cannot.
   */
  async bind(address: string): Promise<void> {
    this.assertOpen();
    const endpoint = parseEndpoint(address, true);
    if (endpoint.protocol === 'inproc') {
      inprocBind(endpoint.name, this);
      this.inprocBound.add(endpoint.name);
      this._lastEndpoint = address;
      this.emitEvent('listening', address);
      return;
    }
    const transport = this.transport();
    let listener: Listener;
    try {
      listener = await transport.listen(endpoint, (stream) => {
        const b = this.bound.get(listener.endpoint);
        if (this._closed || b === undefined) {
          stream.destroy();
          return;
        }
        this.emitEvent('accept', b.resolved, undefined, stream.remoteAddress);
        const pipe = this.startStream(stream, b.resolved, undefined);
        b.pipes.add(pipe);
        this.pipeBound.set(pipe, b);
      });
    } catch (error) {
      const err = error instanceof ZmqError ? error : new ZmqError('EINVAL', `bind ${address} failed: ${String(error)}`, { cause: error, address });
      this.emitEvent('bind:error', address, err);
      throw err;
    }
    if (this._closed) {
      await listener.close();
      throw new ZmqError('EBADF', `bind ${address} failed: the socket was closed while binding`, { address });
    }
    const b: Bound = { requested: address, resolved: listener.endpoint, listener, pipes: new Set() };
    this.bound.set(listener.endpoint, b);
    this._lastEndpoint = listener.endpoint;
    this.emitEvent('listening', listener.endpoint);
  }

  /** Stop listening on an endpoint (by the address given to `bind` or the resolved one) and close its connections. */
  async unbind(address: string): Promise<void> {
    this.assertOpen();
    const endpoint = parseEndpoint(address, true);
    if (endpoint.protocol === 'inproc') {
      if (!this.inprocBound.delete(endpoint.name) || !inprocUnbind(endpoint.name, this)) {
        throw new ZmqError('ENOENT', `unbind ${address} failed: not bound on this socket`, { address });
      }
      return;
    }
    const b = this.bound.get(address) ?? [...this.bound.values()].find((x) => x.requested === address);
    if (b === undefined) throw new ZmqError('ENOENT', `unbind ${address} failed: not bound on this socket`, { address });
    this.bound.delete(b.resolved);
    for (const pipe of b.pipes) pipe.close(0);
    await b.listener.close();
    this.emitEvent('close', b.resolved);
  }

  /**
   * Connect to an endpoint. Returns at once; the connection is made in the background
   * and re-made (after `reconnectInterval`, with back-off up to `reconnectMaxInterval`)
   * whenever it is lost. Throws synchronously on an invalid endpoint.
   */
  connect(address: string): void {
    this.assertOpen();
    const endpoint = parseEndpoint(address, false);
    if (endpoint.protocol === 'inproc') {
      inprocConnect(endpoint.name, this);
      if (!this.inprocConnected.has(endpoint.name)) this.inprocConnected.set(endpoint.name, new Set());
      return;
    }
    if (this.connecters.has(address)) {
      throw new ZmqError('EINVAL', `connect ${address} failed: already connected to this endpoint`, { address });
    }
    const connecter = new Connecter(this, address, endpoint, this.transport());
    this.connecters.set(address, connecter);
    connecter.attempt();
  }

  /** Stop connecting to an endpoint and close its connection. */
  disconnect(address: string): void {
    this.assertOpen();
    const endpoint: Endpoint = parseEndpoint(address, false);
    if (endpoint.protocol === 'inproc') {
      inprocCancelConnect(endpoint.name, this);
      const pipes = this.inprocConnected.get(endpoint.name);
      if (pipes === undefined) throw new ZmqError('ENOENT', `disconnect ${address} failed: not connected on this socket`, { address });
      this.inprocConnected.delete(endpoint.name);
      for (const pipe of pipes) pipe.close(0);
      return;
    }
    const connecter = this.connecters.get(address);
    if (connecter === undefined) throw new ZmqError('ENOENT', `disconnect ${address} failed: not connected on this socket`, { address });
    this.connecters.delete(address);
    connecter.cancel(this.resolvedOptions.linger);
  }

  /**
   * Close the socket: stop listening and connecting, reject pending `send()`/`receive()`
   * calls with `EBADF`, and close connections — flushing queued output first unless
   * `linger` is 0 (a positive linger bounds the flush in milliseconds).
   */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    const linger = this.resolvedOptions.linger;
    flushAllPipes();
    const closedError = () => new ZmqError('EBADF', 'socket closed before the operation completed');
    for (let p = this.pendingSends.shift(); p !== undefined; p = this.pendingSends.shift()) {
      clearTimeout(p.timer);
      p.reject(closedError());
    }
    for (let r = this.pendingReceives.shift(); r !== undefined; r = this.pendingReceives.shift()) {
      clearTimeout(r.timer);
      r.reject(closedError());
    }
    for (const connecter of this.connecters.values()) connecter.cancel(linger);
    this.connecters.clear();
    for (const b of this.bound.values()) {
      void b.listener.close();
      this.emitEvent('close', b.resolved);
    }
    this.bound.clear();
    for (const name of this.inprocBound) inprocUnbind(name, this);
    for (const name of this.inprocConnected.keys()) inprocCancelConnect(name, this);
    for (const pipe of [...this.pipes]) pipe.close(linger);
    for (const waiter of this.flushWaiters) waiter();
    this.flushWaiters = [];
    this.events.end();
  }

  // ---------------------------------------------------------------- messaging

  /**
   * Send a message (a frame, or an array of frames for multipart). Resolves when the
   * message is queued on a peer's pipe — at once when there is room. While no peer can
   * take it, the call waits (up to `sendTimeout`, then `EAGAIN`); later sends queue
   * behind it in order. Buffers are sent by reference: do not modify them afterwards.
   */
  send(message: MessageLike): Promise<void> {
    if (this._closed) return Promise.reject(new ZmqError('EBADF', 'cannot send: the socket is closed'));
    let frames: Buffer[];
    try {
      frames = toFrames(message);
      if (this.pendingSends.length === 0 && this.sendMessage(frames)) return sentNow();
    } catch (error) {
      return Promise.reject(error);
    }
    const timeout = this.resolvedOptions.sendTimeout;
    if (timeout === 0) {
      return Promise.reject(new ZmqError('EAGAIN', `cannot send now: no ${this.type} peer can take the message (sendTimeout is 0)`));
    }
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSend = { frames, resolve, reject, timer: undefined };
      if (timeout > 0) {
        pending.timer = setTimeout(() => {
          this.pendingSends.removeWhere((p) => p === pending);
          reject(new ZmqError('EAGAIN', `send timed out after ${timeout} ms: no ${this.type} peer could take the message`));
        }, timeout);
      }
      this.pendingSends.push(pending);
    });
  }

  /**
   * Queue a message without waiting (the batching API). Returns true when the message was
   * handed to a peer's pipe; false when it was queued behind the high-water mark — like a
   * Node stream, keep the result as a hint to `await flush()` before writing more.
   */
  write(message: MessageLike): boolean {
    this.assertOpen();
    const frames = toFrames(message);
    if (this.pendingSends.length === 0 && this.sendMessage(frames)) return true;
    this.pendingSends.push({ frames, resolve: noop, reject: this.recordWriteError, timer: undefined });
    return false;
  }

  /** The first error of a queued `write()`, reported by the next `flush()`. */
  private writeError: ZmqError | undefined;
  private readonly recordWriteError = (error: ZmqError): void => {
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
      flushAllPipes();
      return new Promise<void>((resolve, reject) => setImmediate(settle(resolve, reject)));
    }
    return new Promise<void>((resolve, reject) => this.flushWaiters.push(settle(resolve, reject)));
  }

  /**
   * Receive the next message. Resolves at once when one is queued; otherwise waits (up to
   * `receiveTimeout`, then `EAGAIN`). Concurrent calls are served in call order.
   */
  receive(): Promise<Message> {
    if (this._closed) return Promise.reject(new ZmqError('EBADF', 'cannot receive: the socket is closed'));
    if (this.pendingReceives.length === 0) {
      let message: Message | undefined;
      try {
        message = this.receiveMessage();
      } catch (error) {
        return Promise.reject(error);
      }
      if (message !== undefined) return Promise.resolve(message);
    }
    const timeout = this.resolvedOptions.receiveTimeout;
    if (timeout === 0) return Promise.reject(new ZmqError('EAGAIN', 'no message available (receiveTimeout is 0)'));
    return new Promise<Message>((resolve, reject) => {
      const pending: PendingReceive = { resolve, reject, timer: undefined };
      if (timeout > 0) {
        pending.timer = setTimeout(() => {
          this.pendingReceives.removeWhere((p) => p === pending);
          reject(new ZmqError('EAGAIN', `receive timed out after ${timeout} ms: no message arrived`));
        }, timeout);
      }
      this.pendingReceives.push(pending);
    });
  }

  /**
   * Receive every message already decoded, up to `max` (the batching API). Waits like
   * `receive()` only when nothing is queued, so it always resolves with at least one.
   */
  async receiveMany(max = Number.POSITIVE_INFINITY): Promise<Message[]> {
    const first = await this.receive();
    const out = [first];
    while (out.length < max) {
      const message = this.receiveMessage();
      if (message === undefined) break;
      out.push(message);
    }
    return out;
  }

  /** Iterate over received messages until the socket closes. */
  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return {
      next: () => {
        // Fast path: a queued message costs one promise, not two.
        if (this.pendingReceives.length === 0 && !this._closed) {
          let message: Message | undefined;
          try {
            message = this.receiveMessage();
          } catch (error) {
            return Promise.reject(error);
          }
          if (message !== undefined) return Promise.resolve({ value: message, done: false });
        }
        return this.receive().then(
          (value) => ({ value, done: false }),
          (error: unknown) => {
            if (this._closed && (error as ZmqError).code === 'EBADF') return { value: undefined, done: true };
            throw error;
          },
        );
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  // ---------------------------------------------------------------- pattern hooks

  /** A peer completed its handshake. Return false to refuse it (it is then closed). */
  protected abstract attachPipe(pipe: Pipe): boolean;
  /** A peer went away. It may still hold inbound messages; the fair queue drains them. */
  protected abstract detachPipe(pipe: Pipe): void;
  /** Route an outgoing message. Return false when no peer can take it now (the send waits). */
  protected abstract sendMessage(frames: Buffer[]): boolean;
  /** Produce the next message for the application, or undefined when none is ready. */
  protected abstract receiveMessage(): Message | undefined;
  /** A post-handshake command (SUBSCRIBE/CANCEL/PING/PONG...) arrived from a peer. */
  protected onPipeCommand(_pipe: Pipe, _command: Command): void {}
  /** Whether a message is ready without waiting (patterns with filters override). */
  protected hasIncoming(): boolean {
    return this.fairQueue.hasIn;
  }

  /** Patterns call this when messages may have become receivable outside `pipeReadable`. */
  protected wakeReceivers(): void {
    while (this.pendingReceives.length > 0) {
      const message = this.receiveMessage();
      if (message === undefined) return;
      const pending = this.pendingReceives.shift()!;
      clearTimeout(pending.timer);
      pending.resolve(message);
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
          sent = this.sendMessage(pending.frames);
        } catch (error) {
          this.pendingSends.shift();
          clearTimeout(pending.timer);
          pending.reject(error as ZmqError);
          continue;
        }
        if (!sent) break;
        this.pendingSends.shift();
        clearTimeout(pending.timer);
        pending.resolve();
      }
    } finally {
      this.pumpingSends = false;
    }
    if (this.pendingSends.length === 0 && this.flushWaiters.length > 0) {
      flushAllPipes();
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** How many `receive()` calls are waiting for a message. */
  protected get waitingReceives(): number {
    return this.pendingReceives.length;
  }

  /** The pipes currently attached (ready, not closed). */
  protected get attachedPipes(): ReadonlySet<Pipe> {
    return this.pipes;
  }

  // ---------------------------------------------------------------- pipe owner

  /** @internal */
  startStream(stream: import('./transport.js').Stream, endpoint: string, connecter: Connecter | undefined): StreamPipe {
    const pipe = new StreamPipe(this, stream, this.resolvedOptions, this.type, endpoint);
    if (connecter !== undefined) this.pipeConnecter.set(pipe, connecter);
    pipe.start();
    return pipe;
  }

  /** @internal */
  pipeReady(pipe: Pipe): void {
    if (this._closed) {
      pipe.close(0);
      return;
    }
    this.pipeConnecter.get(pipe)?.succeeded();
    if (!this.attachPipe(pipe)) {
      pipe.close(0);
      return;
    }
    this.pipes.add(pipe);
    pipe.attached = true;
    this.emitEvent('handshake', pipe.endpoint, undefined, pipe.remoteAddress);
    this.wakeSenders();
  }

  /** @internal */
  pipeFailed(pipe: Pipe, error: ZmqError): void {
    const type: SocketEventType =
      error.code === 'EACCES' ? 'handshake:error:auth' : error.code === 'EPROTO' || error.code === 'ENOCOMPATPROTO' || error.code === 'EMSGSIZE' ? 'handshake:error:protocol' : 'handshake:error:other';
    this.emitEvent(type, pipe.endpoint, error, pipe.remoteAddress);
    this.forget(pipe);
  }

  /** @internal */
  pipeReadable(pipe: Pipe): void {
    if (pipe.attached) this.onPipeReadable(pipe);
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

  /** @internal */
  pipeWritable(_pipe: Pipe): void {
    if (this.pendingSends.length > 0) this.wakeSenders();
  }

  /** @internal */
  pipeCommand(pipe: Pipe, command: Command): void {
    this.onPipeCommand(pipe, command);
  }

  /** @internal */
  pipeClosed(pipe: Pipe, error: ZmqError | undefined): void {
    pipe.attached = false;
    if (this.pipes.delete(pipe)) this.detachPipe(pipe);
    if (pipe.endpoint.startsWith('inproc://')) this.inprocConnected.get(pipe.endpoint.slice(9))?.delete(pipe as InprocPipe);
    if (!this._closed || error !== undefined) this.emitEvent('disconnect', pipe.endpoint, error, pipe.remoteAddress);
    this.forget(pipe);
  }

  /** @internal */
  attachInproc(pipe: InprocPipe): void {
    // The binding side may already have refused the link (e.g. a PAIR with a peer).
    if (pipe.closed) return;
    if (this._closed) {
      pipe.close(0);
      return;
    }
    const name = pipe.endpoint.slice('inproc://'.length);
    this.inprocConnected.get(name)?.add(pipe);
    if (!this.attachPipe(pipe)) {
      pipe.close(0);
      return;
    }
    this.pipes.add(pipe);
    pipe.attached = true;
    this.emitEvent('handshake', pipe.endpoint, undefined, pipe.endpoint);
    this.wakeSenders();
    if (pipe.hasIn) this.pipeReadable(pipe);
  }

  /** @internal */
  inprocRefused(endpoint: string, error: ZmqError): void {
    this.emitEvent('handshake:error:protocol', endpoint, error);
  }

  /** @internal */
  emitEvent(type: SocketEventType, address: string, error?: ZmqError, peer?: string, interval?: number): void {
    this.events.emit({
      type,
      address,
      ...(error !== undefined ? { error } : {}),
      ...(peer !== undefined ? { peer } : {}),
      ...(interval !== undefined ? { interval } : {}),
    });
  }

  private forget(pipe: Pipe): void {
    const b = this.pipeBound.get(pipe);
    if (b !== undefined) {
      b.pipes.delete(pipe);
      this.pipeBound.delete(pipe);
    }
    const connecter = this.pipeConnecter.get(pipe);
    if (connecter !== undefined) {
      this.pipeConnecter.delete(pipe);
      if (!this._closed) connecter.lost(pipe);
    }
  }

  private transport(): Transport {
    return this.resolvedOptions.transport ?? getDefaultTransport();
  }

  private assertOpen(): void {
    if (this._closed) throw new ZmqError('EBADF', 'the socket is closed');
  }
}

function noop(): void {}
