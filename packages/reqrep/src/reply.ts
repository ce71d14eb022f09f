/**
 * The REP socket — RFC 28/REQREP, section "The REP Socket Type".
 *
 * Design note. REP is a ROUTER that hides the envelope:
 *
 * - Requests are fair-queued over peers. Each request is split at its first empty frame
 *   (the delimiter): everything up to and including it is the *envelope* — one routing
 *   frame per hop when the request travelled through ROUTER/DEALER proxies, plus a REQ's
 *   request id with ZMQ_REQ_CORRELATE — and is saved; the rest is handed to the
 *   application. A request with no delimiter, or with nothing after it, is discarded.
 * - `send()` restores the saved envelope in front of the reply and writes it to the pipe
 *   the request came from. If that peer has gone (or its pipe is full) the reply is
 *   discarded silently, as libzmq's REP does; REP never waits to send.
 * - Strict alternation: `send()` without a received request, and `receive()` while a
 *   reply is owed, reject with `EFSM` (as do two concurrent `receive()` calls).
 */
import { type Message, type Pipe, Socket, type SocketOptions, ZmqError } from '@monocoque/core';

/** Options for {@link Reply}. */
export interface ReplyOptions extends SocketOptions {}

/**
 * A REP socket (zeromq.js `Reply`): receives requests fair-queued from REQ or DEALER
 * peers and sends each reply back to the peer the request came from, in strict
 * receive/send alternation.
 *
 * ```ts
 * const rep = new Reply();
 * await rep.bind('tcp://127.0.0.1:5555');
 * for await (const [request] of rep) await rep.send(['pong', request!]);
 * ```
 */
export class Reply extends Socket {
  /** The envelope of the request being answered; undefined when no reply is owed. */
  private envelope: Buffer[] | undefined;
  /** The pipe the request being answered came from. */
  private replyPipe: Pipe | undefined;

  /** Create a REP socket. */
  constructor(options: ReplyOptions = {}) {
    super('REP', options);
    this.sealAs(Reply);
  }

  /** A request is received only when no reply is owed, by one `receive()` at a time (`EFSM`). */
  protected override admitReceive(): void {
    if (this.envelope !== undefined) {
      throw efsm('REP cannot receive: the reply to the previous request has not been sent yet (call send() first)');
    }
    if (this.waitingReceives > 0) throw efsm('REP cannot receive: another receive() is already waiting for a request');
  }

  /**
   * A reply is sent only to a received request (`EFSM`); its envelope is restored so it
   * reaches the requester through every hop. A reply whose requester has gone is
   * discarded silently, as libzmq's REP does.
   */
  protected override admitSend(): void {
    if (this.envelope === undefined) throw efsm('REP cannot send: there is no request to reply to (receive a request first)');
  }

  protected attachPipe(_pipe: Pipe): boolean {
    return true;
  }

  protected detachPipe(_pipe: Pipe): void {
    // Nothing to do: requests still queued on the pipe are served; a reply to a vanished
    // peer is discarded by the closed pipe's write().
  }

  protected sendMessage(frames: Buffer[]): boolean {
    const envelope = this.envelope;
    const pipe = this.replyPipe;
    if (envelope === undefined || pipe === undefined) {
      throw efsm('REP cannot send: there is no request to reply to (receive a request first)');
    }
    this.envelope = undefined;
    this.replyPipe = undefined;
    // false (peer gone, or its queue full) means discarded, like libzmq's REP.
    pipe.write(envelope.concat(frames));
    return true;
  }

  protected receiveMessage(): Message | undefined {
    if (this.envelope !== undefined) return undefined;
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      let delimiter = 0;
      while (delimiter < message.length && message[delimiter]!.length !== 0) delimiter++;
      // Malformed: no delimiter, or no body after it. Discard, as libzmq does.
      if (delimiter >= message.length - 1) continue;
      this.envelope = message.slice(0, delimiter + 1);
      this.replyPipe = this.fairQueue.lastPipe;
      return message.slice(delimiter + 1);
    }
  }

  protected override hasIncoming(): boolean {
    return this.envelope === undefined && this.fairQueue.hasIn;
  }
}

function efsm(message: string): ZmqError {
  return new ZmqError('EFSM', message);
}
