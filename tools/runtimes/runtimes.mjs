// The JavaScript runtimes besides Node that Monocoque is tested on, pinned, and where
// `node tools/runtimes/run.mjs --install` (run by tools/setup.sh) puts them: the npm
// packages that ship each runtime's binary, in the gitignored tools/runtimes/.cache.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PINNED = {
  bun: { pkg: '@oven/bun-linux-x64', version: '1.4.5', bin: 'bin/bun', args: [] },
  deno: { pkg: '@deno/linux-x64-glibc', version: '2.9.6', bin: 'deno', args: ['run', '-A'] },
};

export const CACHE = fileURLToPath(new URL('.cache', import.meta.url));

/** Path of a pinned runtime's binary (which may not be installed). */
export const binaryOf = (name) => join(CACHE, 'node_modules', PINNED[name].pkg, PINNED[name].bin);

/**
 * Command and leading arguments that run a script under `name` (`node`, `bun`, `deno`):
 * `[...args, script]`. Throws with the reason when the runtime is not installed.
 */
export function runtimeCommand(name) {
  if (name === 'node') return { command: process.execPath, args: [] };
  if (!PINNED[name]) throw new Error(`unknown runtime ${name} (node, ${Object.keys(PINNED).join(', ')})`);
  const bin = binaryOf(name);
  if (!existsSync(bin)) throw new Error(`${name} not installed at ${bin}: run node tools/runtimes/run.mjs --install`);
  return { command: bin, args: PINNED[name].args };
}
