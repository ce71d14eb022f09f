/**
 * `monocoque proxy`: forward between a frontend and a backend socket, like `zmq_proxy` —
 * ROUTER/DEALER (a shared queue), XSUB/XPUB (a pub/sub forwarder, subscriptions flowing
 * back), PULL/PUSH (a streamer), or any pair of types that can carry messages.
 *
 * Each direction is one loop on the batching API: `receiveMany()` takes every message
 * already decoded, `write()` queues each on the other socket without a promise per message,
 * and `flush()` waits until they are handed on (the back-pressure point). Both directions
 * run at once; messages keep their frames (a ROUTER's envelope travels with them).
 */
import type { Socket } from '@monocoque/core';
import type { Subscriber } from '@monocoque/pubsub';
import { type Options, flag, noPositionals, parse, str } from '../args.js';
import { EXIT_OK, RuntimeError, UsageError } from '../errors.js';
import type { Output } from '../output.js';
import { Session } from '../session.js';
import { CAN_RECEIVE, CAN_SEND, type CliSocketType, DEFAULT_LINGER, createSocket, isSocketType, openEndpoints } from '../sockets.js';

/** The options of `proxy`. */
export const PROXY_OPTIONS = {
  frontend: { type: 'string' },
  backend: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
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

/** Forward from `from` to `to` until `from` closes. Resolves with the number of messages. */
export async function forward(from: Socket, to: Socket, counter: { messages: number }): Promise<void> {
  for (;;) {
    let batch: unknown[];
    try {
      batch = await from.receiveMany(1024);
    } catch (error) {
      if (from.closed) return;
      throw error;
    }
    if (to.closed) return;
    for (const message of batch) {
      if (!to.write(message as Buffer[])) await to.flush();
    }
    counter.messages += batch.length;
    await to.flush();
  }
}

/** Run `monocoque proxy ...`. */
export async function proxyCommand(args: string[], output: Output): Promise<number> {
  const parsed = parse(args, PROXY_OPTIONS, false);
  noPositionals(parsed, 'proxy');
  const front = parseSocketSpec('frontend', str(parsed.values, 'frontend'));
  const back = parseSocketSpec('backend', str(parsed.values, 'backend'));
  const down = CAN_RECEIVE.has(front.type) && CAN_SEND.has(back.type);
  const up = CAN_RECEIVE.has(back.type) && CAN_SEND.has(front.type);
  if (!down && !up) throw new UsageError(`proxy: nothing can flow between a ${front.type} frontend and a ${back.type} backend`);
  if (front.type === 'req' || front.type === 'rep' || back.type === 'req' || back.type === 'rep') {
    throw new UsageError('proxy: use router (for REQ clients) and dealer (for REP workers); req and rep sockets cannot forward');
  }
  const session = new Session();
  let ok = false;
  try {
    const frontend = session.track(createSocket(front.type, { linger: DEFAULT_LINGER }));
    const backend = session.track(createSocket(back.type, { linger: DEFAULT_LINGER }));
    for (const [socket, spec] of [[frontend, front], [backend, back]] as const) {
      if (spec.type === 'sub') (socket as Subscriber).subscribe('');
    }
    await openEndpoints(frontend, [front], output, 'frontend ');
    await openEndpoints(backend, [back], output, 'backend ');
    const downstream = { messages: 0 };
    const upstream = { messages: 0 };
    const fail = (error: unknown): never => {
      throw new RuntimeError(`proxy: ${(error as Error).message}`);
    };
    const loops: Array<Promise<void>> = [];
    if (down) loops.push(forward(frontend, backend, downstream));
    if (up) loops.push(forward(backend, frontend, upstream));
    await Promise.race([Promise.all(loops), session.whenStopped()]).catch(fail);
    if (flag(parsed.values, 'verbose')) output.info(`proxy forwarded ${downstream.messages} message(s) frontend → backend, ${upstream.messages} backend → frontend`);
    ok = true;
    return session.interrupted ?? EXIT_OK;
  } finally {
    session.close(!ok);
  }
}
