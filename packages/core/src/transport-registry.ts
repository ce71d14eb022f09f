/**
 * Transport selection. The default is `node:net`. Other transports (e.g. `@monocoque/uring`)
 * register themselves by name; `MONOCOQUE_TRANSPORT=<name>` picks one process-wide and
 * `MONOCOQUE_TRANSPORT=net` forces the fallback. A socket's `transport` option overrides both.
 */
import { ZmqError } from '@monocoque/zmtp';
import { netTransport } from './net-transport.js';
import { debug } from './debug.js';
import { runtime } from './runtime.js';
import type { Transport } from './transport.js';

/** @internal Shared by every copy of this package (runtime.ts). */
export interface TransportRegistryState {
  readonly factories: Map<string, () => Transport>;
  explicitDefault: Transport | undefined;
  envDefault: Transport | undefined;
}

const state: TransportRegistryState = (runtime.transports ??= {
  factories: new Map([['net', () => netTransport]]),
  explicitDefault: undefined,
  envDefault: undefined,
});
const factories = state.factories;


/**
 * Make a transport available by name (for `MONOCOQUE_TRANSPORT` and `setDefaultTransport`).
 * The factory runs lazily, the first time the transport is selected.
 */
export function registerTransport(name: string, factory: () => Transport): void {
  factories.set(name, factory);
  state.envDefault = undefined;
}

/** Names of the registered transports. */
export function registeredTransports(): string[] {
  return [...factories.keys()];
}

/** Set the process-wide default transport, by instance or registered name. */
export function setDefaultTransport(transport: Transport | string): void {
  if (typeof transport !== 'string') {
    state.explicitDefault = transport;
    return;
  }
  const factory = factories.get(transport);
  if (factory === undefined) throw new ZmqError('EINVAL', `unknown transport ${JSON.stringify(transport)}; registered: ${registeredTransports().join(', ')}`);
  state.explicitDefault = factory();
}

/** The transport used by sockets without a `transport` option. */
export function getDefaultTransport(): Transport {
  if (state.explicitDefault !== undefined) return state.explicitDefault;
  if (state.envDefault !== undefined) return state.envDefault;
  const wanted = process.env.MONOCOQUE_TRANSPORT;
  let chosen: Transport = netTransport;
  if (wanted !== undefined && wanted !== '' && wanted !== 'net') {
    const factory = factories.get(wanted);
    if (factory === undefined) {
      debug(`MONOCOQUE_TRANSPORT=${wanted} is not registered (import its package's /register entry); using node:net`);
    } else {
      try {
        chosen = factory();
      } catch (error) {
        debug(`transport ${wanted} unavailable (${(error as Error).message}); using node:net`);
      }
    }
  }
  state.envDefault = chosen;
  return chosen;
}
