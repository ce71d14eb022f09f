/**
 * The socket monitor (`socket.events`), shaped like zeromq.js v6's `Observer`: the same
 * event names, payloads and meanings (libzmq's `zmq_socket_monitor` events), `on`/`off`
 * that chain, `receive()` for the next event, async iteration, and `end` once when the
 * socket closes.
 *
 * Beyond zeromq.js, events about one connection carry `peer`: the remote address and,
 * once the handshake told it, the peer's routing id and socket type.
 */
import type { ZmqError } from '@monocoque/zmtp';

/** The peer an event is about. */
export interface EventPeer {
  /** The remote address, e.g. `tcp://127.0.0.1:40312` or `ipc:///tmp/x.sock`. */
  readonly address: string;
  /** The routing id the peer announced (empty when it sent none); known from `handshake` on. */
  readonly routingId?: Buffer;
  /** The peer's socket type; known from `handshake` on. */
  readonly socketType?: string;
}

interface At<T extends string> {
  readonly type: T;
  /** The endpoint: the address given to `bind()`/`connect()` (resolved for `tcp://host:*`). */
  readonly address: string;
}
interface WithPeer {
  /** The connection's peer. */
  readonly peer?: EventPeer;
}
interface WithError {
  /** What went wrong. Auth errors (`handshake:error:auth`) carry the ZAP `status`. */
  readonly error: ZmqError;
}

/** Every event, a union discriminated by `type`. */
export type SocketEvent =
  | (At<'bind'> & WithPeer)
  | (At<'bind:error'> & WithError)
  | (At<'accept'> & WithPeer)
  | (At<'accept:error'> & WithError)
  | (At<'connect'> & WithPeer)
  | At<'connect:delay'>
  | (At<'connect:retry'> & { readonly interval: number; readonly error?: ZmqError })
  | (At<'close'> & WithPeer)
  | (At<'close:error'> & WithError)
  | (At<'disconnect'> & WithPeer & { readonly error?: ZmqError })
  | (At<'handshake'> & WithPeer)
  | (At<'handshake:error:protocol'> & WithPeer & WithError)
  | (At<'handshake:error:auth'> & WithPeer & WithError)
  | (At<'handshake:error:other'> & WithPeer & WithError)
  | At<'end'>
  | (At<'unknown'> & WithPeer);

/** The event names. */
export type SocketEventType = SocketEvent['type'];

/** The event of one type. */
export type SocketEventOf<T extends SocketEventType> = Extract<SocketEvent, { type: T }>;

type AnyListener = (event: SocketEvent) => void;

/** The monitor of one socket (zeromq.js's `Observer`). */
export class SocketEvents implements AsyncIterable<SocketEvent> {
  private readonly listeners = new Map<string, AnyListener[]>();
  private readonly queue: SocketEvent[] = [];
  private readonly waiting: Array<(event: IteratorResult<SocketEvent>) => void> = [];
  private queueing = false;
  private ended = false;

  /** Whether the socket closed and every event was delivered (`end` was emitted). */
  get closed(): boolean {
    return this.ended;
  }

  /** Call `listener` for every event of `type` (`'*'`: all events). Returns this observer. */
  on<T extends SocketEventType>(type: T, listener: (event: SocketEventOf<T>) => void): this;
  on(type: '*', listener: (event: SocketEvent) => void): this;
  on(type: string, listener: (event: never) => void): this {
    const list = this.listeners.get(type);
    if (list === undefined) this.listeners.set(type, [listener as AnyListener]);
    else list.push(listener as AnyListener);
    return this;
  }

  /** Stop calling `listener` for `type`. Returns this observer. */
  off<T extends SocketEventType>(type: T | '*', listener: (event: SocketEventOf<T>) => void): this {
    const list = this.listeners.get(type);
    const i = list?.indexOf(listener as AnyListener) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    return this;
  }

  /** Resolve with the next event of `type`. */
  once<T extends SocketEventType>(type: T): Promise<SocketEventOf<T>> {
    return new Promise((resolve) => {
      const listener = (event: SocketEventOf<T>) => {
        this.off(type, listener);
        resolve(event);
      };
      this.on(type, listener);
    });
  }

  /**
   * The next event. Events are buffered from the first call on (zeromq.js: do not mix
   * this with `on()` for the same events). After the socket closed and the buffer is
   * empty, it resolves with an `end` event.
   */
  receive(): Promise<SocketEvent> {
    this.queueing = true;
    const next = this.queue.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.ended) return Promise.resolve({ type: 'end', address: '' });
    return new Promise((resolve) => this.waiting.push((r) => resolve(r.done ? { type: 'end', address: '' } : r.value)));
  }

  /** Iterate over events until the socket closes (after `end`). */
  [Symbol.asyncIterator](): AsyncIterator<SocketEvent> {
    this.queueing = true;
    return {
      next: (): Promise<IteratorResult<SocketEvent>> => {
        const next = this.queue.shift();
        if (next !== undefined) return Promise.resolve({ value: next, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  /**
   * Stop observing (zeromq.js's `Observer.close()`): the observer ends now, as if the socket
   * had closed (`end` is delivered, iteration finishes, `closed` becomes true); later socket
   * events are not delivered. The socket itself is unaffected.
   */
  close(): void {
    if (!this.ended) this.emit({ type: 'end', address: '' });
  }

  /** @internal Deliver an event. */
  emit(event: SocketEvent): void {
    if (this.ended) return;
    const list = this.listeners.get(event.type);
    if (list !== undefined) for (const l of list.slice()) l(event);
    const all = this.listeners.get('*');
    if (all !== undefined) for (const l of all.slice()) l(event);
    if (event.type === 'end') this.ended = true;
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter({ value: event, done: false });
    else if (this.queueing) this.queue.push(event);
    if (this.ended) for (let w = this.waiting.shift(); w !== undefined; w = this.waiting.shift()) w({ value: undefined, done: true });
  }
}
