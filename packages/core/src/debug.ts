/**
 * Debug logging: `NODE_DEBUG=monocoque` (Node's `util.debuglog`; `MONOCOQUE_DEBUG=1` works
 * too) prints one line per connection life-cycle event — bind, connect attempts and
 * retries, handshakes and their failures, disconnects and why, closes — naming the socket
 * type, the endpoint and the peer. Off by default and never on a per-message path.
 */
import { debuglog } from 'node:util';
import type { SocketEvent } from './events.js';

const log = debuglog('monocoque');

/** An environment variable, or undefined where reading it is not allowed (Deno without --allow-env). */
function readEnv(name: string): string | undefined {
  try {
    return process.env[name];
  } catch {
    return undefined;
  }
}

function enabled(): boolean {
  try {
    if (log.enabled) return true;
  } catch {
    // a runtime whose debuglog cannot read NODE_DEBUG: fall through
  }
  return /\bmonocoque\b/i.test(readEnv('NODE_DEBUG') ?? '') || Boolean(readEnv('MONOCOQUE_DEBUG'));
}

/** Whether debug lines are printed (read once, at load). */
export const debugEnabled: boolean = enabled();

/**
 * Print one line to Monocoque's debug log (when `NODE_DEBUG=monocoque` or `MONOCOQUE_DEBUG`
 * is set): `MONOCOQUE <pid>: <message>`. Packages that plug into core (transports, security
 * backends) use it so that every line has the same form.
 */
export function debug(message: string): void {
  if (!debugEnabled) return;
  if (log.enabled === true) log('%s', message);
  else process.stderr.write(`MONOCOQUE ${process.pid}: ${message}\n`);
}

/** The debug line of one monitor event of a `socketType` socket. */
export function describeEvent(socketType: string, event: SocketEvent): string {
  const e = event as SocketEvent & {
    peer?: { address: string; routingId?: Buffer; socketType?: string };
    error?: { code?: string; message: string; status?: number };
    interval?: number;
  };
  let line = e.address ? `${socketType} ${e.type} ${e.address}` : `${socketType} ${e.type}`;
  const peer = e.peer;
  if (peer !== undefined && peer.address !== e.address) line += ` peer ${peer.address}`;
  if (peer?.socketType !== undefined) line += ` (${peer.socketType}${peer.routingId?.length ? ` id ${JSON.stringify(peer.routingId.toString('latin1'))}` : ''})`;
  if (e.interval !== undefined) line += ` in ${e.interval} ms`;
  if (e.error !== undefined) line += `: ${e.error.code ?? 'error'}${e.error.status !== undefined ? ` ${e.error.status}` : ''} ${e.error.message}`;
  return line;
}
