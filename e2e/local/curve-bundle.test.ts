// "A socket that never uses CURVE never loads @noble/*" (nor sodium-native, nor
// @monocoque/curve), checked two ways on the BUILT packages (`pnpm build` first):
//
// - bundling: esbuild bundles `import { Dealer } from '@monocoque/dealer'` with a metafile;
//   no input lies under @noble/, sodium-native or packages/curve, nothing imports them, and
//   the output never names @noble or sodium-native. Bundling @monocoque/curve (and its register entry) is the
//   positive control: there the same checks find @noble/ inputs and the sodium-native name.
// - at run time: a fresh node process imports (ESM) or requires (CJS) @monocoque/dealer and
//   round-trips a message between two Dealers over TCP; an ESM loader hook and require.cache
//   list every module it loaded. The same fixture with CURVE on is the positive control.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundle as esbuildBundle, isCurveOnly } from '../../tools/release/bundle.mjs';
import { withTimeout } from '../helpers/util.js';

const e2eDir = fileURLToPath(new URL('../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/loaded-modules.mjs', import.meta.url));

// The esbuild call is shared with tools/release/check.mjs (bundle-size budgets there).
const bundle = (source: string, conditions: string[] = []) => esbuildBundle(source, { resolveDir: e2eDir, conditions });

// Built dist (default conditions), and the TypeScript sources through the packages'
// `monocoque:source` export condition.
describe.each([
  ['dist', []],
  ['sources', ['monocoque:source']],
] as const)('esbuild bundle from %s', (_name, conditions) => {
  it("import { Dealer } from '@monocoque/dealer' bundles no @noble/, sodium-native or @monocoque/curve", async () => {
    const b = await bundle("import { Dealer } from '@monocoque/dealer';\nexport const d = new Dealer();\n", [...conditions]);
    // It did bundle the socket stack itself (so an empty bundle cannot pass).
    expect(b.inputs.some((i) => /packages[\\/]dealer[\\/]/.test(i))).toBe(true);
    expect(b.inputs.some((i) => /packages[\\/]core[\\/]/.test(i))).toBe(true);
    expect(b.inputs.filter(isCurveOnly)).toEqual([]);
    expect(b.imports.filter((p) => isCurveOnly(p) || /^@noble\/|^sodium-native$|^@monocoque\/curve/.test(p))).toEqual([]);
    // (The text may mention "@monocoque/curve": core's ENOTSUP message tells to install it.)
    expect(b.text).not.toMatch(/@noble|sodium-native/);
  });

  it.each(["export * from '@monocoque/curve';", "import '@monocoque/curve/register';\nexport { Dealer } from '@monocoque/dealer';"])(
    'positive control: %s bundles @noble/ and names sodium-native',
    async (source) => {
      const b = await bundle(source, [...conditions]);
      expect(b.inputs.filter((i) => /[\\/]@noble[\\/]curves[\\/]/.test(i)).length).toBeGreaterThan(0);
      expect(b.inputs.filter((i) => /[\\/]@noble[\\/]ciphers[\\/]/.test(i)).length).toBeGreaterThan(0);
      expect(b.inputs.some((i) => /packages[\\/]curve[\\/]/.test(i))).toBe(true);
      // sodium-native is loaded through createRequire at run time, so it is named, not bundled.
      expect(b.text).toContain('sodium-native');
    },
  );
});

function runFixture(what: 'dealer' | 'curve', format: 'esm' | 'cjs'): Promise<string[]> {
  const child = spawn(process.execPath, [fixture, what, format], { cwd: e2eDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<string[]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`fixture ${what} ${format} exited ${signal ?? code}; stderr: ${err}`));
      try {
        resolve((JSON.parse(out.trim().split('\n').pop()!) as { loaded: string[] }).loaded);
      } catch (e) {
        reject(new Error(`fixture ${what} ${format}: bad output ${JSON.stringify(out)}; stderr: ${err}; ${String(e)}`));
      }
    });
  });
  return withTimeout(done, 20_000, `fixture loaded-modules.mjs ${what} ${format}`).finally(() => child.kill('SIGKILL'));
}

describe.each(['esm', 'cjs'] as const)('at run time (%s)', (format) => {
  const ext = format === 'esm' ? 'js' : 'cjs';

  it('a process using plain Dealers over TCP loads no @noble, sodium-native or @monocoque/curve module', async () => {
    const loaded = await runFixture('dealer', format);
    // The lists do see the packages that were loaded.
    expect(loaded.some((m) => m.endsWith(`packages/dealer/dist/index.${ext}`))).toBe(true);
    expect(loaded.some((m) => m.endsWith(`packages/core/dist/index.${ext}`))).toBe(true);
    expect(loaded.filter(isCurveOnly)).toEqual([]);
  });

  it('positive control: the same with CURVE loads @noble/curves, @noble/ciphers and @monocoque/curve', async () => {
    const loaded = await runFixture('curve', format);
    expect(loaded.some((m) => /[\\/]@noble[\\/]curves[\\/]/.test(m))).toBe(true);
    expect(loaded.some((m) => /[\\/]@noble[\\/]ciphers[\\/]/.test(m))).toBe(true);
    expect(loaded.some((m) => m.endsWith(`packages/curve/dist/index.${ext}`))).toBe(true);
  });
});
