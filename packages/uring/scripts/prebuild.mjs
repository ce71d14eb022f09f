#!/usr/bin/env node
// Builds the prebuilt addon shipped in the published package:
// prebuilds/linux-<arch>/monocoque_uring.glibc.node, with liburing, libstdc++ and libgcc
// linked statically (it needs only glibc; built here on Debian 12, so glibc ≥ 2.36).
// scripts/prepack.mjs runs it, so every packed tarball carries the addon; a machine that
// cannot build it fails the pack loudly (set MONOCOQUE_URING_NO_PREBUILD=1 to pack without).
//
// The build runs on a copy of the sources so that native/uring/build (the monorepo's
// dynamically linked development build) is left alone.
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gypRebuild, missingToolchain } from './gyp.mjs';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const sources = join(pkg, '../../native/uring');
const verbose = process.argv.includes('--verbose');

function fail(why) {
  console.error(`@monocoque/uring prebuild: ${why}`);
  process.exit(1);
}

if (process.platform !== 'linux') fail(`prebuilt addons are built on Linux (this is ${process.platform})`);
const missing = missingToolchain();
if (missing !== undefined) fail(missing);

const work = mkdtempSync(join(tmpdir(), 'monocoque-uring-prebuild-'));
try {
  cpSync(join(sources, 'binding.gyp'), join(work, 'binding.gyp'));
  cpSync(join(sources, 'src'), join(work, 'src'), { recursive: true });
  const built = gypRebuild(work, { variables: ['--static_liburing=1'], verbose });
  if (!built.ok) fail(`${built.why}${built.output ? `\n${built.output.slice(-2000)}` : ''}`);
  // Only glibc may remain as a shared dependency.
  const needed = spawnSync('readelf', ['-d', built.addon], { encoding: 'utf8' }).stdout ?? '';
  const libs = [...needed.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const extra = libs.filter((l) => !/^(libc|libm|ld-linux[-\w.]*|libpthread|libdl)\.so/.test(l));
  if (extra.length > 0) fail(`the prebuilt addon links ${extra.join(', ')} dynamically; only glibc is allowed`);
  const dir = join(pkg, `prebuilds/linux-${process.arch}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(built.addon, join(dir, 'monocoque_uring.glibc.node'));
  console.log(`@monocoque/uring prebuild: prebuilds/linux-${process.arch}/monocoque_uring.glibc.node (needs ${libs.join(', ')})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
