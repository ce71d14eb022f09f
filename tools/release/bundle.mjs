// Bundles a snippet of JS with esbuild the way an application bundler would (platform node,
// ESM, default export conditions unless told otherwise) and reports what went in.
// Shared by tools/release/check.mjs (size budgets, the no-@noble rule) and
// e2e/local/curve-bundle.test.ts (CURVE-only modules stay out of non-CURVE bundles).
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Paths that only CURVE may bring in: @noble/*, sodium-native, the curve package itself. */
export const CURVE_ONLY = [/[\\/]@noble[\\/]/, /@noble\+/, /[\\/]sodium-native[\\/]/, /[\\/]packages[\\/]curve[\\/]/, /[\\/]@monocoque[\\/]curve[\\/]/];
export const isCurveOnly = (path) => CURVE_ONLY.some((re) => re.test(path));

/**
 * @param {string} source  the entry module's text (JS)
 * @param {{ resolveDir: string, conditions?: string[], minify?: boolean }} options
 */
export async function bundle(source, { resolveDir, conditions = [], minify = false }) {
  const r = await build({
    stdin: { contents: source, resolveDir, loader: 'js', sourcefile: 'entry.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions,
    minify,
    write: false,
    metafile: true,
    outfile: 'bundle.mjs',
    logLevel: 'silent',
  });
  const out = r.outputFiles.find((f) => f.path.endsWith('bundle.mjs'));
  if (out === undefined) throw new Error('esbuild produced no bundle.mjs');
  return {
    inputs: Object.keys(r.metafile.inputs),
    imports: Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path)),
    text: out.text,
    bytes: out.contents.byteLength,
    gzipBytes: gzipSync(out.contents, { level: 9 }).byteLength,
  };
}
