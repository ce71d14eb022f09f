#!/usr/bin/env node
// prepack: copy the addon sources (native/uring in the monorepo) into the package as
// ./native so that the published tarball can build itself at install time, and build the
// prebuilt addon (scripts/prebuild.mjs) so that on linux-x64/glibc it need not.
// postpack (--clean): remove both again.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dest = join(pkg, 'native');
const src = join(pkg, '../../native/uring');

rmSync(dest, { recursive: true, force: true });
rmSync(join(pkg, 'prebuilds'), { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  if (!existsSync(join(src, 'binding.gyp'))) throw new Error(`native sources not found at ${src}`);
  cpSync(join(src, 'binding.gyp'), join(dest, 'binding.gyp'));
  cpSync(join(src, 'src'), join(dest, 'src'), { recursive: true });
  if (!process.env.MONOCOQUE_URING_NO_PREBUILD) {
    const r = spawnSync(process.execPath, [join(pkg, 'scripts/prebuild.mjs')], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
