/**
 * `Proxy`: libzmq's zmq_proxy / zmq_proxy_steerable over Monocoque sockets, with
 * zeromq.js v6's `Proxy` API (`new Proxy(frontEnd, backEnd)`, `run`, `pause`, `resume`,
 * `terminate`) and zmq_proxy's optional capture socket.
 *
 * Design (libzmq src/proxy.cpp, zmq_proxy(3), zmq_proxy_steerable(3)):
 * - One pump per direction (front → back and back → front; one only when both are the same
 *   socket). A pump takes a burst of up to 1,000 messages with `receiveMany` (libzmq's
 *   proxy_burst_size) — one promise per burst, not per message — and hands each message
 *   whole (multipart kept) to the other side with `write()`.
 * - Backpressure: `write()` returns false once the destination is at its high-water mark
 *   and the message waits in the socket; the pump then awaits `flush()` before writing the
 *   next one, so at most one burst plus the HWM is in memory per direction, and the pump
 *   stops receiving (the source's own HWM then pushes back on its peers), as libzmq's proxy
 *   blocks in a send. What the destination socket itself drops (PUB/XPUB at HWM, ROUTER for
 *   an unknown or full peer) it drops here too, as under libzmq.
 * - Capture: each message goes to the capture socket before the destination (as libzmq),
 *   with the same backpressure.
 * - Steering: pause stops taking new bursts (a burst already received when pause() is
 *   called is held and forwarded on resume, never dropped); terminate ends the pumps,
 *   writes any held burst, and closes front-end and back-end as zeromq.js does.
 * - A socket closed under a running proxy ends it cleanly: the rejected call is recognised
 *   by `socket.closed`, whatever code the rejection carries.
 */
import { type MessageLike, type Socket, ZmqError, isZmqError } from '@monocoque/core';

/** Options of a {@link Proxy}. */
export interface ProxyOptions {
  /**
   * zmq_proxy's third argument: a socket that receives a copy of every message forwarded,
   * in either direction, multipart preserved, before it is sent on. Typically a `Publisher`,
   * `Push`, `Dealer` or `Pair`. Sending to it follows its own rules (a `Publisher` drops at
   * its HWM; a `Push` with no peer makes the proxy wait). The proxy does not close it.
   */
  capture?: Socket;
}

/** The part of the Socket API a proxy uses (structural, so any loaded copy of core fits). */
type ProxySocket = Pick<Socket, 'receiveMany' | 'write' | 'flush' | 'close' | 'closed' | 'events'>;

/** Messages taken per burst (libzmq's proxy_burst_size). */
const BURST = 1000;

/** Sockets owned by a running proxy: a second proxy on one of them fails with EBUSY. */
const owned = new WeakSet<object>();

type State = 'idle' | 'running' | 'stopping' | 'done';

function checkSocket(value: unknown, label: string): void {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${label} must be a socket object`);
  const s = value as Partial<Record<keyof ProxySocket, unknown>>;
  const events = s.events as Partial<Record<'on' | 'off', unknown>> | undefined;
  if (
    typeof s.receiveMany !== 'function' ||
    typeof s.write !== 'function' ||
    typeof s.flush !== 'function' ||
    typeof s.close !== 'function' ||
    typeof events?.on !== 'function' ||
    typeof events.off !== 'function'
  ) {
    throw new ZmqError('EINVAL', `${label} must be a socket object: expected a Monocoque socket, got ${Object.prototype.toString.call(value)}`);
  }
}

/**
 * Proxies messages between two sockets: everything received on one is sent on the other,
 * both ways, until {@link terminate}. Conceptually data flows from front-end to back-end and
 * replies flow back; technically the proxy is symmetric.
 *
 * ```ts
 * const proxy = new Proxy(new Router(), new Dealer());
 * await proxy.frontEnd.bind('tcp://*:5559'); // clients (REQ) connect here
 * await proxy.backEnd.bind('tcp://*:5560');  // workers (REP) connect here
 * process.on('SIGINT', () => proxy.terminate());
 * await proxy.run(); // resolves after terminate(); both sockets are then closed
 * ```
 *
 * Typical pairs: ROUTER/DEALER (shared queue), XSUB/XPUB (forwarder: subscriptions flow
 * from the XPUB side to the XSUB side), PULL/PUSH (streamer).
 *
 * @typeParam F the front-end socket type
 * @typeParam B the back-end socket type
 */
export class Proxy<F extends Socket = Socket, B extends Socket = Socket> {
  /** The front-end socket given to the constructor. */
  readonly frontEnd: F;
  /** The back-end socket given to the constructor. */
  readonly backEnd: B;
  /** The capture socket given in the options; null when there is none. */
  readonly capture: Socket | null;

  #state: State = 'idle';
  #paused = false;
  #gate: { promise: Promise<void>; open: () => void } | undefined;
  /** A burst received per direction while paused (or stopping), not yet forwarded. */
  readonly #held: Array<{ to: ProxySocket; batch: readonly MessageLike[] } | undefined> = [undefined, undefined];
  #stop: (() => void) | undefined;
  /** Wake-ups of the pumps waiting for room (`#drain`), called when the proxy stops. */
  readonly #drains = new Set<() => void>();
  #error: { error: unknown } | undefined;

  /**
   * Creates a proxy between two sockets. Proxying starts when {@link run}() is called,
   * after both sockets are bound or connected and their options set.
   *
   * @param frontEnd the front-end socket
   * @param backEnd the back-end socket (may be the front-end itself)
   * @param options `capture`: a socket that gets a copy of every message forwarded
   * @throws TypeError when a socket argument is not an object; `EINVAL` when it is not a socket
   */
  constructor(frontEnd: F, backEnd: B, options: ProxyOptions = {}) {
    checkSocket(frontEnd, 'Front-end');
    checkSocket(backEnd, 'Back-end');
    if (typeof options !== 'object' || options === null) throw new TypeError('Proxy options must be an object');
    for (const key of Object.keys(options)) {
      if (key !== 'capture') throw new ZmqError('EINVAL', `unknown Proxy option ${JSON.stringify(key)}: expected "capture"`);
    }
    if (options.capture !== undefined) checkSocket(options.capture, 'Capture');
    this.frontEnd = frontEnd;
    this.backEnd = backEnd;
    this.capture = options.capture ?? null;
  }

  /**
   * Starts forwarding in both directions and resolves once the proxy has terminated
   * ({@link terminate}(), or one of its sockets was closed); the front-end and back-end
   * sockets are closed by then. Rejects with the error when forwarding fails (e.g.
   * `EHOSTUNREACH` from a ROUTER with `mandatory`); the sockets are closed then too.
   *
   * Throws synchronously, as zeromq.js does, with `EINVAL` when a socket is closed (so a
   * second `run()` after termination) and `EBUSY` when this proxy is already running or
   * another running proxy uses one of the sockets (zeromq.js crashes in that case).
   */
  run(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'stopping') {
      throw new ZmqError('EBUSY', 'cannot run the proxy: it is already running');
    }
    const sockets: Array<[ProxySocket, string]> = [
      [this.frontEnd, 'Front-end'],
      [this.backEnd, 'Back-end'],
    ];
    if (this.capture !== null) sockets.push([this.capture, 'Capture']);
    for (const [socket, label] of sockets) {
      if (socket.closed) throw new ZmqError('EINVAL', `${label} socket must be bound or connected: it is closed`);
      if (owned.has(socket)) throw new ZmqError('EBUSY', `${label} socket is in use by another running proxy`);
    }
    for (const [socket] of sockets) owned.add(socket);
    this.#state = 'running';
    this.#paused = false;
    this.#error = undefined;
    return this.#run(sockets.map(([s]) => s));
  }

  /**
   * Suspends forwarding until {@link resume}(): no new messages are taken from either
   * socket, so they queue there up to the receive HWM. A burst already taken is held and
   * forwarded on resume. Throws `EBADF` when the proxy is not running (zeromq.js: "Socket is
   * closed"); a call between terminate() and run() settling is accepted and does nothing.
   */
  pause(): void {
    this.#assertStarted('pause');
    this.#paused = true;
  }

  /** Resumes forwarding after {@link pause}(). Throws `EBADF` when the proxy is not running. */
  resume(): void {
    this.#assertStarted('resume');
    this.#paused = false;
    this.#openGate();
  }

  /**
   * Stops the proxy: forwarding ends, the front-end and back-end sockets are closed (with
   * their `linger`, so what was forwarded is still delivered), and {@link run}() resolves
   * shortly after. Messages not yet taken from a socket are discarded with it, as are those
   * waiting for room at a destination that is at its HWM. Throws `EBADF` when the proxy is
   * not running; calling it again before run() settles does nothing.
   */
  terminate(): void {
    this.#assertStarted('terminate');
    this.#halt();
  }

  #assertStarted(what: string): void {
    if (this.#state === 'idle' || this.#state === 'done') {
      throw new ZmqError('EBADF', `cannot ${what} the proxy: it is not running (run() was not called, or it has terminated)`);
    }
  }

  async #run(sockets: ProxySocket[]): Promise<void> {
    const front: ProxySocket = this.frontEnd;
    const back: ProxySocket = this.backEnd;
    const stopped = new Promise<void>((resolve) => (this.#stop = resolve));
    // zeromq.js's proxy thread keeps the process alive until it ends, paused or not.
    const keepAlive = setInterval(noop, 0x7fffffff);
    const end = (result: 'ended' | 'cannot-receive') => {
      if (result === 'ended') this.#halt();
    };
    const fail = (error: unknown) => {
      this.#error ??= { error };
      this.#halt();
    };
    // A socket closed while its pump waits for the other side still ends the proxy.
    const closed = () => this.#halt();
    for (const socket of sockets) socket.events.on('end', closed);
    const pumps = [this.#pump(front, back, 0).then(end, fail)];
    if (back !== front) pumps.push(this.#pump(back, front, 1).then(end, fail));
    await stopped;
    // A burst taken while pausing or stopping is forwarded before the sockets close.
    for (let dir = 0; dir < 2; dir++) {
      const held = this.#held[dir];
      this.#held[dir] = undefined;
      if (held === undefined) continue;
      try {
        for (const message of held.batch) {
          this.capture?.write(message);
          held.to.write(message);
        }
      } catch {
        /* a socket was closed under us: nothing more can go */
      }
    }
    front.close();
    back.close();
    await Promise.all(pumps);
    clearInterval(keepAlive);
    for (const socket of sockets) {
      socket.events.off('end', closed);
      owned.delete(socket);
    }
    this.#state = 'done';
    this.#openGate();
    if (this.#error !== undefined) throw this.#error.error;
  }

  #halt(): void {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    this.#openGate();
    for (const wake of this.#drains) wake();
    this.#stop?.();
    this.#stop = undefined;
  }

  #waitGate(): Promise<void> {
    if (this.#gate === undefined) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      this.#gate = { promise, open };
    }
    return this.#gate.promise;
  }

  #openGate(): void {
    const gate = this.#gate;
    this.#gate = undefined;
    gate?.open();
  }

  /**
   * Waits until `socket` has room again (its queued writes are handed to a pipe), or until
   * the proxy stops: the capture socket is not closed on terminate, so a wait on it must not
   * outlive the proxy.
   */
  async #drain(socket: ProxySocket): Promise<void> {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    let failure: { error: unknown } | undefined;
    socket.flush().then(wake, (error: unknown) => {
      failure = { error };
      wake();
    });
    this.#drains.add(wake);
    try {
      await woken;
    } finally {
      this.#drains.delete(wake);
    }
    if (failure !== undefined && this.#state === 'running') throw failure.error;
  }

  /**
   * Keeps `batch` (received, not yet forwarded) while the proxy is paused. Returns true on
   * resume; false when the proxy stops instead (the terminating run() then writes it out).
   */
  async #hold(dir: number, to: ProxySocket, batch: readonly MessageLike[]): Promise<boolean> {
    this.#held[dir] = { to, batch };
    while (this.#paused && this.#state === 'running') await this.#waitGate();
    if (this.#state !== 'running') return false;
    this.#held[dir] = undefined;
    return true;
  }

  /** True when a call failed because the proxy is ending or one of its sockets was closed. */
  #ending(...sockets: ProxySocket[]): boolean {
    if (this.#state !== 'running') return true;
    if (this.capture?.closed === true) return true;
    return sockets.some((s) => s.closed);
  }

  /**
   * Forwards from one socket to the other until the proxy stops; throws on a real error.
   * A socket that cannot receive at all (PUSH, PUB) has nothing to forward: libzmq's proxy
   * never sees it readable, so that direction ends quietly and the other goes on.
   */
  async #pump(from: ProxySocket, to: ProxySocket, dir: number): Promise<'ended' | 'cannot-receive'> {
    const capture: ProxySocket | null = this.capture;
    while (this.#state === 'running') {
      if (this.#paused) {
        await this.#waitGate();
        continue;
      }
      let batch: readonly MessageLike[];
      try {
        batch = await from.receiveMany(BURST);
      } catch (error) {
        if (this.#ending(from, to)) return 'ended';
        if (isZmqError(error) && error.code === 'EAGAIN') continue; // receiveTimeout expired: wait again
        if (isZmqError(error) && error.code === 'ENOTSUP') return 'cannot-receive';
        throw error;
      }
      // Taken while pausing or stopping: keep it for resume (or for the terminating run()).
      if ((this.#paused || this.#state !== 'running') && !(await this.#hold(dir, to, batch))) return 'ended';
      try {
        for (let i = 0; i < batch.length; i++) {
          const message = batch[i]!;
          if (capture !== null && !capture.write(message)) {
            await this.#drain(capture);
            if (this.#state !== 'running') return 'ended';
          }
          if (!to.write(message)) {
            await this.#drain(to);
            if (this.#state !== 'running') return 'ended';
          }
          // pause() can only have come during a wait for room: hold the rest of the burst.
          if (this.#paused && i + 1 < batch.length && !(await this.#hold(dir, to, batch.slice(i + 1)))) return 'ended';
        }
      } catch (error) {
        if (this.#ending(from, to)) return 'ended';
        throw error;
      }
    }
    return 'ended';
  }
}

function noop(): void {}
