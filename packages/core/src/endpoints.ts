/**
 * Endpoints of one socket: bound listeners and connecters (libzmq's listener, connecter
 * and session objects). Inproc links live in inproc.ts.
 *
 * - A {@link BoundEndpoint} accepts connections; each completed handshake gets a new pipe,
 *   which ends with its connection.
 * - A {@link Connecter} owns one pipe for its endpoint from `connect()` on (unless
 *   `immediate`), so messages queue before the first connection and survive reconnects.
 *   It connects, and after a failure or a lost connection reconnects after
 *   `reconnectInterval` plus a random jitter of up to one interval (libzmq), doubling up
 *   to `reconnectMaxInterval`. A connect attempt is abandoned after `connectTimeout`, and
 *   on `close()`/`disconnect()` (after the linger for queued messages). After a protocol
 *   or authentication error in the handshake it stops, as libzmq does.
 *
 * Events follow libzmq's monitor (zeromq.js names): connect:delay → connect | close →
 * connect:retry; handshake | handshake:error:* → disconnect; bind | bind:error; accept |
 * accept:error; close on unbind.
 */
import { type Command, ZmqError } from '@monocoque/zmtp';
import { Connection, type ConnectionFactory, type ConnectionOwner, type PeerConnection } from './connection.js';
import type { EventPeer, SocketEvent } from './events.js';
import type { ResolvedOptions } from './options.js';
import { type PipeCarrier, type PipeOwner, StreamPipe } from './pipe.js';
import type { Listener, Stream, StreamEndpoint, Transport } from './transport.js';
import { connectionArrived } from './scheduler.js';
import type { SocketType } from '@monocoque/zmtp';

/** What endpoints need from their socket (implemented by `Socket`, internal). */
export interface EndpointHost extends PipeOwner {
  readonly type: SocketType;
  /** @internal */
  readonly optionValues: ResolvedOptions;
  /** @internal Whether the socket is closed. */
  isClosed(): boolean;
  /** @internal Emit a monitor event. */
  emitEvent(event: SocketEvent): void;
  /** @internal Offer a new pipe to the pattern; false = refused. */
  adoptPipe(pipe: StreamPipe): boolean;
  /** @internal A connection became ready on an attached pipe; false = refuse this peer. */
  pipeConnected(pipe: StreamPipe): boolean;
  /** @internal A command for a pipe. */
  pipeCommand(pipe: StreamPipe, command: Command): void;
  /** @internal Makes non-ZMTP connections (STREAM); undefined = ZMTP. */
  readonly connectionFactory: ConnectionFactory | undefined;
}

/**
 * A new connection over `stream`: ZMTP, unless the socket type brings its own kind (STREAM's
 * raw bytes, from `@monocoque/stream` with core's raw-connection.ts). This is the one place
 * the kinds part.
 */
function openConnection(owner: ConnectionOwner, host: EndpointHost, stream: Stream, endpoint: string): PeerConnection {
  const make = host.connectionFactory;
  return make === undefined ? new Connection(owner, stream, host.optionValues, host.type, endpoint) : make(owner, stream, host.optionValues, endpoint);
}

/** The peer of a connection, for events. */
export function peerOf(c: PeerConnection): EventPeer {
  return c.peer === undefined
    ? { address: c.remoteAddress }
    : { address: c.remoteAddress, routingId: c.peer.identity, socketType: c.peer.socketType };
}

/** The event type for a failed handshake. */
function handshakeErrorType(error: ZmqError): 'handshake:error:auth' | 'handshake:error:protocol' | 'handshake:error:other' {
  if (error.code === 'EACCES') return 'handshake:error:auth';
  if (error.code === 'EPROTO' || error.code === 'ENOCOMPATPROTO' || error.code === 'EMSGSIZE') return 'handshake:error:protocol';
  return 'handshake:error:other';
}

/** Errors after which libzmq does not reconnect (the peer would answer the same). */
function isFinal(error: ZmqError | undefined): boolean {
  return error !== undefined && (error.code === 'EACCES' || error.code === 'EPROTO' || error.code === 'ENOCOMPATPROTO' || error.code === 'EMSGSIZE');
}

/**
 * Let `c` carry `pipe` if `accept()` (the pattern) agrees, and announce the handshake;
 * undefined when refused (the connection then closes).
 */
function carry(host: EndpointHost, endpoint: string, pipe: StreamPipe, c: PeerConnection, accept: () => boolean): StreamPipe | undefined {
  pipe.attachConnection(c);
  if (!accept()) {
    pipe.detachConnection(c);
    return undefined;
  }
  // Raw connections have no handshake (libzmq's raw engine reports none).
  if (!c.raw) host.emitEvent({ type: 'handshake', address: endpoint, peer: peerOf(c) });
  return pipe;
}

/** Report a failed handshake (at once, also for a connection held open after ZAP 300). */
function reportHandshakeError(host: EndpointHost, c: PeerConnection, error: ZmqError): void {
  host.emitEvent({ type: handshakeErrorType(error), address: c.endpoint, peer: peerOf(c), error });
}

/** Report how a connection ended: a failed handshake, then the disconnect (libzmq emits both). */
function reportEnd(host: EndpointHost, c: PeerConnection, error: ZmqError | undefined, handshake: boolean): void {
  // A raw connection the socket closed itself (STREAM `send([id, ''])`) is not reported, as libzmq.
  if (c.raw && error === undefined) return;
  const peer = peerOf(c);
  if (handshake && error !== undefined && error !== c.heldError) reportHandshakeError(host, c, error);
  host.emitEvent(error === undefined ? { type: 'disconnect', address: c.endpoint, peer } : { type: 'disconnect', address: c.endpoint, peer, error });
}

/** One `bind()`: a listener and the pipes of its accepted connections. */
export class BoundEndpoint implements ConnectionOwner, PipeCarrier {
  listener: Listener | undefined;
  /** The resolved endpoint (real port for `tcp://host:*`). */
  resolved = '';
  private readonly connections = new Set<PeerConnection>();

  constructor(
    private readonly host: EndpointHost,
    /** The address given to `bind()`. */
    readonly requested: string,
  ) {}

  /** Start listening. */
  async listen(transport: Transport, endpoint: StreamEndpoint): Promise<void> {
    this.listener = await transport.listen(
      endpoint,
      (stream) => this.accept(stream),
      (error) =>
        this.host.emitEvent({
          type: 'accept:error',
          address: this.resolved || this.requested,
          error: new ZmqError('ECONNABORTED', `accept on ${this.resolved || this.requested} failed: ${error.message}`, { cause: error }),
        }),
    );
    this.resolved = this.listener.endpoint;
  }

  private accept(stream: Stream): void {
    if (this.host.isClosed() || this.listener === undefined) {
      stream.destroy();
      return;
    }
    this.host.emitEvent({ type: 'accept', address: this.resolved, peer: { address: stream.remoteAddress } });
    connectionArrived();
    const c = openConnection(this, this.host, stream, this.resolved);
    this.connections.add(c);
    c.start();
  }

  connectionReady(c: PeerConnection): StreamPipe | undefined {
    const pipe = new StreamPipe(this.host, this, this.host.optionValues, this.resolved, c.remoteAddress);
    return carry(this.host, this.resolved, pipe, c, () => this.host.adoptPipe(pipe));
  }

  connectionCommand(_c: PeerConnection, pipe: StreamPipe, command: Command): void {
    this.host.pipeCommand(pipe, command);
  }

  connectionEnded(c: PeerConnection, error: ZmqError | undefined, handshake: boolean): void {
    this.connections.delete(c);
    const pipe = c.pipe;
    if (pipe !== undefined) {
      pipe.detachConnection(c);
      pipe.close(0, error);
    }
    if (!this.host.isClosed() || error !== undefined) reportEnd(this.host, c, error, handshake);
  }

  handshakeFailed(c: PeerConnection, error: ZmqError): void {
    reportHandshakeError(this.host, c, error);
  }

  pipeDone(pipe: StreamPipe, linger: number): void {
    pipe.connection?.close(linger);
  }

  /** Stop listening; close handshaking connections (ready ones close with their pipes). */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    for (const c of [...this.connections]) if (!c.ready) c.close(0);
    if (listener === undefined) return;
    try {
      await listener.close();
      this.host.emitEvent({ type: 'close', address: this.resolved });
    } catch (error) {
      this.host.emitEvent({
        type: 'close:error',
        address: this.resolved,
        error: new ZmqError('EINVAL', `closing ${this.resolved} failed: ${String(error)}`, { cause: error }),
      });
    }
  }

  /** Close every accepted connection now (unbind). */
  dropConnections(): void {
    for (const c of [...this.connections]) {
      if (c.pipe !== undefined) c.pipe.close(0);
      c.close(0);
    }
  }
}

/** One `connect()`: its pipe, its connection, and reconnection. */
export class Connecter implements ConnectionOwner, PipeCarrier {
  /** The pipe (from `connect()` on, or per connection with `immediate`). */
  pipe: StreamPipe | undefined;
  private connection: PeerConnection | undefined;
  private attempt: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  private stopped = false;
  private readonly options: ResolvedOptions;

  constructor(
    private readonly host: EndpointHost,
    /** The address given to `connect()`. */
    readonly address: string,
    private readonly endpoint: StreamEndpoint,
    private readonly transport: Transport,
    /** Routing id for the peer (`Router.connect(addr, { routingId })`). */
    private readonly routingId: Buffer | undefined,
  ) {
    this.options = host.optionValues;
    this.interval = this.options.reconnectInterval;
  }

  /** Create the pipe (unless `immediate`) and make the first attempt. Returns false when the pattern refused the pipe. */
  start(): boolean {
    if (!this.options.immediate) {
      const pipe = this.newPipe(this.address);
      if (!this.host.adoptPipe(pipe)) return false;
      this.pipe = pipe;
    }
    this.connect();
    return true;
  }

  private newPipe(remote: string): StreamPipe {
    const pipe = new StreamPipe(this.host, this, this.options, this.address, remote);
    if (this.routingId !== undefined) pipe.routingId = this.routingId;
    return pipe;
  }

  private connect(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const attempt = new AbortController();
    this.attempt = attempt;
    const timeout = this.options.connectTimeout;
    let timer: NodeJS.Timeout | undefined;
    if (timeout > 0) {
      timer = setTimeout(() => attempt.abort(new ZmqError('ETIMEDOUT', `connect ${this.address} timed out after ${timeout} ms (connectTimeout)`)), timeout);
      timer.unref();
    }
    if (this.endpoint.protocol === 'tcp') this.host.emitEvent({ type: 'connect:delay', address: this.address });
    this.transport.connect(this.endpoint, { signal: attempt.signal }).then(
      (stream) => {
        clearTimeout(timer);
        if (this.attempt === attempt) this.attempt = undefined;
        if (this.stopped) {
          stream.destroy();
          return;
        }
        this.host.emitEvent({ type: 'connect', address: this.address, peer: { address: stream.remoteAddress } });
        const c = openConnection(this, this.host, stream, this.address);
        this.connection = c;
        c.start();
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (this.attempt === attempt) this.attempt = undefined;
        if (this.stopped) return;
        const reason = attempt.signal.aborted ? attempt.signal.reason : error;
        const err =
          reason instanceof ZmqError ? reason : new ZmqError('ECONNREFUSED', `connect ${this.address} failed: ${String(reason)}`, { cause: reason, address: this.address });
        this.host.emitEvent({ type: 'close', address: this.address });
        this.retry(err);
      },
    );
  }

  connectionReady(c: PeerConnection): StreamPipe | undefined {
    this.interval = this.options.reconnectInterval;
    const pipe = this.pipe;
    if (pipe === undefined) {
      // immediate: a pipe per connection.
      const fresh = this.newPipe(c.remoteAddress);
      this.pipe = carry(this.host, this.address, fresh, c, () => this.host.adoptPipe(fresh));
      return this.pipe;
    }
    // A closed pipe is lingering: the connection only delivers what is queued.
    return carry(this.host, this.address, pipe, c, () => pipe.closed || this.host.pipeConnected(pipe));
  }

  connectionCommand(_c: PeerConnection, pipe: StreamPipe, command: Command): void {
    this.host.pipeCommand(pipe, command);
  }

  connectionEnded(c: PeerConnection, error: ZmqError | undefined, handshake: boolean): void {
    if (this.connection === c) this.connection = undefined;
    const pipe = this.pipe;
    if (pipe !== undefined && pipe.connection === c) {
      pipe.detachConnection(c);
      if (this.options.immediate || isFinal(error)) {
        this.pipe = undefined;
        pipe.close(0, error);
      }
    }
    if (this.host.isClosed() && error === undefined && this.stopped) return;
    reportEnd(this.host, c, error, handshake);
    if (isFinal(error)) {
      this.stop();
      return;
    }
    if (!this.stopped) this.retry(error);
  }

  handshakeFailed(c: PeerConnection, error: ZmqError): void {
    reportHandshakeError(this.host, c, error);
  }

  private retry(error: ZmqError | undefined): void {
    if (this.timer !== undefined || this.stopped) return;
    const base = this.options.reconnectInterval;
    const delay = this.interval + Math.floor(Math.random() * base);
    const max = this.options.reconnectMaxInterval;
    if (max > base) this.interval = Math.min(this.interval * 2, max);
    this.host.emitEvent(error === undefined ? { type: 'connect:retry', address: this.address, interval: delay } : { type: 'connect:retry', address: this.address, interval: delay, error });
    this.timer = setTimeout(() => this.connect(), delay);
    this.timer.unref();
  }

  /** The pipe was closed and drained (or its linger ran out): stop and close the connection. */
  pipeDone(pipe: StreamPipe, linger: number): void {
    if (this.pipe === pipe) this.pipe = undefined;
    this.stop();
    this.connection?.close(linger);
  }

  /** `disconnect()`/`close()`: terminate the pipe with `linger` (queued messages may still go out). */
  terminate(linger: number): void {
    const pipe = this.pipe;
    if (pipe !== undefined && !pipe.closed) {
      pipe.close(linger);
      return;
    }
    this.stop();
    this.connection?.close(linger);
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.attempt !== undefined) {
      this.attempt.abort(new ZmqError('ECANCELED', `connect ${this.address} abandoned: the socket was closed or disconnected`));
      this.attempt = undefined;
      // The attempt's socket is closed: libzmq reports it (zeromq.js's last `close`).
      this.host.emitEvent({ type: 'close', address: this.address });
    }
  }
}
