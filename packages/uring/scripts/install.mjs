#!/usr/bin/env node
// Builds the io_uring addon with node-gyp at install time. It NEVER fails the install:
// when something is missing (not Linux, no liburing-dev, no compiler, no Node headers,
// build error) it prints exactly one line saying why and exits 0; the package then
// reports itself unavailable and Monocoque keeps using node:net.
//
//   --verbose / MONOCOQUE_URING_VERBOSE=1   show the compiler output
//   MONOCOQUE_URING_SKIP_BUILD=1            do not build at all
//
// Sources: <package>/native (published tarball, copied there by scripts/prepack.mjs) or
// <repo>/native/uring (monorepo checkout). Output: <package>/build/monocoque_uring.node.
//
// node-gyp is NOT a dependency of the published package (it would add ~100 packages to every
// install). We use, in this order: a node-gyp that resolves from here (the monorepo's
// devDependency), the one the running package manager points at (npm and pnpm set
// npm_config_node_gyp to their bundled copy for lifecycle scripts), the copy bundled with npm
// next to this node binary, a node-gyp on PATH. Nothing is downloaded: no npx fallback, so
// an offline install behaves like an online one.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const verbose = process.argv.includes('--verbose') || !!process.env.MONOCOQUE_URING_VERBOSE;
const FALLBACK = 'the node:net transport will be used';

function skip(reason) {
  console.log(`@monocoque/uring: native addon not built (${reason}); ${FALLBACK}`);
  process.exit(0);
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

try {
  if (process.env.MONOCOQUE_URING_SKIP_BUILD) skip('MONOCOQUE_URING_SKIP_BUILD is set');
  if (process.platform !== 'linux') skip(`io_uring needs Linux, this is ${process.platform}`);

  const src = [join(pkg, 'native'), join(pkg, '../../native/uring')].find((d) => existsSync(join(d, 'binding.gyp')));
  if (src === undefined) skip('native sources not found');

  // Toolchain: a C++ compiler and make.
  const cxx = process.env.CXX || 'c++';
  if (!which(cxx) && !which('g++') && !which('clang++')) skip('no C++ compiler (install build-essential)');
  if (!which('make')) skip('make missing (install build-essential)');

  // liburing headers: pkg-config when available, else the usual include directories.
  const hasUring =
    spawnSync('pkg-config', ['--exists', 'liburing'], { stdio: 'ignore' }).status === 0 ||
    ['/usr/include/liburing.h', '/usr/local/include/liburing.h'].some((p) => existsSync(p));
  if (!hasUring) skip('liburing-dev missing');

  // Node headers: prefer the ones installed next to this node binary (offline builds).
  const env = { ...process.env };
  if (!env.npm_config_nodedir) {
    const prefix = dirname(dirname(process.execPath));
    if (existsSync(join(prefix, 'include/node/node_api.h'))) env.npm_config_nodedir = prefix;
  }

  // node-gyp (see the header): never a dependency of the published package.
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
  let gypArgs = gyp === undefined ? undefined : [process.execPath, gyp];
  if (gypArgs === undefined && which('node-gyp')) gypArgs = ['node-gyp'];
  if (gypArgs === undefined) skip('node-gyp not found: install with npm or pnpm, or put node-gyp on PATH');

  const r = spawnSync(gypArgs[0], [...gypArgs.slice(1), 'rebuild', `--directory=${src}`], {
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
    else if (/-luring/.test(out)) why = 'liburing library missing';
    skip(`${why}; rerun with MONOCOQUE_URING_VERBOSE=1 for details`);
  }
  const built = join(src, 'build/Release/monocoque_uring.node');
  if (!existsSync(built)) skip('build produced no addon');
  mkdirSync(join(pkg, 'build'), { recursive: true });
  copyFileSync(built, join(pkg, 'build/monocoque_uring.node'));
  console.log('@monocoque/uring: native io_uring addon built');
} catch (error) {
  skip(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}
