/**
 * DISH (RFC 48/RADIO-DISH; libzmq 4.3's dish_t and dish_session_t).
 *
 * - `join()`/`leave()` keep a set of groups (joining a joined group, or leaving one not
 *   joined, is `EINVAL`, as libzmq) and tell every connected RADIO with a JOIN/LEAVE
 *   command — a command frame whatever the peer's ZMTP minor version, as libzmq.
 * - Every new connection, including each reconnection, first gets a JOIN for every
 *   current group (libzmq's `xattach_pipe` and `xhiccuped`).
 * - Receive is fair-queued across radios and filtered locally by exact group: messages
 *   already queued for a group that was left are dropped, as libzmq does.
 * - A RADIO message is two frames, group (with MORE) then body. Anything else — one
 *   frame, more than two, or a group longer than 255 bytes — is a protocol error: that
 *   peer is dropped when the message is read (libzmq's dish_session_t fails it on
 *   arrival with EFAULT, which ends the connection for good; checking on read keeps the
 *   pipe's receive high-water mark in force), the other peers are untouched.
 * - A DISH never sends (`ENOTSUP`); linger defaults to 0 (libzmq: pending JOINs are not
 *   worth waiting for at close).
 */
import { BASE_OPTIONS, type OptionSpec, type Pipe, Socket, type SocketOptions, ZmqError } from '@monocoque/core';
import { GROUP_MAX_LENGTH, type GroupLike, groupKey, toGroup } from './group.js';

/** Options for {@link Dish}. */
export type DishOptions = SocketOptions;

/** What `Dish.receive()` resolves with: the body and its group (zeromq.js's shape). */
export type DishMessage = [Buffer, { group: Buffer }];

const DISH_OPTIONS: readonly OptionSpec[] = [{ ...BASE_OPTIONS.find((o) => o.name === 'linger')!, default: 0 }];

/**
 * A DISH socket: receives the messages of the groups it joined. It never sends. Draft
 * socket type of libzmq 4.3 (zeromq.js `zeromq/draft`'s `Dish`).
 *
 * ```ts
 * const dish = new Dish();
 * dish.connect('tcp://127.0.0.1:5556');
 * dish.join('weather.paris');
 * const [body, { group }] = await dish.receive();
 * ```
 */
export class Dish extends Socket<DishMessage> {
  /** Joined groups: key → the group's bytes. */
  private readonly joined = new Map<string, Buffer>();
  private readonly upstream = new Set<Pipe>();
  private peeked: DishMessage | undefined;

  constructor(options: DishOptions = {}) {
    super('DISH', options, DISH_OPTIONS);
    this.sealAs(Dish);
  }

  /** Number of groups currently joined. */
  get groupCount(): number {
    return this.joined.size;
  }

  /**
   * Join each group (`zmq_join`): receive the messages sent to it. Groups are matched
   * exactly. Throws `EINVAL` for a group already joined, longer than 255 bytes or holding
   * a NUL byte; groups before the failing one stay joined (as zeromq.js).
   */
  join(...groups: GroupLike[]): void {
    this.assertUsable();
    for (const value of groups) {
      const group = toGroup(value, 'Dish.join');
      const key = groupKey(group);
      if (this.joined.has(key)) throw new ZmqError('EINVAL', `Dish.join: already joined group ${JSON.stringify(key)}`);
      this.joined.set(key, group);
      for (const pipe of this.upstream) pipe.sendCommand('JOIN', group);
    }
  }

  /**
   * Leave each group (`zmq_leave`). Throws `EINVAL` for a group not joined; groups before
   * the failing one are left. Messages of the group still queued are dropped.
   */
  leave(...groups: GroupLike[]): void {
    this.assertUsable();
    for (const value of groups) {
      const group = toGroup(value, 'Dish.leave');
      const key = groupKey(group);
      if (!this.joined.delete(key)) throw new ZmqError('EINVAL', `Dish.leave: group ${JSON.stringify(key)} was not joined`);
      for (const pipe of this.upstream) pipe.sendCommand('LEAVE', group);
    }
  }

  /** A DISH socket cannot send: `send()` rejects and `write()` throws with `ENOTSUP`. */
  protected override admitSend(): void {
    throw new ZmqError('ENOTSUP', 'a DISH socket cannot send (use join()/leave())');
  }

  protected sendMessage(): boolean {
    throw new ZmqError('ENOTSUP', 'a DISH socket cannot send');
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.upstream.add(pipe);
    this.rejoin(pipe);
    return true;
  }

  /** Every (re)connection first gets every current group. */
  protected override onPipeConnected(pipe: Pipe): boolean {
    this.rejoin(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    this.upstream.delete(pipe);
  }

  protected receiveMessage(): DishMessage | undefined {
    const peeked = this.peeked;
    if (peeked !== undefined) {
      this.peeked = undefined;
      return peeked;
    }
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      const group = message[0]!;
      if (message.length !== 2 || group.length > GROUP_MAX_LENGTH) {
        this.malformed(message.length, group.length);
        continue;
      }
      if (this.joined.has(groupKey(group))) return [message[1]!, { group }];
      // Not joined (any more): drop it.
    }
  }

  protected override hasIncoming(): boolean {
    if (this.peeked === undefined) this.peeked = this.receiveMessage();
    return this.peeked !== undefined;
  }

  private rejoin(pipe: Pipe): void {
    // A pipe without a connection yet gets them when it connects (onPipeConnected).
    if (!pipe.connected) return;
    for (const group of this.joined.values()) pipe.sendCommand('JOIN', group);
  }

  private malformed(parts: number, groupLength: number): void {
    const pipe = this.fairQueue.lastPipe;
    if (pipe === undefined || pipe.closed) return;
    const what = parts !== 2 ? `${parts} frame(s)` : `a ${groupLength}-byte group (at most ${GROUP_MAX_LENGTH})`;
    pipe.close(0, new ZmqError('EPROTO', `RADIO message from ${pipe.remoteAddress}: expected two frames, group (at most ${GROUP_MAX_LENGTH} bytes) then body; got ${what}`));
  }

  private assertUsable(): void {
    if (this.closed) throw new ZmqError('EBADF', 'the socket is closed');
  }
}
