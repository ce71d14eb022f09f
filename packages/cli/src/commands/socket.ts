/**
 * `monocoque <type>`: open one socket, send the input messages, print what arrives.
 *
 * What runs depends on the type: REQ sends a message and prints its reply, in turn; REP
 * prints a request and answers it (with the request itself under `--echo`, else with the
 * next input message); PUSH and PUB only send, then exit; PULL and SUB only print; PAIR,
 * DEALER, ROUTER, XPUB and XSUB send their input while printing what arrives.
 */
import type { Socket } from '@monocoque/core';
import { isZmqError } from '@monocoque/core';
import type { Subscriber, XSubscriber } from '@monocoque/pubsub';
import { ENDPOINT_OPTIONS, type Options, flag, int, list, noPositionals, parse, str } from '../args.js';
import { EXIT_OK, RuntimeError, UsageError } from '../errors.js';
import { formatMessage, outputFormat } from '../format.js';
import { inputMessages, inputSpec, readsStdin, untilStopped } from '../input.js';
import type { Output } from '../output.js';
import { Session } from '../session.js';
import { CAN_RECEIVE, CAN_SEND, type CliSocketType, createSocket, openEndpoints, reportHandshakeErrors, securityOptions } from '../sockets.js';

/** The options of a socket command. */
export const SOCKET_COMMAND_OPTIONS = {
  ...ENDPOINT_OPTIONS,
  format: { type: 'string', short: 'f' },
  input: { type: 'string' },
  separator: { type: 'string', short: 's' },
  message: { type: 'string', short: 'm', multiple: true },
  file: { type: 'string', multiple: true },
  raw: { type: 'boolean' },
  count: { type: 'string', short: 'n' },
  timeout: { type: 'string', short: 't' },
  delay: { type: 'string' },
  topic: { type: 'string', multiple: true },
  echo: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const satisfies Options;

/** Sleep `ms`, or less when the session stops. */
export function pause(ms: number, session: Session): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void session.whenStopped().then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Turn a socket error into the CLI's terms: a timed-out call (EAGAIN while not stopping) is
 * a runtime error naming the timeout.
 */
export function socketFailure(error: unknown, timeout: number | undefined, what: string): Error {
  if (isZmqError(error) && error.code === 'EAGAIN' && timeout !== undefined) return new RuntimeError(`timed out after ${timeout} ms ${what}`);
  if (error instanceof RuntimeError || error instanceof UsageError) return error;
  return new RuntimeError((error as Error).message);
}

/** Run `monocoque <type> ...`. */
export async function socketCommand(type: CliSocketType, args: string[], output: Output): Promise<number> {
  const parsed = parse(args, SOCKET_COMMAND_OPTIONS);
  noPositionals(parsed, type);
  const { values } = parsed;
  const format = outputFormat(str(values, 'format'));
  const count = int(values, 'count', undefined, 1);
  const timeout = int(values, 'timeout', undefined, 1);
  const delay = int(values, 'delay', 0);
  const topics = list(values, 'topic');
  const echo = flag(values, 'echo');
  const quiet = flag(values, 'quiet');
  const spec = inputSpec(values);
  if (topics.length > 0 && type !== 'sub' && type !== 'xsub') throw new UsageError(`--topic is for sub and xsub sockets, not ${type}`);
  if (echo && type !== 'rep') throw new UsageError(`--echo is for rep sockets, not ${type}`);
  const givesInput = spec.messages.length > 0 || spec.files.length > 0 || spec.raw || values.input !== undefined || values.separator !== undefined;
  if (givesInput && (!CAN_SEND.has(type) || echo)) throw new UsageError(`${echo ? 'rep --echo' : type} sends no input: --message, --file, --raw, --input and --separator do not apply`);
  if (spec.raw && !readsStdin(spec)) throw new UsageError('--raw reads stdin: it does not go with --message or --file');

  const options = await securityOptions(values, output);
  if (timeout !== undefined) Object.assign(options, { receiveTimeout: timeout, sendTimeout: timeout });
  const session = new Session();
  let ok = false;
  try {
    const socket = session.track(createSocket(type, options));
    reportHandshakeErrors(socket, output);
    if (type === 'sub') (socket as Subscriber).subscribe(...(topics.length > 0 ? topics : ['']));
    await openEndpoints(socket, parsed.endpoints, output);
    if (type === 'xsub') for (const t of topics) await (socket as XSubscriber).send([Buffer.concat([Buffer.from([1]), Buffer.from(t)])]);
    const print = quiet ? async () => {} : (m: Buffer[]) => output.line(formatMessage(m, format));
    const stopped = session.whenStopped();
    const input = () => untilStopped(inputMessages(spec), stopped);
    try {
      if (type === 'req') await requester(socket, input(), count, print, session);
      else if (type === 'rep') await replier(socket, echo ? undefined : input(), count, print, session);
      else if (!CAN_RECEIVE.has(type)) {
        await pause(delay, session);
        await sendAll(socket, input(), count, session);
      } else if (!CAN_SEND.has(type)) await receiveLoop(socket, count, print, session);
      else await duplex(socket, input, delay, count, print, session);
    } catch (error) {
      if (session.stopped) return session.interrupted!;
      throw socketFailure(error, timeout, 'waiting for a peer or a message');
    }
    ok = true;
    return session.interrupted ?? EXIT_OK;
  } finally {
    session.close(!ok);
  }
}

type Print = (message: Buffer[]) => Promise<void>;

async function requester(socket: Socket, input: AsyncGenerator<Buffer[]>, count: number | undefined, print: Print, session: Session): Promise<void> {
  let n = 0;
  for await (const message of input) {
    if (session.stopped) return;
    await socket.send(message);
    await print(await socket.receive());
    if (++n === count) return;
  }
}

async function replier(socket: Socket, input: AsyncGenerator<Buffer[]> | undefined, count: number | undefined, print: Print, session: Session): Promise<void> {
  let n = 0;
  while (!session.stopped && n !== count) {
    const request = await socket.receive();
    await print(request);
    let reply = request;
    if (input !== undefined) {
      const next = await input.next();
      if (next.done) return;
      reply = next.value;
    }
    await socket.send(reply);
    n++;
  }
}

async function sendAll(socket: Socket, input: AsyncGenerator<Buffer[]>, count: number | undefined, session: Session): Promise<void> {
  let n = 0;
  for await (const message of input) {
    if (session.stopped) return;
    await socket.send(message);
    if (++n === count) return;
  }
}

async function receiveLoop(socket: Socket, count: number | undefined, print: Print, session: Session): Promise<void> {
  let n = 0;
  while (!session.stopped && n !== count) {
    await print(await socket.receive());
    n++;
  }
}

async function duplex(socket: Socket, input: () => AsyncGenerator<Buffer[]>, delay: number, count: number | undefined, print: Print, session: Session): Promise<void> {
  let sendError: unknown;
  let receiving = true;
  const sender = (async () => {
    await pause(delay, session);
    for await (const message of input()) {
      if (session.stopped || !receiving) return;
      await socket.send(message);
    }
  })().catch((error: unknown) => {
    sendError = error;
    socket.close();
  });
  try {
    await receiveLoop(socket, count, print, session);
  } catch (error) {
    if (sendError !== undefined) throw sendError;
    throw error;
  } finally {
    receiving = false;
  }
  void sender;
}
