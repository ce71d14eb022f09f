import { packageConfig } from '../../tsup.base.mjs';

/**
 * The secondary entries are written against the v6 API in `src/index.ts`. Those that import
 * it at run time (`./v5-compat`) import the built `index` entry rather than bundling a second
 * copy of it, so an application that loads both gets one set of classes, one `context` and
 * one CURVE registration (per module format): esbuild leaves `./index.js` external, and the
 * CommonJS build then points it at `./index.cjs` (tsup builds CommonJS from esbuild's ESM
 * output when tree-shaking, so the rewrite happens on that ESM text, before the conversion).
 */
const keepIndexExternal = {
  name: 'keep-index-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/index\.js$/ }, (args) => (args.importer.endsWith('/src/index.ts') ? undefined : { path: './index.js', external: true }));
  },
};
const indexForCjs = {
  name: 'index-for-cjs',
  renderChunk(code) {
    if (this.format !== 'cjs') return undefined;
    return { code: code.replace(/(from\s*|require\(\s*)(['"])\.\/index\.js\2/g, '$1$2./index.cjs$2') };
  },
};

export default packageConfig({
  entry: ['src/index.ts', 'src/draft.ts', 'src/v5-compat.ts'],
  esbuildPlugins: [keepIndexExternal],
  plugins: [indexForCjs],
});
