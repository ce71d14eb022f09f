#!/usr/bin/env node
// Makes the io_uring addon available at install time. It NEVER fails the install: when
// something is missing it prints exactly one line saying why and exits 0; the package then
// reports itself unavailable and Monocoque keeps using node:net.
//
// 1. The published package ships a prebuilt addon for linux-x64 on glibc (prebuilds/, made
//    by scripts/prebuild.mjs at pack time, liburing linked in). When it loads and its probe
//    passes here, nothing is compiled: no compiler, liburing-dev or node-gyp needed.
// 2. Otherwise the addon is built from the shipped sources with node-gyp (scripts/gyp.mjs).
//
//   --verbose / MONOCOQUE_URING_VERBOSE=1   show the compiler output
//   MONOCOQUE_URING_SKIP_BUILD=1            do not build at all
//   MONOCOQUE_URING_FROM_SOURCE=1           build even when the prebuilt addon works
//
// Sources: <package>/native (published tarball, copied there by scripts/prepack.mjs) or
// <repo>/native/uring (monorepo checkout). Output: <package>/build/monocoque_uring.node.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gypRebuild, missingToolchain } from './gyp.mjs';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const verbose = process.argv.includes('--verbose') || !!process.env.MONOCOQUE_URING_VERBOSE;
const FALLBACK = 'the node:net transport will be used';

function skip(reason) {
  console.log(`@monocoque/uring: native addon not built (${reason}); ${FALLBACK}`);
  process.exit(0);
}

/** The JS ↔ addon contract version; keep equal to ADDON_PROTOCOL in src/native.ts (a test checks). */
const ADDON_PROTOCOL = 2;

/** Why the prebuilt addon cannot be used here, or undefined when it loads and probes fine. */
function prebuiltProblem() {
  const file = join(pkg, `prebuilds/linux-${process.arch}/monocoque_uring.glibc.node`);
  if (!existsSync(file)) return `no prebuilt addon for linux-${process.arch}`;
  try {
    const addon = createRequire(import.meta.url)(file);
    if (addon.PROTOCOL !== ADDON_PROTOCOL) return `prebuilt addon is out of date (protocol ${addon.PROTOCOL ?? 1}, need ${ADDON_PROTOCOL})`;
    const why = addon.probe();
    return why === null ? undefined : `prebuilt addon: ${why}`;
  } catch (error) {
    return `prebuilt addon does not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

try {
  if (process.env.MONOCOQUE_URING_SKIP_BUILD) skip('MONOCOQUE_URING_SKIP_BUILD is set');
  if (process.platform !== 'linux') skip(`io_uring needs Linux, this is ${process.platform}`);

  const prebuilt = prebuiltProblem();
  if (prebuilt === undefined && !process.env.MONOCOQUE_URING_FROM_SOURCE) {
    console.log('@monocoque/uring: using the prebuilt io_uring addon (nothing to compile)');
    process.exit(0);
  }

  const src = [join(pkg, 'native'), join(pkg, '../../native/uring')].find((d) => existsSync(join(d, 'binding.gyp')));
  if (src === undefined) skip('native sources not found');
  const missing = missingToolchain();
  if (missing !== undefined) skip(prebuilt === undefined ? missing : `${prebuilt}; ${missing}`);

  const built = gypRebuild(src, { verbose });
  if (!built.ok) skip(`${built.why}; rerun with MONOCOQUE_URING_VERBOSE=1 for details`);
  mkdirSync(join(pkg, 'build'), { recursive: true });
  copyFileSync(built.addon, join(pkg, 'build/monocoque_uring.node'));
  console.log('@monocoque/uring: native io_uring addon built');
} catch (error) {
  skip(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}
