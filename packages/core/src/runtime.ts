/**
 * Process-wide state, shared by every loaded copy of `@monocoque/core`.
 *
 * A process may load this package twice: its ESM and CJS builds side by side (an `import`
 * dependency next to a `require()` one), or two compatible versions. libzmq has one
 * context per process by default; the equivalent here — the inproc name table, the
 * transport registry, the flush scheduler and the keep-alive handle — must be one object,
 * or an ESM socket could not reach a CJS socket over `inproc://` and each copy would run
 * its own flush. So the state lives on `globalThis` under a versioned `Symbol.for` key:
 * every copy that agrees on the layout version finds the same object. Bump the version
 * whenever the layout changes incompatibly.
 */
import type { InprocRegistryState } from './inproc.js';
import type { KeepAliveState } from './keepalive.js';
import type { SchedulerState } from './scheduler.js';
import type { OptionProviderState } from './options.js';
import type { TransportRegistryState } from './transport-registry.js';
import type { ZapState } from './zap.js';

/** The layout version of {@link Runtime}; part of the global key. */
export const RUNTIME_VERSION = 1;
const KEY = Symbol.for(`monocoque.runtime.v${RUNTIME_VERSION}`);

/** Everything process-wide. Each module owns its own slot and initialises it lazily. */
export interface Runtime {
  readonly version: number;
  inproc?: InprocRegistryState;
  transports?: TransportRegistryState;
  scheduler?: SchedulerState;
  keepAlive?: KeepAliveState;
  optionProviders?: OptionProviderState;
  zap?: ZapState;
}

/** The one runtime of this process (created by whichever copy loads first). */
export const runtime: Runtime = ((globalThis as Record<symbol, Runtime | undefined>)[KEY] ??= { version: RUNTIME_VERSION });
