/**
 * The two routing strategies most patterns share (libzmq's fq_t and lb_t):
 * `FairQueue` reads one message per ready peer in turn; `LoadBalancer` sends to the next
 * peer that has room, round-robin. Plus what the single-part draft types share:
 * `RoutingIds` (SERVER, PEER), `assertSinglePart` and `readSinglePart`.
 */
import { ZmqError } from '@monocoque/zmtp';
import { Deque } from './deque.js';
import type { Message, Pipe } from './pipe.js';

/** Fair-queued receive across pipes: O(1) per message, however many peers. */
export class FairQueue {
  private readonly ring = new Deque<Pipe>();
  /** The pipe the last message came from. */
  lastPipe: Pipe | undefined;

  /** A pipe has a queued message: give it a turn. */
  activate(pipe: Pipe): void {
    if (pipe.inFairQueue) return;
    pipe.inFairQueue = true;
    this.ring.push(pipe);
  }

  /** Read the next message, taking pipes in turn. */
  read(): Message | undefined {
    for (;;) {
      const pipe = this.ring.peek();
      if (pipe === undefined) return undefined;
      const message = pipe.read();
      if (message === undefined) {
        this.ring.shift();
        pipe.inFairQueue = false;
        continue;
      }
      if (!pipe.hasIn) {
        this.ring.shift();
        pipe.inFairQueue = false;
      } else if (this.ring.length > 1) {
        // Next turn goes to the next pipe: rotate.
        this.ring.push(this.ring.shift()!);
      }
      this.lastPipe = pipe;
      return message;
    }
  }

  /** Whether any message is queued. */
  get hasIn(): boolean {
    return this.ring.length > 0;
  }

  /** How many messages the pipes with a turn hold (an upper bound of what reads will give). */
  get queued(): number {
    let n = 0;
    for (let i = 0; i < this.ring.length; i++) n += this.ring.at(i)!.queuedIn;
    return n;
  }
}

/** Round-robin send to the next pipe with room. */
export class LoadBalancer {
  private readonly pipes: Pipe[] = [];
  private current = 0;

  /** Add a peer. */
  add(pipe: Pipe): void {
    this.pipes.push(pipe);
  }

  /** Remove a peer. */
  remove(pipe: Pipe): void {
    const i = this.pipes.indexOf(pipe);
    if (i < 0) return;
    this.pipes.splice(i, 1);
    if (this.current > i) this.current--;
    if (this.current >= this.pipes.length) this.current = 0;
  }

  /** Number of peers. */
  get size(): number {
    return this.pipes.length;
  }

  /**
   * Send to the next pipe with room. Returns the pipe used, or undefined when no pipe can
   * take the message (the caller waits for `pipeWritable`).
   */
  send(message: readonly Buffer[]): Pipe | undefined {
    const n = this.pipes.length;
    for (let i = 0; i < n; i++) {
      const index = (this.current + i) % n;
      const pipe = this.pipes[index]!;
      if (pipe.write(message)) {
        this.current = (index + 1) % n;
        return pipe;
      }
    }
    return undefined;
  }

  /** Whether some pipe could take a message now. */
  get hasOut(): boolean {
    return this.pipes.some((p) => p.writable);
  }
}

/**
 * Numeric routing ids for the draft types that address peers by a uint32 (SERVER, PEER;
 * RFC 41, RFC 51): each pipe gets a non-zero id when it joins, counted up from a random
 * start and skipping ids in use (libzmq's `server_t::_next_routing_id`). The id is kept in
 * `pipe.patternState` for the pipe's life, across reconnections.
 */
export class RoutingIds {
  private readonly byId = new Map<number, Pipe>();
  private next = (Math.random() * 0x1_0000_0000) >>> 0;

  /** Give `pipe` a fresh id; returns it. */
  add(pipe: Pipe): number {
    let id = this.next;
    // Never zero, never one in use (after 2^32 pipes the counter wraps).
    while (id === 0 || this.byId.has(id)) id = (id + 1) >>> 0;
    this.next = (id + 1) >>> 0;
    pipe.patternState = id;
    this.byId.set(id, pipe);
    return id;
  }

  /** Forget `pipe`'s id. */
  remove(pipe: Pipe): void {
    const id = pipe.patternState as number;
    if (this.byId.get(id) === pipe) this.byId.delete(id);
  }

  /**
   * The pipe a `send(message, { routingId })` goes to. Throws `EINVAL` when `options` holds
   * no uint32 `routingId`, `EHOSTUNREACH` when no peer has it.
   */
  pipeFor(type: string, options: { routingId?: unknown } | undefined): Pipe {
    const id = options?.routingId;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
      throw new ZmqError('EINVAL', `${type} send: expected { routingId } with a uint32 routing id as the second argument, got ${describe(options)}`);
    }
    const pipe = this.byId.get(id);
    if (pipe === undefined) throw new ZmqError('EHOSTUNREACH', `${type} send: no peer with routing id ${id} is connected`);
    return pipe;
  }

  /** The id of `pipe` (given by {@link add}). */
  static of(pipe: Pipe): number {
    return pipe.patternState as number;
  }
}

/** Single-part socket types (the draft ones) refuse a multipart send with `EINVAL`. */
export function assertSinglePart(type: string, frames: readonly Buffer[]): void {
  if (frames.length !== 1) throw new ZmqError('EINVAL', `${type} send: messages are single-part, got ${frames.length} frames`);
}

/**
 * The next single-part message from `queue` (a one-frame array); multipart messages from
 * the wire are dropped whole, as libzmq's draft types do in `xrecv`.
 */
export function readSinglePart(queue: FairQueue): [Buffer] | undefined {
  for (;;) {
    const message = queue.read();
    if (message === undefined) return undefined;
    if (message.length === 1) return message as [Buffer];
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'none';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
