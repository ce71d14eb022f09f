/**
 * `monocoque proxy`: forward between a frontend and a backend socket with
 * `@monocoque/proxy`'s `Proxy` (zmq_proxy) — ROUTER/DEALER (a shared queue), XSUB/XPUB (a
 * pub/sub forwarder, subscriptions flowing back), PULL/PUSH (a streamer), or any pair of
 * types that can carry messages; optionally a capture socket gets a copy of every message.
 * The proxy forwards both directions at once on the batching API (`receiveMany`, `write`,
 * `flush`), frames intact (a ROUTER's envelope travels with its message).
 */
import { Proxy } from '@monocoque/proxy';
import type { Subscriber } from '@monocoque/pubsub';
import { type Options, noPositionals, parse, str } from '../args.js';
import { EXIT_OK, RuntimeError, UsageError } from '../errors.js';
import type { Output } from '../output.js';
import { Session } from '../session.js';
import { CAN_RECEIVE, CAN_SEND, type CliSocketType, DEFAULT_LINGER, createSocket, isSocketType, openEndpoints } from '../sockets.js';

/** The options of `proxy`. */
export const PROXY_OPTIONS = {
  frontend: { type: 'string' },
  backend: { type: 'string' },
  capture: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** A `<type>@<endpoint>` (bind) or `<type>><endpoint>` (connect) argument. */
export interface SocketSpec {
  type: CliSocketType;
  mode: 'bind' | 'connect';
  address: string;
}

/** Parse `router@tcp://*:5559` (bind) or `dealer>tcp://host:5560` (connect). */
export function parseSocketSpec(option: string, value: string | undefined): SocketSpec {
  if (value === undefined) throw new UsageError(`proxy: --${option} is required, e.g. --${option} router@tcp://*:5559`);
  const m = /^([a-z]+)([@>])(.+)$/.exec(value);
  if (m === null) throw new UsageError(`--${option}: expected <type>@<endpoint> to bind or <type>><endpoint> to connect; got ${JSON.stringify(value)}`);
  const [, type, sigil, address] = m as unknown as [string, string, string, string];
  if (!isSocketType(type)) throw new UsageError(`--${option}: unknown socket type ${JSON.stringify(type)}`);
  return { type, mode: sigil === '@' ? 'bind' : 'connect', address };
}

/** Run `monocoque proxy ...`. */
export async function proxyCommand(args: string[], output: Output): Promise<number> {
  const parsed = parse(args, PROXY_OPTIONS, false);
  noPositionals(parsed, 'proxy');
  const front = parseSocketSpec('frontend', str(parsed.values, 'frontend'));
  const back = parseSocketSpec('backend', str(parsed.values, 'backend'));
  const captureArg = str(parsed.values, 'capture');
  const cap = captureArg === undefined ? undefined : parseSocketSpec('capture', captureArg);
  const down = CAN_RECEIVE.has(front.type) && CAN_SEND.has(back.type);
  const up = CAN_RECEIVE.has(back.type) && CAN_SEND.has(front.type);
  if (!down && !up) throw new UsageError(`proxy: nothing can flow between a ${front.type} frontend and a ${back.type} backend`);
  if (front.type === 'req' || front.type === 'rep' || back.type === 'req' || back.type === 'rep') {
    throw new UsageError('proxy: use router (for REQ clients) and dealer (for REP workers); req and rep sockets cannot forward');
  }
  if (cap !== undefined && !CAN_SEND.has(cap.type)) throw new UsageError(`--capture: a ${cap.type} socket cannot send (use e.g. pub or push)`);
  const session = new Session();
  let ok = false;
  try {
    const frontend = session.track(createSocket(front.type, { linger: DEFAULT_LINGER }));
    const backend = session.track(createSocket(back.type, { linger: DEFAULT_LINGER }));
    const capture = cap === undefined ? undefined : session.track(createSocket(cap.type, { linger: DEFAULT_LINGER }));
    for (const [socket, spec] of [[frontend, front], [backend, back]] as const) {
      if (spec.type === 'sub') (socket as Subscriber).subscribe('');
    }
    await openEndpoints(frontend, [front], output, 'frontend ');
    await openEndpoints(backend, [back], output, 'backend ');
    if (capture !== undefined && cap !== undefined) await openEndpoints(capture, [cap], output, 'capture ');
    const proxy = new Proxy(frontend, backend, capture === undefined ? {} : { capture });
    const running = proxy.run();
    void session.whenStopped().then(() => proxy.terminate());
    try {
      await running;
    } catch (error) {
      if (!session.stopped) throw new RuntimeError(`proxy: ${(error as Error).message}`);
    }
    ok = true;
    return session.interrupted ?? EXIT_OK;
  } finally {
    session.close(!ok);
  }
}
