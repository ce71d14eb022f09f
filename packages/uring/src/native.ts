/**
 * Locating and loading the native addon (`monocoque_uring.node`). Nothing here runs at
 * import time: {@link loadNative} is called the first time the io_uring transport is
 * requested, and its result (success or the reason for failure) is cached.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's exported functions (see native/uring/src/uring.cc). */
export interface NativeBinding {
  /** `null` when io_uring with every feature the transport needs works here, else why not. */
  probe(): string | null;
  /**
   * Create this environment's ring; returns the mode actually used. `region` holds the
   * provided receive buffers (`RECV_BUFFER_COUNT` × `RECV_BUFFER_SIZE` bytes): received
   * bytes are read in place there during `callback` and reused once it returns.
   */
  init(callback: (events: number) => void, events: ArrayBuffer, region: ArrayBuffer, mode: 0 | 1): 'coop' | 'defer';
  /** Bind and listen; family 0 = Unix (address is a Buffer), 4/6 = TCP. Returns [id, port]. */
  listen(family: 0 | 4 | 6, address: string | Buffer, port: number): [number, number];
  /** Start connecting; EV_CONNECT reports the outcome. Returns the stream id. */
  connect(family: 0 | 4 | 6, address: string | Buffer, port: number): number;
  rearmAccept(listenerId: number): void;
  start(id: number): void;
  pause(id: number): void;
  resume(id: number): void;
  write(id: number, chunks: readonly Uint8Array[]): boolean;
  end(id: number): void;
  destroy(id: number, errno?: number): void;
  closeListener(id: number): boolean;
  peer(id: number): string | null;
  /**
   * `recvLimit`: bytes one armed recv takes before JS sees them (0: the kernel has no limit).
   * `dryRecvs`: recvs that ended on an empty buffer ring; `longestDryRun`: the most of
   * those one stream had in a row since the previous `stats()` call (how long sharing the
   * ring let a stream starve). `wakeups`: how often libuv woke the ring up (poll callbacks;
   * absent from addons built before it was counted).
   */
  stats(): { sockets: number; mode: string; recvLimit: number; dryRecvs: number; longestDryRun: number; wakeups?: number };
  readonly EVENT_INTS: number;
  readonly RECV_BUFFER_SIZE: number;
  readonly RECV_BUFFER_COUNT: number;
  /** Most received bytes one JS call hands over (then microtasks run, and the next call). */
  readonly CALL_BYTES?: number;
  /** Version of the JS ↔ addon contract ({@link ADDON_PROTOCOL}). */
  readonly PROTOCOL?: number;
}

/** The addon contract this JS expects: 2 = received bytes are read in place (no inbox). */
export const ADDON_PROTOCOL = 2;

/** Outcome of loading the addon. */
export type NativeLoad = { ok: true; binding: NativeBinding; path: string } | { ok: false; reason: string };

const ADDON = 'monocoque_uring.node';
/** The prebuilt addon shipped in the package (liburing linked in; needs glibc ≥ 2.36). */
const PREBUILT = 'monocoque_uring.glibc.node';

/** Whether this process runs on glibc (the prebuilt addon does not load on musl). */
function isGlibc(): boolean {
  const report = (process as { report?: { getReport(): unknown } }).report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return typeof report?.header?.glibcVersionRuntime === 'string';
}

/** Where the addon may live, most specific first. */
export function addonCandidates(): string[] {
  const out: string[] = [];
  const explicit = process.env.MONOCOQUE_URING_ADDON;
  if (explicit) out.push(explicit);
  // Built at install time on this machine: scripts/install.mjs copies it to <package>/build/.
  // (src/ and dist/ are both one level below the package root.)
  out.push(fileURLToPath(new URL(`../build/${ADDON}`, import.meta.url)));
  // Prebuilt, shipped in the published package (scripts/prebuild.mjs, run at pack time).
  if (process.platform === 'linux' && isGlibc()) out.push(fileURLToPath(new URL(`../prebuilds/linux-${process.arch}/${PREBUILT}`, import.meta.url)));
  // Monorepo checkout: a build made directly in native/uring.
  out.push(fileURLToPath(new URL(`../../../native/uring/build/Release/${ADDON}`, import.meta.url)));
  return out;
}

let cached: NativeLoad | undefined;

/** Load and probe the addon once per module instance (i.e. once per thread). */
export function loadNative(): NativeLoad {
  if (cached !== undefined) return cached;
  cached = tryLoad();
  return cached;
}

function tryLoad(): NativeLoad {
  if (process.env.MONOCOQUE_URING_DISABLE) return { ok: false, reason: 'disabled by MONOCOQUE_URING_DISABLE' };
  if (process.platform !== 'linux') return { ok: false, reason: `io_uring needs Linux (this is ${process.platform})` };
  // The addon drives libuv handles directly: Bun and Deno do not provide those (Bun panics
  // in uv_poll_init, Deno lacks uv_prepare_init), so it must never load there.
  const runtime = (process.versions as Record<string, string | undefined>).bun !== undefined ? 'Bun' : 'Deno' in globalThis ? 'Deno' : undefined;
  if (runtime !== undefined) return { ok: false, reason: `the io_uring addon needs Node.js's libuv; ${runtime} does not provide it` };
  const paths = addonCandidates().filter((p) => existsSync(p));
  if (paths.length === 0) {
    return { ok: false, reason: 'native addon not built (install liburing-dev and a C++ toolchain, then reinstall @monocoque/uring)' };
  }
  // The first candidate that loads and whose probe passes wins (a prebuilt addon may not
  // load on an older glibc; a local build then still can).
  const reasons: string[] = [];
  for (const path of paths) {
    const outcome = loadOne(path);
    if (outcome.ok) return outcome;
    reasons.push(outcome.reason);
  }
  return { ok: false, reason: reasons.join('; ') };
}

function loadOne(path: string): NativeLoad {
  let binding: NativeBinding;
  try {
    binding = createRequire(import.meta.url)(path) as NativeBinding;
  } catch (error) {
    return { ok: false, reason: `cannot load ${path}: ${(error as Error).message}` };
  }
  let why: string | null;
  try {
    why = binding.probe();
  } catch (error) {
    why = `probe failed: ${(error as Error).message}`;
  }
  if (why !== null) return { ok: false, reason: why };
  if (binding.PROTOCOL !== ADDON_PROTOCOL) {
    return { ok: false, reason: `${path} is out of date (addon protocol ${binding.PROTOCOL ?? 1}, this package needs ${ADDON_PROTOCOL}): rebuild it (pnpm --filter @monocoque/uring run build:native)` };
  }
  return { ok: true, binding, path };
}
