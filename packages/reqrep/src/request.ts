/**
 * The REQ socket — RFC 28/REQREP, section "The REQ Socket Type".
 *
 * Design note. REQ is a DEALER with an envelope and a strict state machine:
 *
 * - `send()` prepends the empty delimiter frame (and, with `correlate`, a 4-byte request
 *   id frame before it: ZMQ_REQ_CORRELATE) and round-robins the request over peers that
 *   can take it (`LoadBalancer`); with no such peer the send waits, never drops.
 * - A reply is accepted only from the pipe the last request went to, only when it starts
 *   with the delimiter (after the matching request id with `correlate`) and has a body.
 *   Everything else is discarded silently, as libzmq does.
 * - Strict alternation: a `send()` while a request is outstanding — written and awaiting
 *   its reply, *or still queued in the socket base because no peer could take it yet* —
 *   rejects at once with `EFSM`. `receive()` with no request outstanding rejects with
 *   `EFSM`. With `relaxed` (ZMQ_REQ_RELAXED) a new send abandons the outstanding request
 *   instead; queued sends go out in order, each abandoning the previous one (exactly what
 *   a blocking libzmq application calling send twice gets).
 * - When a request is written, messages already queued from any peer are discarded: they
 *   arrived before the request existed, so they cannot be its reply (libzmq would drop
 *   them too, or — for a stale reply from the same peer — wrongly accept one).
 *
 * The EFSM checks are admission hooks (`admitSend`/`admitReceive`): the socket base asks
 * before it queues a send, and tells `sendAbandoned` when an admitted send never went
 * out; `sendMessage` keeps a defensive check.
 */
import { LoadBalancer, type Message, type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError } from '@monocoque/core';

const DELIMITER = Buffer.alloc(0);

/** Options for {@link Request}. */
export interface RequestOptions extends SocketOptions {
  /**
   * Allow a new request while the previous one is still awaiting its reply; the previous
   * request is abandoned and its reply discarded (`ZMQ_REQ_RELAXED`). Default false.
   * Combine with `correlate` so a late reply to an abandoned request cannot be taken for
   * the reply to the new one.
   */
  relaxed?: boolean;
  /**
   * Prefix each request with a 4-byte request id frame and accept only replies that carry
   * the current id back (`ZMQ_REQ_CORRELATE`). Default false.
   */
  correlate?: boolean;
  /** Not supported: accepted only as false. */
  probeRouter?: boolean;
}

const REQUEST_OPTIONS: readonly OptionSpec[] = [
  { name: 'relaxed', kind: 'bool', default: false, applies: 'now' },
  { name: 'correlate', kind: 'bool', default: false, applies: 'now' },
  UNSUPPORTED_PATTERN_OPTIONS.probeRouter,
];

/**
 * A REQ socket (zeromq.js `Request`): sends requests round-robin to REP or ROUTER peers
 * and receives each reply from the peer its request went to, in strict send/receive
 * alternation.
 *
 * ```ts
 * const req = new Request();
 * req.connect('tcp://127.0.0.1:5555');
 * await req.send('ping');
 * const [reply] = await req.receive();
 * ```
 */
export class Request extends Socket {
  /** Allow a new request before the previous reply arrived, abandoning it (`ZMQ_REQ_RELAXED`). */
  declare relaxed: boolean;
  /** Tag requests with a request id and accept only replies carrying it (`ZMQ_REQ_CORRELATE`). */
  declare correlate: boolean;
  /** Not supported: accepted only as false. */
  declare probeRouter: boolean;

  private readonly lb = new LoadBalancer();
  /** `relaxed` and `correlate`, read on every request. */
  private relax: boolean;
  private tagRequests: boolean;
  /** Sends accepted by `send()`/`write()` that have not been written to a pipe yet. */
  private queuedRequests = 0;
  /** A request was written and its reply has not been received. */
  private awaitingReply = false;
  /** The pipe the outstanding request went to: the only one a reply is accepted from. */
  private replyPipe: Pipe | undefined;
  /** The id frame of the outstanding request, when it was sent with `correlate`. */
  private requestId: Buffer | undefined;
  private nextRequestId = (Math.random() * 0x1_0000_0000) >>> 0;

  /** Create a REQ socket. */
  constructor(options: RequestOptions = {}) {
    super('REQ', options, REQUEST_OPTIONS);
    this.relax = this.getOption('relaxed') === true;
    this.tagRequests = this.getOption('correlate') === true;
    this.sealAs(Request);
  }

  /**
   * A new request is admitted unless one is outstanding (`EFSM`), or with `relaxed`, when
   * it abandons the outstanding one.
   */
  protected override onOptionChange(name: string, value: unknown): void {
    if (name === 'relaxed') this.relax = value === true;
    else if (name === 'correlate') this.tagRequests = value === true;
  }

  protected override admitSend(): void {
    const busy = this.busyReason();
    if (busy !== undefined) throw efsm(`REQ cannot send: ${busy}`);
    this.abandon();
    this.queuedRequests++;
  }

  protected override sendAbandoned(): void {
    if (this.queuedRequests > 0) this.queuedRequests--;
  }

  /** A reply is awaited only with a request outstanding, and by one `receive()` at a time (`EFSM`). */
  protected override admitReceive(): void {
    if (!this.awaitingReply && this.queuedRequests === 0) {
      throw efsm('REQ cannot receive: no request is outstanding (send a request first; each request gets exactly one reply)');
    }
    if (this.waitingReceives > 0) {
      throw efsm('REQ cannot receive: another receive() is already waiting for the reply to the outstanding request');
    }
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.lb.add(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    // replyPipe is kept: a reply already queued on a vanished pipe is still delivered.
    // If it never came, a strict REQ waits (as in libzmq): use receiveTimeout, or relaxed.
    this.lb.remove(pipe);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    if (this.awaitingReply && !this.relax) {
      throw efsm('REQ cannot send: the previous request has not received its reply yet (set relaxed: true to abandon it)');
    }
    let id: Buffer | undefined;
    let request: Buffer[];
    if (this.tagRequests) {
      id = Buffer.allocUnsafe(4);
      id.writeUInt32BE(this.nextRequestId, 0);
      request = [id, DELIMITER, ...frames];
    } else {
      request = [DELIMITER, ...frames];
    }
    const pipe = this.lb.send(request);
    if (pipe === undefined) return false;
    // Anything queued before now predates this request, so it cannot be its reply. (No
    // reply can have arrived yet: even over inproc the peer answers asynchronously.)
    while (this.fairQueue.read() !== undefined) {
      /* discard */
    }
    if (id !== undefined) this.nextRequestId = (this.nextRequestId + 1) >>> 0;
    this.requestId = id;
    this.replyPipe = pipe;
    this.awaitingReply = true;
    if (this.queuedRequests > 0) this.queuedRequests--;
    return true;
  }

  protected receiveMessage(): Message | undefined {
    if (!this.awaitingReply) return undefined;
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      if (this.fairQueue.lastPipe !== this.replyPipe) continue; // not from the peer we asked
      let at = 0;
      const id = this.requestId;
      if (id !== undefined) {
        if (!id.equals(message[0]!)) continue; // another request's reply, or no id
        at = 1;
      }
      // The delimiter, then at least one body frame; otherwise malformed.
      if (message.length < at + 2 || message[at]!.length !== 0) continue;
      this.awaitingReply = false;
      this.replyPipe = undefined;
      this.requestId = undefined;
      return message.slice(at + 1);
    }
  }

  protected override hasIncoming(): boolean {
    return this.awaitingReply && this.fairQueue.hasIn;
  }

  protected override hasOutgoing(): boolean {
    return this.busyReason() === undefined && this.lb.hasOut;
  }

  /** Why a new request is not allowed now, or undefined when it is. */
  private busyReason(): string | undefined {
    if (this.relax) return undefined;
    if (this.awaitingReply) return 'the previous request has not received its reply yet (receive it first, or set relaxed: true)';
    if (this.queuedRequests > 0) return 'the previous request is still waiting for a peer to take it (set relaxed: true to allow queuing another)';
    return undefined;
  }

  /** Relaxed mode: a new request abandons the outstanding one (its reply is discarded). */
  private abandon(): void {
    if (!this.awaitingReply) return;
    this.awaitingReply = false;
    this.replyPipe = undefined;
    this.requestId = undefined;
  }
}

function efsm(message: string): ZmqError {
  return new ZmqError('EFSM', message);
}
