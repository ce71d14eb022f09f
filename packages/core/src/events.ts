/**
 * Per-socket event sink (the monitor): connection life-cycle events named as in
 * zeromq.js v6 (`socket.events`). Listeners are called synchronously; an async iterator
 * buffers events while someone iterates.
 */
import type { ZmqError } from '@monocoque/zmtp';

/** Event types, as zeromq.js names them. */
export type SocketEventType =
  | 'accept'
  | 'accept:error'
  | 'bind:error'
  | 'connect'
  | 'connect:delay'
  | 'connect:retry'
  | 'close'
  | 'close:error'
  | 'disconnect'
  | 'end'
  | 'handshake'
  | 'handshake:error:protocol'
  | 'handshake:error:auth'
  | 'handshake:error:other'
  | 'listening'
  | 'unknown';

/** One event. */
export interface SocketEvent {
  /** What happened. */
  readonly type: SocketEventType;
  /** The endpoint or peer address it concerns. */
  readonly address: string;
  /** The error, for error events and abnormal disconnects. */
  readonly error?: ZmqError;
  /** The remote peer's address, for events about one connection. */
  readonly peer?: string;
  /** Milliseconds until the next attempt (`connect:retry`). */
  readonly interval?: number;
}

type Listener = (event: SocketEvent) => void;

/** The event sink of one socket. */
export class SocketEvents implements AsyncIterable<SocketEvent> {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly iterators = new Set<{ buffer: SocketEvent[]; wake: (() => void) | undefined }>();
  private ended = false;

  /** Listen for one event type, or `'*'` for all. Returns a function that unsubscribes. */
  on(type: SocketEventType | '*', listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** Remove a listener. */
  off(type: SocketEventType | '*', listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  /** Wait for the next event of a type (resolves with it). */
  once(type: SocketEventType): Promise<SocketEvent> {
    return new Promise((resolve) => {
      const off = this.on(type, (e) => {
        off();
        resolve(e);
      });
    });
  }

  /** @internal Emit an event. */
  emit(event: SocketEvent): void {
    if (this.ended) return;
    for (const l of this.listeners.get(event.type) ?? []) l(event);
    for (const l of this.listeners.get('*') ?? []) l(event);
    for (const it of this.iterators) {
      it.buffer.push(event);
      it.wake?.();
    }
  }

  /** @internal The socket closed: iterators finish after the buffered events. */
  end(): void {
    this.ended = true;
    for (const it of this.iterators) it.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SocketEvent> {
    const it = { buffer: [] as SocketEvent[], wake: undefined as (() => void) | undefined };
    this.iterators.add(it);
    try {
      for (;;) {
        const next = it.buffer.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (it.wake = resolve));
        it.wake = undefined;
      }
    } finally {
      this.iterators.delete(it);
    }
  }
}
