/**
 * Pending `send()` and `receive()` calls of one socket (libzmq's blocking calls, made
 * asynchronous). Each queue is served in call order; a waiter may time out
 * (`sendTimeout`/`receiveTimeout` → `EAGAIN`) or be cancelled by `close()`. Every waiter
 * keeps the process alive while it waits (zeromq.js: a pending call does).
 */
import type { ZmqError } from '@monocoque/zmtp';
import { Deque } from './deque.js';
import { hold, release } from './keepalive.js';
import { willTurn } from './scheduler.js';

/** One pending call. */
export interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: ZmqError) => void;
  timer: NodeJS.Timeout | undefined;
}

/** A queue of pending calls. */
export class Waiters<W extends Waiter<never> | Waiter<unknown>> {
  private readonly queue = new Deque<W>();

  /** Number of waiting calls. */
  get length(): number {
    return this.queue.length;
  }

  /** The oldest waiting call. */
  peek(): W | undefined {
    return this.queue.peek();
  }

  /** Add a call; it times out after `timeout` ms (when > 0) with `onTimeout()`'s error. */
  add(waiter: W, timeout: number, onTimeout: () => ZmqError): void {
    if (timeout > 0) {
      waiter.timer = setTimeout(() => {
        if (this.queue.removeWhere((w) => w === waiter) > 0) {
          release();
          waiter.reject(onTimeout());
        }
      }, timeout);
    }
    hold();
    willTurn();
    this.queue.push(waiter);
  }

  /** Remove the oldest call (to settle it). */
  take(): W | undefined {
    const w = this.queue.shift();
    if (w !== undefined) {
      clearTimeout(w.timer);
      release();
    }
    return w;
  }

  /** Reject every call. */
  cancelAll(error: () => ZmqError): void {
    for (let w = this.take(); w !== undefined; w = this.take()) w.reject(error());
  }
}
