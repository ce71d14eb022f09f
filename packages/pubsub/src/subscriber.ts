/**
 * SUB and XSUB (RFC 29 §"The SUB Socket Type" and §"The XSUB Socket Type"; libzmq's
 * xsub_t and sub_t).
 *
 * - Subscriptions are counted (RFC 37: "not idempotent"): every subscribe is sent
 *   upstream, an unsubscribe only when its count drops to zero — exactly what libzmq's
 *   XSUB does, and what an XPUB's set-per-peer index expects.
 * - They go out as SUBSCRIBE/CANCEL commands to ZMTP 3.1 peers and as `0x01`/`0x00` +
 *   prefix messages to ZMTP 3.0 peers (`Pipe.sendSubscription` picks the form).
 * - Every new connection, including each reconnection, first gets every current prefix,
 *   once each (RFC 29: "SHALL ... send all subscriptions on (re)connect").
 * - Receive is fair-queued across publishers. SUB also filters locally against its own
 *   subscriptions (a ZMTP 3.0 peer or a manual XPUB may send anything), so a SUB with no
 *   subscription receives nothing. XSUB does not filter, like libzmq.
 * - XSUB `send()` takes subscription messages (`[0x01+prefix]`, `[0x00+prefix]`); any
 *   other message is passed upstream to every publisher (dropped for a peer over its
 *   high-water mark; never waits).
 */
import { BASE_OPTIONS, type Message, type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError } from '@monocoque/core';
import { type PrefixLike, isSubscriptionFrame, toPrefix } from './subscription.js';
import { RemoveResult, SubscriptionIndex } from './trie.js';

/** Options for {@link Subscriber} and {@link XSubscriber}. */
export interface SubscriberOptions extends SocketOptions {
  /** Not supported: accepted only as false. */ conflate?: boolean;
  /** Not supported: accepted only as false. */ invertMatching?: boolean;
}

// libzmq's XSUB (and so SUB) defaults to linger 0: pending subscriptions are not worth
// waiting for at close. zeromq.js reports the same default.
const LINGER_0: OptionSpec = { ...BASE_OPTIONS.find((o) => o.name === 'linger')!, default: 0 };
const SUB_OPTIONS: readonly OptionSpec[] = [LINGER_0, UNSUPPORTED_PATTERN_OPTIONS.conflate, UNSUPPORTED_PATTERN_OPTIONS.invertMatching];
const XSUB_OPTIONS: readonly OptionSpec[] = [LINGER_0];

const SELF = true;

/**
 * The subscribing side shared by SUB and XSUB. Not constructed directly: use
 * {@link Subscriber} or {@link XSubscriber}.
 */
export abstract class SubscriberBase extends Socket {
  /** @internal our own subscriptions, counted */
  protected readonly subscriptions = new SubscriptionIndex<true>();
  private readonly upstream = new Set<Pipe>();
  private readonly filter: boolean;
  private peeked: Message | undefined;

  protected constructor(type: 'SUB' | 'XSUB', options: SubscriberOptions) {
    super(type, options, type === 'SUB' ? SUB_OPTIONS : XSUB_OPTIONS);
    this.filter = type === 'SUB';
  }

  /** Number of distinct prefixes currently subscribed. */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.upstream.add(pipe);
    this.resubscribe(pipe);
    return true;
  }

  /** Every (re)connection first gets every current prefix (RFC 29). */
  protected override onPipeConnected(pipe: Pipe): boolean {
    this.resubscribe(pipe);
    return true;
  }

  private resubscribe(pipe: Pipe): void {
    // A pipe without a connection yet gets them when it connects (onPipeConnected).
    if (!pipe.connected) return;
    for (const prefix of this.subscriptions.prefixList()) pipe.sendSubscription(true, prefix);
  }

  protected detachPipe(pipe: Pipe): void {
    this.upstream.delete(pipe);
  }

  protected receiveMessage(): Message | undefined {
    const peeked = this.peeked;
    if (peeked !== undefined) {
      this.peeked = undefined;
      return peeked;
    }
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      if (!this.filter || this.subscriptions.matches(message[0]!)) return message;
      // Not subscribed (a 3.0 publisher, or a manual XPUB): drop it.
    }
  }

  protected override hasIncoming(): boolean {
    if (this.peeked === undefined) this.peeked = this.receiveMessage();
    return this.peeked !== undefined;
  }

  /** Count a subscribe and send it to every publisher (libzmq sends duplicates too). */
  protected addSubscription(prefix: Buffer): void {
    this.subscriptions.add(prefix, SELF, true);
    for (const pipe of this.upstream) pipe.sendSubscription(true, prefix);
  }

  /** Count an unsubscribe; send it when nothing of the prefix is left. */
  protected removeSubscription(prefix: Buffer): void {
    if (this.subscriptions.remove(prefix, SELF, true) !== RemoveResult.Last) return;
    for (const pipe of this.upstream) pipe.sendSubscription(false, prefix);
    // Messages already queued for the prefix are no longer wanted; `receive` filters them.
  }

  /** Pass a message upstream to every publisher, dropping it for peers over their HWM. */
  protected sendUpstream(frames: Buffer[]): void {
    for (const pipe of this.upstream) pipe.write(frames);
  }
}

/**
 * A SUB socket: receives the messages whose first frame starts with one of its
 * subscriptions. It never sends.
 *
 * ```ts
 * const sub = new Subscriber();
 * sub.connect('tcp://127.0.0.1:5556');
 * sub.subscribe('weather.');
 * for await (const [topic, body] of sub) console.log(topic.toString(), body.toString());
 * ```
 */
export class Subscriber extends SubscriberBase {
  constructor(options: SubscriberOptions = {}) {
    super('SUB', options);
    this.sealAs(Subscriber);
  }

  /**
   * Subscribe to messages whose first frame starts with each prefix (`ZMQ_SUBSCRIBE`).
   * Without arguments, to everything (the empty prefix). Subscriptions are counted:
   * subscribing twice needs two unsubscribes.
   */
  subscribe(...prefixes: PrefixLike[]): void {
    this.assertUsable();
    if (prefixes.length === 0) prefixes = [''];
    for (const p of prefixes.map(toPrefix)) this.addSubscription(p);
  }

  /**
   * Undo one `subscribe` of each prefix (`ZMQ_UNSUBSCRIBE`); without arguments, of the
   * empty prefix. Publishers are told once the last one is undone.
   */
  unsubscribe(...prefixes: PrefixLike[]): void {
    this.assertUsable();
    if (prefixes.length === 0) prefixes = [''];
    for (const p of prefixes.map(toPrefix)) this.removeSubscription(p);
  }

  /** A SUB socket cannot send: `send()` rejects and `write()` throws with `ENOTSUP`. */
  protected override admitSend(): void {
    throw new ZmqError('ENOTSUP', 'a SUB socket cannot send (use subscribe()/unsubscribe(), or an XSubscriber)');
  }

  protected sendMessage(): boolean {
    throw new ZmqError('ENOTSUP', 'a SUB socket cannot send');
  }

  private assertUsable(): void {
    if (this.closed) throw new ZmqError('EBADF', 'the socket is closed');
  }
}

/**
 * An XSUB socket: subscribes by sending subscription messages (`[0x01 + prefix]`,
 * `[0x00 + prefix]`), passes any other sent message upstream, and receives everything
 * its publishers send (no local filtering).
 *
 * ```ts
 * const xsub = new XSubscriber();
 * xsub.connect('tcp://127.0.0.1:5556');
 * await xsub.send(Buffer.from('\x01weather.'));
 * const [topic, body] = await xsub.receive();
 * ```
 */
export class XSubscriber extends SubscriberBase {
  constructor(options: SubscriberOptions = {}) {
    super('XSUB', options);
    this.sealAs(XSubscriber);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    const first = frames[0];
    if (isSubscriptionFrame(first)) {
      const prefix = first.subarray(1);
      if (first[0] === 1) this.addSubscription(prefix);
      else this.removeSubscription(prefix);
      return true;
    }
    this.sendUpstream(frames);
    return true;
  }
}
