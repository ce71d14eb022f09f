/**
 * zeromq.js's `Observer`: a socket monitor. `socket.events` is one already; `new
 * Observer(socket)` makes another, independent one (its own queue for `receive()` and
 * async iteration) fed by the same events. `x instanceof Observer` holds for both.
 */
import { type SocketEvent, SocketEvents } from '@monocoque/core';

/** A socket monitor (zeromq.js's `Observer`); see `socket.events`. */
export class Observer extends SocketEvents {
  readonly #source: SocketEvents;
  // SocketEvents' delivery method is internal to Monocoque (not in its public typings).
  readonly #deliver = (SocketEvents.prototype as unknown as { emit(this: SocketEvents, event: SocketEvent): void }).emit;
  readonly #forward = (event: SocketEvent): void => this.#deliver.call(this, event);

  /** Observe `socket`: every event it emits from now on. */
  constructor(socket: { readonly events: SocketEvents }) {
    super();
    // A zeromq.js observer is a monitor socket: events queue for receive() from creation on.
    (this as unknown as { queueing: boolean }).queueing = true;
    this.#source = socket.events;
    if (this.#source.closed) this.#deliver.call(this, { type: 'end', address: '' });
    else this.#source.on('*', this.#forward);
  }

  /** Stop observing: the observer ends (`closed` becomes true) and the socket is unaffected. */
  override close(): void {
    if (this.closed) return;
    this.#source.off('*', this.#forward);
    this.#deliver.call(this, { type: 'end', address: '' });
  }

  /** True for every socket monitor, `socket.events` included. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof SocketEvents;
  }
}
