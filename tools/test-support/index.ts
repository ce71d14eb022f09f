/**
 * Test helpers shared by the pattern packages' tests, built on @monocoque/core only: a raw socket that announces any socket
 * type and lets a test read and write exact frames per peer (to forge bad envelopes,
 * replies from the wrong peer, ...), plus bounded waits.
 */
import { afterEach, expect } from 'vitest';
import { type Message, type Pipe, Socket, type SocketOptions, type SocketType, ZmqError } from '@monocoque/core';

/** A socket with no pattern: records its peers, exposes raw per-peer reads and writes. */
export class RawSocket extends Socket {
  /** Attached peers, in attach order. */
  readonly peers: Pipe[] = [];

  constructor(type: SocketType, options: SocketOptions = {}) {
    super(type, options);
  }

  /** Write exact frames to peer `index`. */
  writeTo(index: number, frames: Array<Buffer | string>): boolean {
    const pipe = this.peers[index];
    if (pipe === undefined) throw new Error(`no peer #${index}`);
    return pipe.write(frames.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
  }

  /** Receive the next message as `[peerIndex, frames]`. */
  async receiveFrom(ms = 2000): Promise<[number, Buffer[]]> {
    const [index, ...frames] = await withTimeout(this.receive(), ms, 'RawSocket.receive');
    return [Number(index!.toString()), frames];
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.peers.push(pipe);
    return true;
  }
  protected detachPipe(_pipe: Pipe): void {}
  protected sendMessage(_frames: Buffer[]): boolean {
    throw new ZmqError('ENOTSUP', 'RawSocket: use writeTo()');
  }
  protected receiveMessage(): Message | undefined {
    const message = this.fairQueue.read();
    if (message === undefined) return undefined;
    return [Buffer.from(String(this.peers.indexOf(this.fairQueue.lastPipe!))), ...message];
  }
}

/** Reject if `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Resolve with true when `p` is still pending after `ms`. */
export async function stillPending(p: Promise<unknown>, ms = 50): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return !settled;
}

/** Wait until `n` `handshake` events were seen on `sock` (counting from now). */
export function handshakes(sock: Pick<Socket, 'events'>, n: number, ms = 3000): Promise<void> {
  let seen = 0;
  let listener: (() => void) | undefined;
  const p = new Promise<void>((resolve) => {
    listener = () => {
      if (++seen >= n) resolve();
    };
    sock.events.on('handshake', listener);
  });
  return withTimeout(p, ms, `${n} handshake(s)`).finally(() => sock.events.off('handshake', listener!));
}

let counter = 0;
/** A unique endpoint per call. */
export function endpoint(kind: 'inproc' | 'tcp' | 'ipc', tag: string): string {
  counter++;
  if (kind === 'inproc') return `inproc://${tag}-${process.pid}-${counter}`;
  if (kind === 'ipc') return `ipc:///tmp/monocoque-${tag}-${process.pid}-${counter}.sock`;
  return 'tcp://127.0.0.1:*';
}

/** Frames as strings, for readable assertions. */
export function str(frames: readonly Buffer[]): string[] {
  return frames.map((f) => f.toString());
}

/**
 * Close every socket passed to the returned `track` function after each test of the
 * calling file.
 */
export function socketTracker(): <T extends { close(): void }>(socket: T) => T {
  const open: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  return (socket) => {
    open.push(socket);
    return socket;
  };
}

/**
 * Await `p` (or call it) and require a `ZmqError` with `code` (and, when given, a message
 * matching `pattern`); returns the error for further checks.
 */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: string, pattern?: RegExp): Promise<ZmqError> {
  let error: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(ZmqError);
  expect((error as ZmqError).code).toBe(code);
  if (pattern) expect((error as ZmqError).message).toMatch(pattern);
  return error as ZmqError;
}

export { type Direction, FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy.js';
