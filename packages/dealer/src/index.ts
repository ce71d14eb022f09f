/**
 * @monocoque/dealer — the DEALER socket (RFC 28): round-robin send to peers that have
 * room, fair-queued receive, no envelope handling. Talks to REP, DEALER and ROUTER peers.
 *
 * ```ts
 * import { Dealer } from '@monocoque/dealer';
 * const dealer = new Dealer({ routingId: 'client-1' });
 * dealer.connect('tcp://127.0.0.1:5555');
 * await dealer.send(['', 'hello']);
 * const [, reply] = await dealer.receive();
 * ```
 */
import { LoadBalancer, type Message, type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS } from '@monocoque/core';

/** Options for {@link Dealer}. */
export interface DealerOptions extends SocketOptions {
  /** Not supported: accepted only as false. */ conflate?: boolean;
  /** Not supported: accepted only as false. */ probeRouter?: boolean;
}

const DEALER_OPTIONS: readonly OptionSpec[] = [UNSUPPORTED_PATTERN_OPTIONS.conflate, UNSUPPORTED_PATTERN_OPTIONS.probeRouter];

/** A DEALER socket. */
export class Dealer extends Socket {
  private readonly lb = new LoadBalancer();

  constructor(options: DealerOptions = {}) {
    super('DEALER', options, DEALER_OPTIONS);
    this.sealAs(Dealer);
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.lb.add(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    this.lb.remove(pipe);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    return this.lb.send(frames) !== undefined;
  }

  protected receiveMessage(): Message | undefined {
    return this.fairQueue.read();
  }

  protected override hasOutgoing(): boolean {
    return this.lb.hasOut;
  }
}
