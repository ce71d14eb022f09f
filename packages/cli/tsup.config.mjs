import { readFileSync } from 'node:fs';
import { packageConfig } from '../../tsup.base.mjs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const define = { __MONOCOQUE_CLI_VERSION__: JSON.stringify(version) };

// Two builds into dist/: the library entry (ESM + CJS + types, like every package) and the
// `monocoque` bin (ESM only, with a shebang). Neither cleans dist/, since tsup runs them
// side by side and one would delete the other's output.
export default [
  packageConfig({ entry: ['src/index.ts'], clean: false, define }),
  packageConfig({ entry: { bin: 'src/bin.ts' }, format: ['esm'], dts: false, clean: false, define, banner: { js: '#!/usr/bin/env node' } }),
];
