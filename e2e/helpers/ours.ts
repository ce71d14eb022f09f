/** Bounded operations on Monocoque sockets (anything with zeromq.js v6 `receive`/`send`). */
import { describeFrame, withTimeout } from './util.js';

export interface Receiver {
  receive(): Promise<Buffer[]>;
}

/** Receive one message from one of our sockets, or fail after `ms`. */
export function recv(sock: Receiver, ms = 5000, what = 'our socket receive'): Promise<Buffer[]> {
  return withTimeout(sock.receive(), ms, what);
}

/** Receive `n` messages in order, each bounded. */
export async function recvN(sock: Receiver, n: number, ms = 5000, what = 'our socket receive'): Promise<Buffer[][]> {
  const out: Buffer[][] = [];
  for (let i = 0; i < n; i++) out.push(await recv(sock, ms, `${what} (${i + 1}/${n})`));
  return out;
}

/**
 * Assert that nothing arrives on our socket within `ms`. The pending receive stays
 * outstanding; the socket must be closed afterwards (the test scope does that).
 */
export async function expectNothing(sock: Receiver, ms = 200, what = 'our socket'): Promise<void> {
  const got = await Promise.race([
    sock.receive().then(
      (m) => m,
      () => null,
    ),
    new Promise<null>((r) => setTimeout(() => r(null), ms)),
  ]);
  if (got) throw new Error(`${what}: expected no message, got [${got.map(describeFrame).join(' | ')}]`);
}

export interface HasEvents {
  events: {
    on(type: string, listener: (e: { type: string; address: string }) => void): unknown;
    off(type: string, listener: (e: { type: string; address: string }) => void): unknown;
  };
}

/**
 * The next `type` event of one of our sockets, bounded by `ms`. Call it before triggering
 * the event; await the promise afterwards.
 */
export function nextEvent(sock: HasEvents, type: string, ms = 5000): Promise<{ type: string; address: string }> {
  let listener: ((e: { type: string; address: string }) => void) | undefined;
  const p = new Promise<{ type: string; address: string }>((resolve) => {
    listener = (e) => {
      sock.events.off(type, listener!);
      resolve(e);
    };
    sock.events.on(type, listener);
  });
  return withTimeout(p, ms, `'${type}' event on our socket`).finally(() => sock.events.off(type, listener!));
}
