/**
 * RADIO (RFC 48/RADIO-DISH; libzmq 4.3's radio_t and radio_session_t).
 *
 * - Every message goes to a group. On the wire it is two frames, the group with MORE set
 *   and then the body, exactly as libzmq's radio_session_t writes it; over inproc the same
 *   two frames travel as one message array.
 * - Peers say which groups they want with JOIN/LEAVE commands (`\x04JOIN` + group,
 *   `\x05LEAVE` + group). libzmq uses the command form with ZMTP 3.0 and 3.1 peers alike,
 *   and so do we. Matching is exact (a byte-for-byte equal group), never by prefix.
 *   Joins are kept per peer as libzmq's multimap does: two JOINs need two LEAVEs.
 * - Like PUB: a peer that joined nothing gets nothing, a peer over its high-water mark
 *   loses the message while the others still get it, and `send()` never waits — unless
 *   `noDrop` (`ZMQ_XPUB_NODROP`, which libzmq's RADIO honours too) makes it wait until
 *   every matching peer has room.
 * - Bodies are single-part (`EINVAL` for multipart, as libzmq's `xsend`); a RADIO never
 *   receives (`ENOTSUP`). A peer's JOIN with a group longer than 255 bytes is a protocol
 *   error: that peer is dropped (libzmq would abort).
 */
import { type OptionSpec, type Pipe, type PreparedMessage, Socket, type SocketOptions, ZmqError, prepareMessage } from '@monocoque/core';
import { GROUP_MAX_LENGTH, type GroupLike, groupKey, toGroup } from './group.js';

/** Options for {@link Radio}. */
export interface RadioOptions extends SocketOptions {
  /**
   * Wait (up to `sendTimeout`) when a peer that joined the group is over its high-water
   * mark, instead of dropping the message for it (`ZMQ_XPUB_NODROP`). Default false.
   */
  noDrop?: boolean;
}

/** The second argument of {@link Radio.send}: the message's group. */
export interface RadioSendOptions {
  /** The group (0–255 bytes; a string is UTF-8). */
  group: GroupLike;
}

const RADIO_OPTIONS: readonly OptionSpec[] = [{ name: 'noDrop', kind: 'bool', default: false, applies: 'now' }];

/** Per-pipe state of a RADIO (kept in `pipe.patternState`). */
interface RadioPipeState {
  /** Joined groups (key) and how many JOINs each has outstanding. */
  readonly joined: Map<string, number>;
  /** Attached to the socket: commands can arrive over inproc before that. */
  attached: boolean;
  /** Commands received before attach, applied at attach. */
  early: Array<{ join: boolean; group: Buffer }> | undefined;
}

function stateOf(pipe: Pipe): RadioPipeState {
  let state = pipe.patternState as RadioPipeState | undefined;
  if (state === undefined) pipe.patternState = state = { joined: new Map(), attached: false, early: undefined };
  return state;
}

/**
 * A RADIO socket: sends each message to the peers that joined its group. It never
 * receives. Draft socket type of libzmq 4.3 (zeromq.js `zeromq/draft`'s `Radio`).
 *
 * ```ts
 * const radio = new Radio();
 * await radio.bind('tcp://127.0.0.1:5556');
 * await radio.send('21°C', { group: 'weather.paris' });
 * ```
 */
export class Radio extends Socket<never, [RadioSendOptions]> {
  /** Wait for room instead of dropping for a peer over its high-water mark (`ZMQ_XPUB_NODROP`). */
  declare noDrop: boolean;
  /** Group key → the peers that joined it. */
  private readonly groups = new Map<string, Set<Pipe>>();
  private waitForRoom: boolean;
  // One-entry cache: a run of sends to the same string group converts it once.
  private lastName: string | undefined;
  private lastGroup: Buffer | undefined;
  private lastKey = '';

  constructor(options: RadioOptions = {}) {
    super('RADIO', options, RADIO_OPTIONS);
    this.waitForRoom = this.getOption('noDrop') === true;
    this.sealAs(Radio);
  }

  protected override onOptionChange(name: string, value: unknown): void {
    if (name === 'noDrop') this.waitForRoom = value === true;
  }

  /** Number of distinct groups joined by at least one peer. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** A RADIO socket cannot receive: `receive()` rejects with `ENOTSUP`. */
  protected override admitReceive(): void {
    throw new ZmqError('ENOTSUP', 'a RADIO socket cannot receive (use a Dish)');
  }

  protected receiveMessage(): never | undefined {
    return undefined;
  }

  protected override hasIncoming(): boolean {
    return false;
  }

  protected attachPipe(pipe: Pipe): boolean {
    const state = stateOf(pipe);
    state.attached = true;
    const early = state.early;
    if (early !== undefined) {
      state.early = undefined;
      for (const c of early) this.apply(pipe, state, c.join, c.group);
    }
    this.discardInbound(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    const state = stateOf(pipe);
    state.attached = false;
    for (const key of state.joined.keys()) {
      const holders = this.groups.get(key);
      if (holders === undefined) continue;
      holders.delete(pipe);
      if (holders.size === 0) this.groups.delete(key);
    }
    state.joined.clear();
    if (this.waitForRoom) queueMicrotask(() => this.wakeSenders());
  }

  protected override onPipeCommand(pipe: Pipe, command: { name: string; data: Buffer }): void {
    const join = command.name === 'JOIN';
    if (!join && command.name !== 'LEAVE') return;
    const group = command.data;
    if (group.length > GROUP_MAX_LENGTH) {
      pipe.close(0, new ZmqError('EPROTO', `${command.name} from ${pipe.remoteAddress}: expected a group of at most ${GROUP_MAX_LENGTH} bytes, got ${group.length}`));
      return;
    }
    const state = stateOf(pipe);
    if (!state.attached) {
      if (pipe.closed) return;
      (state.early ??= []).push({ join, group });
      return;
    }
    this.apply(pipe, state, join, group);
  }

  /** Messages from a DISH carry nothing for us (libzmq's RADIO reads and drops them). */
  protected override onPipeReadable(pipe: Pipe): void {
    this.discardInbound(pipe);
  }

  protected sendMessage(frames: Buffer[], options: RadioSendOptions | undefined): boolean {
    if (frames.length !== 1) {
      throw new ZmqError('EINVAL', `a RADIO sends single-part messages only, got ${frames.length} parts`);
    }
    const name = (options as RadioSendOptions | undefined)?.group;
    let group: Buffer;
    let key: string;
    if (typeof name === 'string' && name === this.lastName) {
      group = this.lastGroup!;
      key = this.lastKey;
    } else {
      if (options === undefined || options === null || typeof options !== 'object') {
        throw new ZmqError('EINVAL', 'Radio.send(message, { group }) needs the group to send to');
      }
      group = toGroup(name, 'Radio.send');
      key = groupKey(group);
      if (typeof name === 'string') {
        this.lastName = name;
        this.lastGroup = group;
        this.lastKey = key;
      }
    }
    const holders = this.groups.get(key);
    if (holders === undefined) return true;
    const message = [group, frames[0]!];
    if (this.waitForRoom) {
      for (const pipe of holders) {
        if (!pipe.writable) {
          // A refused write registers interest: `pipeWritable` retries this send.
          pipe.write(message);
          return false;
        }
      }
    }
    if (holders.size === 1) {
      for (const pipe of holders) pipe.write(message);
      return true;
    }
    const prepared: PreparedMessage = prepareMessage(message);
    for (const pipe of holders) pipe.writePrepared(prepared);
    return true;
  }

  private apply(pipe: Pipe, state: RadioPipeState, join: boolean, group: Buffer): void {
    const key = groupKey(group);
    const count = state.joined.get(key) ?? 0;
    if (join) {
      state.joined.set(key, count + 1);
      if (count > 0) return;
      let holders = this.groups.get(key);
      if (holders === undefined) this.groups.set(key, (holders = new Set()));
      holders.add(pipe);
      return;
    }
    // A LEAVE for a group the peer did not join changes nothing (libzmq: no entry found).
    if (count === 0) return;
    if (count > 1) {
      state.joined.set(key, count - 1);
      return;
    }
    state.joined.delete(key);
    const holders = this.groups.get(key);
    if (holders === undefined) return;
    holders.delete(pipe);
    if (holders.size === 0) this.groups.delete(key);
    if (this.waitForRoom) queueMicrotask(() => this.wakeSenders());
  }

  private discardInbound(pipe: Pipe): void {
    while (pipe.read() !== undefined) {
      // Nothing a DISH sends but JOIN/LEAVE (commands) means anything to a RADIO.
    }
  }
}
