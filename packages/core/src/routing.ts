/**
 * The two routing strategies most patterns share (libzmq's fq_t and lb_t):
 * `FairQueue` reads one message per ready peer in turn; `LoadBalancer` sends to the next
 * peer that has room, round-robin.
 */
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
