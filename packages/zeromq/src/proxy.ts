/**
 * zeromq.js's `Proxy` on `@monocoque/proxy`: the same class shape (`frontEnd`, `backEnd`,
 * `run`, `pause`, `resume`, `terminate`), typed for this package's sockets, with errors in
 * zeromq.js's form (its codes and message texts, Monocoque's message kept as `cause`).
 * Semantics are `@monocoque/proxy`'s; docs/proxy.md lists where they differ from zeromq.js
 * (pause/resume do what their names say, unlike zeromq.js 6.8 with libzmq 4.3.5).
 */
import { ZmqError, isZmqError } from '@monocoque/core';
import { Proxy as MonocoqueProxy } from '@monocoque/proxy';
import { toZeromqError } from './errors.js';
import type { Socket } from './index.js';

/** zeromq.js's texts where they are its own rather than libzmq's `zmq_strerror`. */
function zeromqProxyError(error: unknown): unknown {
  if (isZmqError(error) && error.code === 'EINVAL') {
    const side = /^(Front-end|Back-end|Capture) socket must be bound or connected/.exec(error.message);
    if (side !== null) return new ZmqError('EINVAL', `${side[1]} socket must be bound or connected`, { cause: error });
  }
  return toZeromqError(error);
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw zeromqProxyError(error);
  }
}

/**
 * Proxies messages between two sockets (zeromq.js `Proxy`): everything received on one is
 * sent on the other, both ways, until {@link Proxy.terminate}. See `@monocoque/proxy`.
 *
 * @typeParam F the front-end socket type
 * @typeParam B the back-end socket type
 */
export class Proxy<F extends Socket = Socket, B extends Socket = Socket> {
  readonly #proxy: MonocoqueProxy;

  /**
   * @param frontEnd the front-end socket
   * @param backEnd the back-end socket
   */
  constructor(frontEnd: F, backEnd: B) {
    this.#proxy = call(() => new MonocoqueProxy(frontEnd as never, backEnd as never));
  }

  /** The front-end socket given to the constructor. */
  get frontEnd(): F {
    return this.#proxy.frontEnd as unknown as F;
  }

  /** The back-end socket given to the constructor. */
  get backEnd(): B {
    return this.#proxy.backEnd as unknown as B;
  }

  /** Forwards both ways until `terminate()`; resolves then, with both sockets closed. */
  run(): Promise<void> {
    return call(() => this.#proxy.run()).catch((error: unknown) => {
      throw zeromqProxyError(error);
    });
  }

  /** Suspends forwarding until `resume()`. Throws `EBADF` when the proxy is not running. */
  pause(): void {
    call(() => this.#proxy.pause());
  }

  /** Resumes forwarding after `pause()`. Throws `EBADF` when the proxy is not running. */
  resume(): void {
    call(() => this.#proxy.resume());
  }

  /** Stops the proxy and closes both sockets; `run()` resolves. Throws `EBADF` when not running. */
  terminate(): void {
    call(() => this.#proxy.terminate());
  }
}
