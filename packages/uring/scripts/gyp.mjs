// Shared by install.mjs (build at install time) and prebuild.mjs (build the shipped addon at
// pack time): find node-gyp without downloading anything, and run it on the addon sources.
//
// node-gyp is NOT a dependency of the published package (it would add ~100 packages to every
// install). We use, in this order: a node-gyp that resolves from here (the monorepo's
// devDependency), the one the running package manager points at (npm and pnpm set
// npm_config_node_gyp to their bundled copy for lifecycle scripts), the copy bundled with npm
// next to this node binary, a node-gyp on PATH. No npx fallback: an offline install behaves
// like an online one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Whether `cmd` is on PATH. */
export function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** The command line that runs node-gyp, or undefined when there is none. */
export function findNodeGyp() {
  const require = createRequire(import.meta.url);
  const candidates = [];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not installed: the usual case for a published install */
  }
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  candidates.push(join(dirname(dirname(process.execPath)), 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'));
  const gyp = candidates.find((p) => existsSync(p));
  if (gyp !== undefined) return [process.execPath, gyp];
  return which('node-gyp') ? ['node-gyp'] : undefined;
}

/** Why the toolchain cannot build the addon here, or undefined when it can. */
export function missingToolchain() {
  const cxx = process.env.CXX || 'c++';
  if (!which(cxx) && !which('g++') && !which('clang++')) return 'no C++ compiler (install build-essential)';
  if (!which('make')) return 'make missing (install build-essential)';
  const hasUring =
    spawnSync('pkg-config', ['--exists', 'liburing'], { stdio: 'ignore' }).status === 0 ||
    ['/usr/include/liburing.h', '/usr/local/include/liburing.h'].some((p) => existsSync(p));
  if (!hasUring) return 'liburing-dev missing';
  return undefined;
}

/**
 * Run `node-gyp rebuild` in `src` with extra gyp variables (`--name=value`). Returns
 * `{ ok: true, addon }` (the built file) or `{ ok: false, why }`.
 */
export function gypRebuild(src, { variables = [], verbose = false } = {}) {
  const gyp = findNodeGyp();
  if (gyp === undefined) return { ok: false, why: 'node-gyp not found: install with npm or pnpm, or put node-gyp on PATH' };
  // Node headers: prefer the ones installed next to this node binary (offline builds).
  const env = { ...process.env };
  if (!env.npm_config_nodedir) {
    const prefix = dirname(dirname(process.execPath));
    if (existsSync(join(prefix, 'include/node/node_api.h'))) env.npm_config_nodedir = prefix;
  }
  const r = spawnSync(gyp[0], [...gyp.slice(1), 'rebuild', `--directory=${src}`, ...variables], {
    env,
    encoding: 'utf8',
    stdio: verbose ? 'inherit' : 'pipe',
    timeout: 300_000,
  });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
    let why = r.error ? r.error.message : `node-gyp exited with ${r.status}`;
    if (/liburing\.h/.test(out)) why = 'liburing-dev missing';
    else if (/node_api\.h|node-gyp.*(headers|ENOTFOUND|EAI_AGAIN)|gyp ERR! stack.*(download|fetch)/i.test(out)) why = 'Node.js headers unavailable (set npm_config_nodedir)';
    else if (/-l:?liburing|-luring/.test(out)) why = 'liburing library missing';
    return { ok: false, why, output: out };
  }
  const addon = join(src, 'build/Release/monocoque_uring.node');
  return existsSync(addon) ? { ok: true, addon } : { ok: false, why: 'build produced no addon' };
}
