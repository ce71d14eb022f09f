/**
 * PUB and XPUB (RFC 29 §"The PUB Socket Type" and §"The XPUB Socket Type"; libzmq's
 * xpub_t, pub_t and dist_t).
 *
 * - Every peer's subscriptions live in one {@link SubscriptionIndex}; a publish matches the
 *   first frame against it, encodes the message once (`prepareMessage`) and writes the
 *   shared encoding to each matching pipe (`Pipe.writePrepared`). Cost: O(topic length +
 *   matching peers), independent of the number of subscriptions.
 * - A peer with no subscription gets nothing. A peer over its send high-water mark loses
 *   the message; others still get it, and `send()` never waits (RFC 29: "SHALL NOT
 *   block"). With `noDrop` (`ZMQ_XPUB_NODROP`) the send waits instead until every matching
 *   peer has room.
 * - Subscriptions arrive as SUBSCRIBE/CANCEL commands (ZMTP 3.1, RFC 37) or as
 *   `0x01`/`0x00` + prefix messages (ZMTP 3.0, RFC 23); both are accepted from any peer.
 *   Per peer they are a set, as in libzmq's mtrie: a duplicate SUBSCRIBE changes nothing
 *   and one CANCEL removes the prefix (a libzmq SUB counts locally and sends only its last
 *   CANCEL, so counting here would keep delivering after it unsubscribed).
 * - XPUB passes subscription messages to the application (`receive()` →
 *   `[0x01+prefix]` / `[0x00+prefix]`): new prefixes and prefixes nobody holds any more;
 *   with `verbose` every subscribe, with `verboser` also every unsubscribe; synthesized
 *   unsubscribes when a peer goes away; in `manual` mode every subscription message, with
 *   the application deciding through `subscribe()`/`unsubscribe()` what the last peer it
 *   heard from gets. Other messages from peers (an XSUB's upstream traffic) are passed up
 *   as they are.
 */
import { type Message, type OptionSpec, type Pipe, type PreparedMessage, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError, prepareMessage } from '@monocoque/core';
import { Deque } from '@monocoque/core';
import { type PrefixLike, isSubscriptionFrame, subscriptionMessage, toPrefix } from './subscription.js';
import { AddResult, RemoveResult, SubscriptionIndex } from './trie.js';

/** Options shared by {@link Publisher} and {@link XPublisher}. */
export interface PublisherOptions extends SocketOptions {
  /**
   * Wait (up to `sendTimeout`) when a matching peer is over its high-water mark instead of
   * dropping the message for that peer (`ZMQ_XPUB_NODROP`). Default false.
   */
  noDrop?: boolean;
}

/** Options for {@link XPublisher}. */
export interface XPublisherOptions extends PublisherOptions {
  /** Pass every subscribe to the application, duplicates included (`ZMQ_XPUB_VERBOSE`). */
  verbose?: boolean;
  /** Like `verbose`, and pass every unsubscribe too (`ZMQ_XPUB_VERBOSER`). */
  verboser?: boolean;
  /**
   * zeromq.js v6 spelling of the two options above: `'allSubs'` = verbose,
   * `'allSubsUnsubs'` = verboser, `null` = neither.
   */
  verbosity?: 'allSubs' | 'allSubsUnsubs' | null;
  /**
   * The application decides what each peer receives (`ZMQ_XPUB_MANUAL`): subscription
   * messages are passed up, not applied; `subscribe()`/`unsubscribe()` apply prefixes to
   * the peer that sent the subscription message most recently received.
   */
  manual?: boolean;
  /** A message sent to every new peer as soon as it connects (`ZMQ_XPUB_WELCOME_MSG`). */
  welcomeMessage?: string | Buffer | Uint8Array | null;
}

const NO_DROP: OptionSpec = { name: 'noDrop', kind: 'bool', default: false, applies: 'now' };
const PUB_OPTIONS: readonly OptionSpec[] = [NO_DROP, UNSUPPORTED_PATTERN_OPTIONS.conflate, UNSUPPORTED_PATTERN_OPTIONS.invertMatching];
const XPUB_OPTIONS: readonly OptionSpec[] = [
  NO_DROP,
  UNSUPPORTED_PATTERN_OPTIONS.invertMatching,
  { name: 'verbose', kind: 'bool', default: false, applies: 'now' },
  { name: 'verboser', kind: 'bool', default: false, applies: 'now' },
  { name: 'verbosity', kind: 'enum', default: null, values: [null, 'allSubs', 'allSubsUnsubs'], applies: 'now', nullable: true },
  { name: 'manual', kind: 'bool', default: false, applies: 'now' },
  { name: 'welcomeMessage', kind: 'bytes', default: null, applies: 'connection', nullable: true },
];

/** Per-pipe state of a publisher (kept in `pipe.patternState`). */
interface PubPipeState {
  /** Publish counter value when this pipe was last matched (de-duplicates a publish). */
  epoch: number;
  /** Attached to the socket (subscriptions can arrive before that over inproc). */
  attached: boolean;
  /** Subscriptions received before attach, applied at attach. */
  early: Array<{ subscribe: boolean; prefix: Buffer }> | undefined;
}

/** A subscription message waiting for `receive()`, and the peer it came from. */
interface Notification {
  readonly message: Message;
  readonly pipe: Pipe | undefined;
}

function stateOf(pipe: Pipe): PubPipeState {
  let state = pipe.patternState as PubPipeState | undefined;
  if (state === undefined) pipe.patternState = state = { epoch: 0, attached: false, early: undefined };
  return state;
}

/**
 * The publishing side shared by PUB and XPUB. Not constructed directly: use
 * {@link Publisher} or {@link XPublisher}.
 */
export abstract class PublisherBase extends Socket {
  /** Wait for room instead of dropping for a peer over its high-water mark (`ZMQ_XPUB_NODROP`). */
  declare noDrop: boolean;
  /** @internal */ protected readonly subscriptions = new SubscriptionIndex<Pipe>();
  /** `noDrop`, read on every send. */
  private waitForRoom: boolean;
  private epoch = 0;
  private readonly matched: Pipe[] = [];
  private readonly collect = (pipe: Pipe): void => {
    const state = pipe.patternState as PubPipeState;
    if (state.epoch === this.epoch) return;
    state.epoch = this.epoch;
    this.matched.push(pipe);
  };

  protected constructor(type: 'PUB' | 'XPUB', options: PublisherOptions) {
    super(type, options, type === 'PUB' ? PUB_OPTIONS : XPUB_OPTIONS);
    this.waitForRoom = this.getOption('noDrop') === true;
  }

  protected override onOptionChange(name: string, value: unknown): void {
    if (name === 'noDrop') this.waitForRoom = value === true;
  }

  /** Number of distinct prefixes subscribed by at least one peer. */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  protected attachPipe(pipe: Pipe): boolean {
    const state = stateOf(pipe);
    state.attached = true;
    this.onAttach(pipe);
    const early = state.early;
    if (early !== undefined) {
      state.early = undefined;
      for (const s of early) this.applySubscription(pipe, s.subscribe, s.prefix);
    }
    this.drainInbound(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    const state = stateOf(pipe);
    state.attached = false;
    this.onDetach(pipe);
    if (this.waitForRoom) queueMicrotask(() => this.wakeSenders());
  }

  protected sendMessage(frames: Buffer[]): boolean {
    const matched = this.matched;
    this.epoch = (this.epoch + 1) | 0;
    this.subscriptions.match(frames[0]!, this.collect);
    if (matched.length === 0) return true;
    const prepared: PreparedMessage = prepareMessage(frames);
    if (this.waitForRoom) {
      for (let i = 0; i < matched.length; i++) {
        const pipe = matched[i]!;
        if (!pipe.writable) {
          matched.length = 0;
          // A refused write registers interest: `pipeWritable` retries this send.
          pipe.writePrepared(prepared);
          return false;
        }
      }
    }
    if (matched.length === 1) {
      // One subscriber: nothing to share, so skip building the shared encoding.
      matched[0]!.write(frames);
    } else {
      for (let i = 0; i < matched.length; i++) matched[i]!.writePrepared(prepared);
    }
    matched.length = 0;
    return true;
  }

  /** Subscriptions and other messages are consumed as they arrive, never queued in the pipe. */
  protected override onPipeReadable(pipe: Pipe): void {
    this.drainInbound(pipe);
  }

  protected override onPipeCommand(pipe: Pipe, command: { name: string; data: Buffer }): void {
    if (command.name !== 'SUBSCRIBE' && command.name !== 'CANCEL') return;
    const subscribe = command.name === 'SUBSCRIBE';
    const state = stateOf(pipe);
    if (!state.attached) {
      if (pipe.closed) return;
      (state.early ??= []).push({ subscribe, prefix: command.data });
      return;
    }
    this.applySubscription(pipe, subscribe, command.data);
  }

  /** A peer subscribed or unsubscribed. */
  protected abstract applySubscription(pipe: Pipe, subscribe: boolean, prefix: Buffer): void;
  /** A message other than a subscription arrived from a peer. */
  protected abstract onUpstreamMessage(pipe: Pipe, message: Message): void;
  /** A peer was attached. */
  protected onAttach(_pipe: Pipe): void {}
  /** A peer went away: forget its subscriptions. */
  protected onDetach(pipe: Pipe): void {
    this.subscriptions.removeHolder(pipe);
  }

  private drainInbound(pipe: Pipe): void {
    for (let message = pipe.read(); message !== undefined; message = pipe.read()) {
      const first = message[0];
      if (isSubscriptionFrame(first)) {
        // libzmq applies each frame of a multi-frame subscription message in turn.
        for (const frame of message) {
          if (isSubscriptionFrame(frame)) this.applySubscription(pipe, frame[0] === 1, frame.subarray(1));
        }
      } else {
        this.onUpstreamMessage(pipe, message);
      }
    }
  }
}

/**
 * A PUB socket: sends each message to every peer subscribed to a prefix of its first
 * frame. It never receives.
 *
 * ```ts
 * const pub = new Publisher();
 * await pub.bind('tcp://127.0.0.1:5556');
 * await pub.send(['weather.paris', '21°C']);
 * ```
 */
export class Publisher extends PublisherBase {
  constructor(options: PublisherOptions = {}) {
    super('PUB', options);
    this.sealAs(Publisher);
  }

  /** A PUB socket cannot receive: `receive()` rejects with `ENOTSUP`. */
  protected override admitReceive(): void {
    throw new ZmqError('ENOTSUP', 'a PUB socket cannot receive (use an XPublisher to see subscriptions)');
  }

  protected applySubscription(pipe: Pipe, subscribe: boolean, prefix: Buffer): void {
    if (subscribe) this.subscriptions.add(prefix, pipe, false);
    else this.subscriptions.remove(prefix, pipe, false);
  }

  protected onUpstreamMessage(): void {
    // A PUB ignores everything but subscriptions (libzmq drops them too).
  }

  protected receiveMessage(): Message | undefined {
    return undefined;
  }

  protected override hasIncoming(): boolean {
    return false;
  }
}

/**
 * An XPUB socket: a {@link Publisher} that also receives its peers' subscription messages
 * (`[0x01 + prefix]` / `[0x00 + prefix]`) and any other message they send upstream.
 *
 * ```ts
 * const xpub = new XPublisher({ verbose: true });
 * await xpub.bind('tcp://127.0.0.1:5557');
 * for await (const [sub] of xpub) console.log(sub[0] === 1 ? 'subscribe' : 'unsubscribe', sub.subarray(1));
 * ```
 */
export class XPublisher extends PublisherBase {
  /** Pass every subscribe up, duplicates included (`ZMQ_XPUB_VERBOSE`). */
  declare verbose: boolean;
  /** Pass every subscribe and every unsubscribe up (`ZMQ_XPUB_VERBOSER`). */
  declare verboser: boolean;
  /** Manual mode (`ZMQ_XPUB_MANUAL`); see {@link XPublisherOptions.manual}. */
  declare manual: boolean;
  private readonly pending = new Deque<Notification>();
  /** Manual mode: what each peer asked for, to synthesize unsubscribes when it leaves. */
  private readonly requested = new SubscriptionIndex<Pipe>();
  private lastPipe: Pipe | undefined;

  constructor(options: XPublisherOptions = {}) {
    super('XPUB', options);
    if (this.verboser) this.verbose = true;
    if (options.verbosity != null) this.verbosity = options.verbosity;
    this.sealAs(XPublisher);
  }

  /** zeromq.js v6 spelling of `verbose`/`verboser`. */
  get verbosity(): 'allSubs' | 'allSubsUnsubs' | null {
    return this.verboser ? 'allSubsUnsubs' : this.verbose ? 'allSubs' : null;
  }
  set verbosity(value: 'allSubs' | 'allSubsUnsubs' | null) {
    this.setOption('verbosity', value);
    this.verbose = value !== null;
    this.verboser = value === 'allSubsUnsubs';
  }

  /** Message sent to each new peer on connection (`ZMQ_XPUB_WELCOME_MSG`); null = none. */
  declare welcomeMessage: string | Buffer | Uint8Array | null;

  private get welcome(): Buffer | undefined {
    const value = this.welcomeMessage;
    const b = value === null ? undefined : toPrefix(value);
    return b === undefined || b.length === 0 ? undefined : b;
  }

  /**
   * Manual mode only: subscribe the peer whose subscription message was received last to
   * `prefixes` (`ZMQ_SUBSCRIBE` on an XPUB). Without arguments, to everything. Ignored when
   * that peer is gone. Throws `EINVAL` outside manual mode, like libzmq.
   */
  subscribe(...prefixes: PrefixLike[]): void {
    this.manualApply(true, prefixes);
  }

  /** Manual mode only: the reverse of {@link XPublisher.subscribe}. */
  unsubscribe(...prefixes: PrefixLike[]): void {
    this.manualApply(false, prefixes);
  }

  protected override onAttach(pipe: Pipe): void {
    const welcome = this.welcome;
    if (welcome !== undefined) pipe.write([welcome]);
  }

  protected override onDetach(pipe: Pipe): void {
    if (this.manual) {
      this.requested.removeHolder(pipe, (prefix) => this.notify(subscriptionMessage(false, prefix), undefined));
      this.subscriptions.removeHolder(pipe);
      if (this.lastPipe === pipe) this.lastPipe = undefined;
    } else {
      this.subscriptions.removeHolder(pipe, (prefix, last) => {
        if (last || this.verboser) this.notify(subscriptionMessage(false, prefix), undefined);
      });
    }
    if (this.pending.length > 0) this.wakeReceivers();
  }

  protected applySubscription(pipe: Pipe, subscribe: boolean, prefix: Buffer): void {
    if (this.manual) {
      if (subscribe) this.requested.add(prefix, pipe, false);
      else this.requested.remove(prefix, pipe, false);
      this.notify(subscriptionMessage(subscribe, prefix), pipe);
      return;
    }
    let notify: boolean;
    if (subscribe) {
      notify = this.subscriptions.add(prefix, pipe, false) === AddResult.NewPrefix || this.verbose;
    } else {
      // As libzmq: an unsubscribe for a prefix the peer did not hold is passed up too.
      notify = this.subscriptions.remove(prefix, pipe, false) !== RemoveResult.HolderRemoved || this.verboser;
    }
    if (notify) this.notify(subscriptionMessage(subscribe, prefix), pipe);
  }

  protected onUpstreamMessage(pipe: Pipe, message: Message): void {
    this.notify(message, pipe);
  }

  protected receiveMessage(): Message | undefined {
    const n = this.pending.shift();
    if (n === undefined) return undefined;
    if (this.manual && n.pipe !== undefined) this.lastPipe = n.pipe;
    return n.message;
  }

  protected override hasIncoming(): boolean {
    return this.pending.length > 0;
  }

  private notify(message: Message | Buffer, pipe: Pipe | undefined): void {
    this.pending.push({ message: Buffer.isBuffer(message) ? [message] : message, pipe });
    this.wakeReceivers();
  }

  private manualApply(subscribe: boolean, prefixes: PrefixLike[]): void {
    if (!this.manual) {
      throw new ZmqError('EINVAL', `XPublisher.${subscribe ? 'subscribe' : 'unsubscribe'}() needs manual mode (new XPublisher({ manual: true }))`);
    }
    const pipe = this.lastPipe;
    const list = prefixes.length === 0 ? [''] : prefixes;
    const buffers = list.map(toPrefix);
    if (pipe === undefined || pipe.closed || !pipe.attached) return;
    for (const prefix of buffers) {
      if (subscribe) this.subscriptions.add(prefix, pipe, false);
      else this.subscriptions.remove(prefix, pipe, false);
    }
  }
}
