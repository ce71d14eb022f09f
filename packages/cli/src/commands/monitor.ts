/**
 * `monocoque monitor <type>`: open a socket and print its events (`socket.events`, libzmq's
 * monitor events) with the peer each is about — its address and, from `handshake` on, its
 * routing id and socket type. Messages that arrive are read and dropped so that peers are
 * not held up (except on REQ and REP, whose turns the monitor would break).
 */
import type { SocketEvent } from '@monocoque/core';
import { ENDPOINT_OPTIONS, type Options, int, noPositionals, parse, str } from '../args.js';
import { EXIT_OK, RuntimeError, UsageError } from '../errors.js';
import { outputFormat, textFrame } from '../format.js';
import type { Output } from '../output.js';
import { Session } from '../session.js';
import { CAN_RECEIVE, type CliSocketType, createSocket, isSocketType, openEndpoints, securityOptions } from '../sockets.js';

/** The options of `monitor`. */
export const MONITOR_OPTIONS = {
  ...ENDPOINT_OPTIONS,
  format: { type: 'string', short: 'f' },
  count: { type: 'string', short: 'n' },
  timeout: { type: 'string', short: 't' },
  topic: { type: 'string', multiple: true },
} as const satisfies Options;

/** An event as a JSON-friendly object. */
export function eventRecord(event: SocketEvent, time = new Date()): Record<string, unknown> {
  const out: Record<string, unknown> = { time: time.toISOString(), type: event.type, endpoint: event.address };
  if ('peer' in event && event.peer !== undefined) {
    const peer: Record<string, unknown> = { address: event.peer.address };
    if (event.peer.routingId !== undefined) peer.routingId = textFrame(event.peer.routingId);
    if (event.peer.socketType !== undefined) peer.socketType = event.peer.socketType;
    out.peer = peer;
  }
  if ('interval' in event) out.interval = event.interval;
  if ('error' in event && event.error !== undefined) {
    const error: Record<string, unknown> = { code: event.error.code, message: event.error.message };
    const status = (event.error as { status?: unknown }).status;
    if (status !== undefined) error.status = status;
    out.error = error;
  }
  return out;
}

/** An event as one text line: time, type, endpoint, then `key=value` fields. */
export function eventLine(event: SocketEvent, time = new Date()): string {
  const r = eventRecord(event, time);
  const parts = [r.time as string, event.type, event.address];
  const peer = r.peer as Record<string, unknown> | undefined;
  if (peer !== undefined) {
    parts.push(`peer=${String(peer.address)}`);
    if (peer.routingId !== undefined && peer.routingId !== '') parts.push(`routing-id=${String(peer.routingId)}`);
    if (peer.socketType !== undefined) parts.push(`socket-type=${String(peer.socketType)}`);
  }
  if (r.interval !== undefined) parts.push(`interval=${String(r.interval)}`);
  const error = r.error as Record<string, unknown> | undefined;
  if (error !== undefined) parts.push(`error=${String(error.code)}${error.status !== undefined ? `/${String(error.status)}` : ''} ${JSON.stringify(error.message)}`);
  return parts.join(' ');
}

/** Run `monocoque monitor <type> ...`. */
export async function monitorCommand(args: string[], output: Output): Promise<number> {
  const parsed = parse(args, MONITOR_OPTIONS);
  const [type, ...rest] = parsed.positionals;
  if (type === undefined) throw new UsageError('monitor: which socket type? e.g. monocoque monitor router --bind tcp://*:5555');
  if (!isSocketType(type)) throw new UsageError(`monitor: unknown socket type ${JSON.stringify(type)}`);
  noPositionals({ ...parsed, positionals: rest }, 'monitor');
  const { values } = parsed;
  const format = outputFormat(str(values, 'format'), ['text', 'json']);
  const count = int(values, 'count', undefined, 1);
  const timeout = int(values, 'timeout', undefined, 1);
  if (values.topic !== undefined && type !== 'sub') throw new UsageError(`monitor: --topic is for sub sockets, not ${type}`);
  const options = await securityOptions(values, output);
  const session = new Session();
  let ok = false;
  try {
    const socket = session.track(createSocket(type as CliSocketType, options));
    if (type === 'sub') {
      const topics = (values.topic as string[] | undefined) ?? [''];
      (socket as unknown as { subscribe(...t: string[]): void }).subscribe(...topics);
    }
    const events = socket.events[Symbol.asyncIterator]();
    await openEndpoints(socket, parsed.endpoints, output);
    if (CAN_RECEIVE.has(type as CliSocketType) && type !== 'req' && type !== 'rep') {
      void (async () => {
        for await (const _ of socket) void _;
      })().catch(() => {});
    }
    const stopped = session.whenStopped().then(() => 'stopped' as const);
    let n = 0;
    while (n !== count) {
      const next = await nextWithin(events.next(), timeout, stopped);
      if (next === 'timeout') throw new RuntimeError(`timed out after ${timeout} ms waiting for an event`);
      if (next === 'stopped' || next.done === true || next.value.type === 'end') break;
      await output.line(format === 'json' ? JSON.stringify(eventRecord(next.value)) : eventLine(next.value));
      n++;
    }
    ok = true;
    return session.interrupted ?? EXIT_OK;
  } finally {
    session.close(!ok);
  }
}

function nextWithin<T>(promise: Promise<T>, timeout: number | undefined, stopped: Promise<'stopped'>): Promise<T | 'timeout' | 'stopped'> {
  const racers: Array<Promise<T | 'timeout' | 'stopped'>> = [promise, stopped];
  let timer: NodeJS.Timeout | undefined;
  if (timeout !== undefined) racers.push(new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeout))));
  return Promise.race(racers).finally(() => clearTimeout(timer));
}
