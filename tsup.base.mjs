// Shared tsup settings: every package ships ESM + CJS + .d.ts, unbundled deps.
import { defineConfig } from 'tsup';

/** @param {Partial<import('tsup').Options>} [overrides] */
export function packageConfig(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // `@internal` members stay out of the published typings.
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: true,
    splitting: false,
    ...overrides,
  });
}
