/**
 * Loading the JavaScript implementations under test.
 *
 * Both JS implementations expose the zeromq.js v6 socket API, so one worker drives both;
 * only where the socket classes come from differs:
 * - `zeromq`: everything from the npm `zeromq` package (libzmq bindings);
 * - `monocoque`: one workspace package per pattern, loaded from its built `dist`;
 * - `monocoque-uring`: the same, after importing `@monocoque/uring/register` with
 *   `MONOCOQUE_TRANSPORT=uring` in the environment;
 * - `node-net`: the node:net floor (lib/floor.mjs), raw `node:net` streams of fixed-size
 *   records with the same socket API; push-pull and req-rep only;
 * - `node-net-framed`: the same floor carrying ZMTP frames, one `Buffer` view per message
 *   at the receiver (lib/floor.mjs); push-pull only.
 *
 * Monocoque packages are imported dynamically: a pattern whose package does not exist yet
 * (or is not built) makes its scenarios skip with a reason instead of failing the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FLOOR_CLASSES, FLOOR_ONLY, FRAMED_FLOOR_CLASSES, FRAMED_FLOOR_ONLY } from './floor.mjs';

/** Repository root (tools/bench/lib → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Which Monocoque package and class names each socket type lives in. */
export const MONOCOQUE_CLASSES = {
  Dealer: 'dealer',
  Router: 'router',
  Request: 'reqrep',
  Reply: 'reqrep',
  Push: 'pipeline',
  Pull: 'pipeline',
  Publisher: 'pubsub',
  Subscriber: 'pubsub',
};

/** Socket classes per pattern: [server (binds), client (connects)]. */
export const PATTERN_CLASSES = {
  'req-rep': ['Reply', 'Request'],
  'dealer-router': ['Router', 'Dealer'],
  'push-pull': ['Pull', 'Push'],
  'pub-sub': ['Publisher', 'Subscriber'],
};

/**
 * Resolve a package `exports` entry to a file for `import` (ESM) consumers.
 * @param {unknown} entry an exports value: string, conditions object or array
 * @returns {string | undefined}
 */
function resolveExportTarget(entry) {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const r = resolveExportTarget(e);
      if (r) return r;
    }
    return undefined;
  }
  if (entry && typeof entry === 'object') {
    for (const cond of ['import', 'node', 'default']) {
      if (cond in entry) {
        const r = resolveExportTarget(/** @type {Record<string, unknown>} */ (entry)[cond]);
        if (r) return r;
      }
    }
  }
  return undefined;
}

/**
 * Import `@monocoque/<name>[/<subpath>]` from its built output.
 *
 * Tries the normal package resolution first (the package is a devDependency of
 * @monocoque/bench), then falls back to `packages/<name>` in the workspace, so that
 * packages added after the last `pnpm install` still load.
 *
 * @param {string} name package directory name, e.g. `dealer`
 * @param {string} [subpath] export subpath without `./`, e.g. `register`
 * @returns {Promise<{ ok: true, module: any } | { ok: false, reason: string }>}
 */
export async function importMonocoque(name, subpath) {
  const specifier = `@monocoque/${name}${subpath ? `/${subpath}` : ''}`;
  const dir = `${REPO_ROOT}packages/${name}/`;
  if (!existsSync(`${dir}package.json`)) {
    return { ok: false, reason: `${specifier}: package packages/${name} does not exist yet` };
  }
  const pkg = JSON.parse(readFileSync(`${dir}package.json`, 'utf8'));
  const key = subpath ? `./${subpath}` : '.';
  const target = pkg.exports ? resolveExportTarget(pkg.exports[key]) : subpath ? undefined : pkg.module ?? pkg.main;
  if (!target) return { ok: false, reason: `${specifier}: no "${key}" export in packages/${name}/package.json` };
  const file = new URL(target, pathToFileURL(dir));
  if (!existsSync(file)) {
    return { ok: false, reason: `${specifier}: not built (${fileURLToPath(file)} missing; run pnpm build)` };
  }
  try {
    return { ok: true, module: await import(specifier) };
  } catch (err) {
    if (/** @type {any} */ (err)?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err).includes(`@monocoque/${name}`)) {
      return { ok: false, reason: `${specifier}: import failed: ${firstLine(err)}` };
    }
  }
  try {
    return { ok: true, module: await import(file.href) };
  } catch (err) {
    return { ok: false, reason: `${specifier}: import failed: ${firstLine(err)}` };
  }
}

/** @param {unknown} err */
export function firstLine(err) {
  return String(/** @type {any} */ (err)?.message ?? err).split('\n')[0];
}

/**
 * Load the two socket classes of a pattern for an implementation.
 * @param {'monocoque' | 'monocoque-uring' | 'monocoque-noble' | 'zeromq' | 'node-net' | 'node-net-framed'} impl
 * @param {keyof typeof PATTERN_CLASSES} pattern
 * @returns {Promise<{ ok: true, Server: any, Client: any, module: any } | { ok: false, reason: string }>}
 */
export async function loadPattern(impl, pattern) {
  const [serverName, clientName] = PATTERN_CLASSES[pattern];
  if (impl === 'node-net') {
    const floor = FLOOR_CLASSES[/** @type {keyof typeof FLOOR_CLASSES} */ (pattern)];
    return floor ? { ok: true, Server: floor[0], Client: floor[1], module: null } : { ok: false, reason: FLOOR_ONLY };
  }
  if (impl === 'node-net-framed') {
    const floor = FRAMED_FLOOR_CLASSES[/** @type {keyof typeof FRAMED_FLOOR_CLASSES} */ (pattern)];
    return floor ? { ok: true, Server: floor[0], Client: floor[1], module: null } : { ok: false, reason: FRAMED_FLOOR_ONLY };
  }
  if (impl === 'zeromq') {
    try {
      const zmq = await import('zeromq');
      return { ok: true, Server: zmq[serverName], Client: zmq[clientName], module: zmq };
    } catch (err) {
      return { ok: false, reason: `zeromq: import failed: ${firstLine(err)}` };
    }
  }
  if (impl === 'monocoque-uring') {
    const uring = await loadUring();
    if (!uring.ok) return uring;
  }
  /** @type {Record<string, any>} */
  const classes = {};
  for (const cls of [serverName, clientName]) {
    const loaded = await importMonocoque(MONOCOQUE_CLASSES[/** @type {keyof typeof MONOCOQUE_CLASSES} */ (cls)]);
    if (!loaded.ok) return loaded;
    if (typeof loaded.module[cls] !== 'function') {
      return { ok: false, reason: `@monocoque/${MONOCOQUE_CLASSES[/** @type {keyof typeof MONOCOQUE_CLASSES} */ (cls)]} has no export ${cls}` };
    }
    classes[cls] = loaded.module[cls];
  }
  return { ok: true, Server: classes[serverName], Client: classes[clientName], module: null };
}

/** @type {Promise<{ ok: true, module: any, backend: { name: string, reason: string } } | { ok: false, reason: string }> | undefined} */
let curvePromise;

/**
 * Make CURVE available to Monocoque sockets (`@monocoque/curve/register`) and check that
 * the box backend in use is `expected`: `MONOCOQUE_CURVE_BACKEND` (set by the runner)
 * forces it, and forcing `sodium` where sodium-native cannot load throws; the check here
 * makes sure no column is ever measured on another backend than its name says.
 * @param {'sodium' | 'noble' | undefined} expected
 */
export function loadCurve(expected) {
  curvePromise ??= (async () => {
    if (expected) process.env.MONOCOQUE_CURVE_BACKEND = expected;
    const reg = await importMonocoque('curve', 'register');
    if (!reg.ok) return reg;
    const main = await importMonocoque('curve');
    if (!main.ok) return main;
    /** @type {{ name: string, reason: string }} */
    let backend;
    try {
      backend = main.module.curveBackend();
    } catch (err) {
      return { ok: false, reason: `CURVE box backend ${expected ?? '(default)'} unavailable: ${firstLine(err)}` };
    }
    if (expected && backend.name !== expected) {
      return { ok: false, reason: `CURVE box backend is ${backend.name} (${backend.reason}), not ${expected}` };
    }
    return { ok: true, module: main.module, backend };
  })();
  return curvePromise;
}

/** @type {Promise<{ ok: true, module: any } | { ok: false, reason: string }> | undefined} */
let uringPromise;

/**
 * Register the io_uring transport (idempotent) and check that it is really the one
 * sockets will use: the registry silently falls back to node:net when the addon cannot
 * load, and a "uring" column measuring node:net would be a lie.
 * `MONOCOQUE_TRANSPORT=uring` must be in the environment; the runner sets it for the
 * `monocoque-uring` column (and it is set here too, for direct use).
 */
export function loadUring() {
  uringPromise ??= (async () => {
    process.env.MONOCOQUE_TRANSPORT = 'uring';
    const reg = await importMonocoque('uring', 'register');
    if (!reg.ok) return reg;
    const core = await importMonocoque('core');
    if (!core.ok) return core;
    const name = core.module.getDefaultTransport?.()?.name;
    if (name === 'uring') return reg;
    const main = await importMonocoque('uring');
    const why = main.ok ? (main.module.uringUnavailableReason?.() ?? main.module.loadUring?.()?.reason) : main.reason;
    return { ok: false, reason: `io_uring transport unavailable, sockets would use ${name ?? 'node:net'}${why ? `: ${why}` : ''}` };
  })();
  return uringPromise;
}

/**
 * The transport Monocoque sockets use by default in this process (`net`, `uring`), or
 * undefined when that cannot be told.
 * @returns {Promise<string | undefined>}
 */
export async function monocoqueTransportName() {
  const core = await importMonocoque('core');
  return core.ok ? core.module.getDefaultTransport?.()?.name : undefined;
}
