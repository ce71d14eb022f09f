/**
 * The zeromq.js v6 socket surface over Monocoque's socket classes.
 *
 * `zeromqSocket(Base, type, name)` derives, from a Monocoque pattern class, the class this
 * package exports under zeromq.js's name. It changes only what zeromq.js code can
 * observe, and keeps Monocoque's behaviour wherever that cannot break such code:
 *
 * - `type` is libzmq's number (5 for a DEALER), `context` is the socket's {@link Context};
 *   a `context` constructor option picks it, and its defaults (`ipv6`, `blocky`,
 *   `maxMessageSize`) and limit (`maxSockets`, `EMFILE`) apply.
 * - Errors carry zeromq.js's message texts ("Operation was not possible or timed out");
 *   Monocoque's specific message stays as `cause` (errors.ts).
 * - `bind()`/`unbind()` while one of them is pending reject with `EBUSY`; `close()` during
 *   a pending bind/unbind takes effect when it settles (`closed` stays false until then).
 * - `send()` stringifies values zeromq.js stringifies (booleans, objects).
 * - `bindSync()`/`unbindSync()` exist; Node.js cannot listen synchronously, so they start
 *   the operation and report a failure as a `bind:error` event and a process warning.
 * - The numeric option accessors (`getInt32Option(17)` is `linger`) that zeromq.js's
 *   generated code and some applications call.
 *
 * Everything else is the Monocoque socket: several pending sends/receives instead of
 * EBUSY, `write()`/`flush()`/`receiveMany()`, events that name the peer.
 */
import { type MessageLike, type Socket as CoreSocket, ZmqError, hasZapHandler, parseEndpoint } from '@monocoque/core';
import { type Context, context as defaultContext } from './context.js';
import { toZeromqError, zeromqError } from './errors.js';
import { SOCKET_OPTION_IDS } from './option-ids.js';
import { ZAP_ENDPOINT, serveZapEndpoint } from './zap-endpoint.js';

/** Internal state of a facade socket, kept off its public surface. */
interface FacadeState {
  readonly context: Context;
  blocked: boolean;
  closeRequested: boolean;
  released: boolean;
  /** Undo of the ZAP handler installed by binding `inproc://zeromq.zap.01`. */
  zap: (() => void) | undefined;
  /** REQ/REP calls refused with EFSM, waiting for the other operation (see {@link StateWaiter}). */
  waiting: StateWaiter[];
  keepAlive: NodeJS.Timeout | undefined;
  /** How many send()/receive() calls changed the REQ/REP state so far (see retryAfter). */
  sends: number;
  receives: number;
}

/**
 * zeromq.js polls libzmq until a call succeeds or its timeout elapses, so a REQ `receive()`
 * before any `send()`, a REQ `send()` before the reply was received, and the REP mirror
 * images wait for the other operation instead of failing with EFSM (which they report only
 * when the timeout elapses). Monocoque's REQ/REP refuse at once; the facade waits: a call
 * refused with EFSM is retried after the next call of the other kind.
 */
interface StateWaiter {
  /** The operation whose next call may make this one possible. */
  readonly after: 'send' | 'receive';
  wake(): void;
  cancel(error: ZmqError): void;
}

const REQ = 3;
const REP = 4;

/** A waiting call cancelled by `close()`: EAGAIN, as every pending call. */
function cancelled(): ZmqError {
  return toZeromqError(new ZmqError('EAGAIN', 'the call was cancelled: the socket was closed while it waited')) as ZmqError;
}

const STATE = Symbol('monocoque.zeromq.state');
const NO_LIMIT = 2_147_483_647;

type AnySocket = CoreSocket<unknown, unknown[]>;
type Internal = AnySocket & { [STATE]: FacadeState };
type CoreClass = new (options?: never) => object;

const REGISTRY = Symbol.for('monocoque.zeromq.classes');

/**
 * Every facade class, by libzmq socket type number (for `new Socket(type)`). One registry
 * per process, shared by the package's entries and by every loaded copy (ESM and CJS), so
 * that classes defined by `./draft` are found by the main entry's `Socket`.
 */
export const CLASSES: Map<number, new (options?: object) => AnySocket> = ((globalThis as { [REGISTRY]?: Map<number, new (options?: object) => AnySocket> })[REGISTRY] ??= new Map());

function isFrame(value: unknown): boolean {
  return typeof value === 'string' || value instanceof Uint8Array || value === null || typeof value === 'number' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function toFrameLike(value: unknown): unknown {
  if (isFrame(value)) return value;
  if (value === undefined) throw new TypeError('Message must be present');
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) return value;
  return `${value as string}`; // zeromq.js stringifies the rest (a Symbol throws TypeError, as there)
}

/** zeromq.js's message coercion; returns `message` itself when nothing needs converting. */
function coerce(message: unknown): MessageLike {
  if (typeof message === 'string' || message instanceof Uint8Array) return message;
  if (!Array.isArray(message)) return toFrameLike(message) as MessageLike;
  for (let i = 0; i < message.length; i++) {
    if (!isFrame(message[i])) return message.map(toFrameLike) as MessageLike;
  }
  return message as MessageLike;
}

function contextOf(options: Record<string, unknown>): Context {
  const ctx = options.context;
  if (ctx === undefined) return defaultContext;
  if (typeof ctx !== 'object' || ctx === null || typeof (ctx as Context).opened !== 'function') {
    throw new ZmqError('EINVAL', 'option context: expected a Context from @monocoque/zeromq');
  }
  return ctx as Context;
}

function optionName(id: unknown): string {
  const name = typeof id === 'number' ? SOCKET_OPTION_IDS.get(id) : undefined;
  if (name === undefined) throw new ZmqError('EINVAL', `unknown socket option number ${String(id)}`);
  return name;
}

/**
 * Derive the zeromq.js class for socket type number `type` from the Monocoque class `Base`.
 * The result is registered for `new Socket(type)`.
 */
export function zeromqSocket(Base: CoreClass, type: number, name: string): unknown {
  // The pattern class is concrete; typed as the socket base, whose hooks it implements.
  const Parent = Base as unknown as new (options?: object) => AnySocket;
  // @ts-expect-error -- Parent is a concrete pattern class at run time (see above)
  class ZeromqSocket extends Parent {
    constructor(options: Record<string, unknown> = {}) {
      const ctx = contextOf(options);
      const own: Record<string, unknown> = { ...options };
      delete own.context;
      if (!ctx.blocky && own.linger === undefined) own.linger = 0;
      if (ctx.ipv6 && own.ipv6 === undefined) own.ipv6 = true;
      if (ctx.maxMessageSize !== NO_LIMIT && own.maxMessageSize === undefined) own.maxMessageSize = ctx.maxMessageSize;
      ctx.opened();
      try {
        super(own);
      } catch (error) {
        ctx.closedOne();
        throw toZeromqError(error);
      }
      Object.defineProperty(this, 'type', { value: type, writable: false, enumerable: true, configurable: false });
      Object.defineProperty(this, STATE, { value: { context: ctx, blocked: false, closeRequested: false, released: false, zap: undefined, waiting: [], keepAlive: undefined, sends: 0, receives: 0 } satisfies FacadeState });
      this.sealAs(ZeromqSocket as never);
    }

    /** The context this socket was created in. */
    get context(): Context {
      return (this as unknown as Internal)[STATE].context;
    }

    /** Bind; a second `bind()`/`unbind()` while this one is pending rejects with `EBUSY`. */
    override async bind(address: string): Promise<void> {
      const state = (this as unknown as Internal)[STATE];
      if (state.blocked && !this.closed) throw zeromqError('EBUSY');
      if (address === ZAP_ENDPOINT && hasZapHandler()) {
        throw new ZmqError('EADDRINUSE', `bind ${address}: this process already has a ZAP handler (e.g. from @monocoque/zap)`, { address });
      }
      state.blocked = true;
      try {
        await super.bind(address);
        if (address === ZAP_ENDPOINT && state.zap === undefined) state.zap = serveZapEndpoint();
      } catch (error) {
        throw toZeromqError(error);
      } finally {
        this.unblock(state);
      }
    }

    /** Unbind; a second `bind()`/`unbind()` while this one is pending rejects with `EBUSY`. */
    override async unbind(address: string): Promise<void> {
      const state = (this as unknown as Internal)[STATE];
      if (state.blocked && !this.closed) throw zeromqError('EBUSY');
      state.blocked = true;
      try {
        await super.unbind(address);
        if (address === ZAP_ENDPOINT) this.stopZap(state);
      } catch (error) {
        throw toZeromqError(error);
      } finally {
        this.unblock(state);
      }
    }

    /**
     * zeromq.js's synchronous bind. Node.js listens asynchronously, so this starts the
     * bind and returns; `lastEndpoint` is set once listening. Invalid endpoints and closed
     * sockets throw at once; a later failure (e.g. `EADDRINUSE`) is reported as a
     * `bind:error` event and a process warning. Prefer `await bind()`.
     */
    bindSync(address: string): void {
      this.startSync('bind', address);
    }

    /** zeromq.js's synchronous unbind; like {@link bindSync}, it starts the operation. */
    unbindSync(address: string): void {
      this.startSync('unbind', address);
    }

    private startSync(op: 'bind' | 'unbind', address: string): void {
      if (this.closed) throw zeromqError('EBADF');
      const state = (this as unknown as Internal)[STATE];
      if (state.blocked) throw zeromqError('EBUSY');
      if (typeof address !== 'string') throw new TypeError('Address must be a string');
      try {
        parseEndpoint(address, true); // an invalid endpoint throws now, as zeromq.js's does
      } catch (error) {
        throw toZeromqError(error);
      }
      const pending = op === 'bind' ? this.bind(address) : this.unbind(address);
      pending.catch((error: ZmqError) => {
        process.emitWarning(`${op}Sync(${address}) failed: ${error.message}`, { code: 'MONOCOQUE_BIND_SYNC', detail: String(error.cause ?? '') });
      });
    }

    private stopZap(state: FacadeState): void {
      state.zap?.();
      state.zap = undefined;
    }

    private unblock(state: FacadeState): void {
      state.blocked = false;
      if (state.closeRequested) {
        state.closeRequested = false;
        this.close();
      }
    }

    /** Connect (see the Monocoque socket); errors carry zeromq.js's messages. */
    override connect(address: string, options?: object): void {
      try {
        (super.connect as (a: string, o?: object) => void)(address, options);
      } catch (error) {
        throw toZeromqError(error);
      }
    }

    /** Disconnect (see the Monocoque socket); errors carry zeromq.js's messages. */
    override disconnect(address: string): void {
      try {
        super.disconnect(address);
      } catch (error) {
        throw toZeromqError(error);
      }
    }

    /** Close; during a pending `bind()`/`unbind()` the close happens when it settles. */
    override close(): void {
      const state = (this as unknown as Internal)[STATE];
      if (state.blocked && !this.closed) {
        state.closeRequested = true;
        return;
      }
      if (!state.released) {
        state.released = true;
        state.context.closedOne();
      }
      this.stopZap(state);
      super.close();
      const waiting = state.waiting.splice(0);
      for (const w of waiting) w.cancel(cancelled());
      this.settleKeepAlive(state);
    }

    override send(message: MessageLike, ...args: unknown[]): Promise<void> {
      let m: MessageLike;
      try {
        m = coerce(message);
      } catch (error) {
        return Promise.reject(error);
      }
      const sent = super.send(m, ...args);
      if (type !== REQ && type !== REP) return sent;
      const state = (this as unknown as Internal)[STATE];
      const receivesBefore = state.receives;
      this.stateChanged('send');
      return sent.catch((error: ZmqError) => this.retryAfter('receive', receivesBefore, error, this.sendTimeout, () => this.send(m, ...args)));
    }

    override receive(): Promise<never> {
      const received = super.receive() as Promise<never>;
      if (type !== REQ && type !== REP) return received;
      const state = (this as unknown as Internal)[STATE];
      const sendsBefore = state.sends;
      return received.then(
        (message) => {
          this.stateChanged('receive');
          return message;
        },
        (error: ZmqError) => this.retryAfter('send', sendsBefore, error, this.receiveTimeout, () => this.receive()),
      );
    }

    /** An operation of kind `op` was made: calls waiting for it try again. */
    private stateChanged(op: 'send' | 'receive'): void {
      const state = (this as unknown as Internal)[STATE];
      if (op === 'send') state.sends++;
      else state.receives++;
      if (state.waiting.length === 0) return;
      const ready = state.waiting.filter((w) => w.after === op);
      state.waiting = state.waiting.filter((w) => w.after !== op);
      this.settleKeepAlive(state);
      // On the next turn, as zeromq.js's poller would: the call that changed the state
      // completes (and its caller runs) before the waiting call goes ahead.
      if (ready.length > 0) setImmediate(() => {
        for (const w of ready) {
          if (this.closed) w.cancel(cancelled());
          else w.wake();
        }
      });
    }

    /**
     * EFSM: wait (up to `timeout` ms) for an operation of kind `after`, then `retry`. The
     * refusal is seen a microtask after the call, so an operation made in between (a
     * `receive()` then a `send()` in the same tick) counts: `countBefore` is the number of
     * such operations when the refused call was made.
     */
    private retryAfter<T>(after: 'send' | 'receive', countBefore: number, error: ZmqError, timeout: number, retry: () => Promise<T>): Promise<T> {
      if (error.code !== 'EFSM' || timeout === 0 || this.closed) return Promise.reject(error);
      const state = (this as unknown as Internal)[STATE];
      if ((after === 'send' ? state.sends : state.receives) !== countBefore) {
        return new Promise<T>((resolve, reject) => setImmediate(() => (this.closed ? reject(cancelled()) : retry().then(resolve, reject))));
      }
      return new Promise<T>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const waiter: StateWaiter = {
          after,
          wake: () => {
            clearTimeout(timer);
            retry().then(resolve, reject);
          },
          cancel: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        if (timeout > 0) {
          timer = setTimeout(() => {
            state.waiting = state.waiting.filter((w) => w !== waiter);
            this.settleKeepAlive(state);
            reject(error); // as zeromq.js: the state error, once the timeout elapsed
          }, timeout);
        }
        state.waiting.push(waiter);
        this.settleKeepAlive(state);
      });
    }

    /** A waiting call keeps the process alive, as every pending call does. */
    private settleKeepAlive(state: FacadeState): void {
      if (state.waiting.length > 0) state.keepAlive ??= setInterval(() => {}, 1 << 30);
      else if (state.keepAlive !== undefined) {
        clearInterval(state.keepAlive);
        state.keepAlive = undefined;
      }
    }

    override write(message: MessageLike, ...args: unknown[]): boolean {
      return super.write(coerce(message), ...args);
    }

    override getOption(name: string): unknown {
      try {
        return super.getOption(name);
      } catch (error) {
        throw toZeromqError(error);
      }
    }

    override setOption(name: string, value: unknown): void {
      try {
        super.setOption(name, value);
      } catch (error) {
        throw toZeromqError(error);
      }
    }

    protected override adaptError(error: ZmqError): ZmqError {
      return toZeromqError(error) as ZmqError;
    }

    // zeromq.js's numeric option accessors (protected there, callable from JavaScript).
    protected getBoolOption(id: number): boolean {
      return this.getOption(optionName(id)) as boolean;
    }
    protected setBoolOption(id: number, value: boolean): void {
      this.setOption(optionName(id), value);
    }
    protected getInt32Option(id: number): number {
      return id === 16 ? type : (this.getOption(optionName(id)) as number);
    }
    protected setInt32Option(id: number, value: number): void {
      this.setOption(optionName(id), value);
    }
    protected getUint32Option(id: number): number {
      return this.getOption(optionName(id)) as number;
    }
    protected setUint32Option(id: number, value: number): void {
      this.setOption(optionName(id), value);
    }
    protected getInt64Option(id: number): number {
      return this.getOption(optionName(id)) as number;
    }
    protected setInt64Option(id: number, value: number): void {
      this.setOption(optionName(id), value);
    }
    protected getUint64Option(id: number): number {
      return this.getOption(optionName(id)) as number;
    }
    protected setUint64Option(id: number, value: number): void {
      this.setOption(optionName(id), value);
    }
    protected getStringOption(id: number): string | null {
      const value = id === 32 ? this.lastEndpoint : this.getOption(optionName(id));
      return value === null || value === undefined ? null : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
    }
    protected setStringOption(id: number, value: string | Buffer | null): void {
      this.setOption(optionName(id), value);
    }
  }
  Object.defineProperty(ZeromqSocket, 'name', { value: name }); // zeromq.js's class name (bundlers may rename Base)
  if (!CLASSES.has(type)) CLASSES.set(type, ZeromqSocket as unknown as new (options?: object) => AnySocket);
  return ZeromqSocket;
}

/** Whether `value` is a socket made by this package or by Monocoque's pattern packages. */
export function isFacadeSocket(value: unknown): boolean {
  return typeof value === 'object' && value !== null && STATE in value;
}
