import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packages = readdirSync(`${root}packages`).filter((p) => existsSync(`${root}packages/${p}/package.json`));

// Tests run against TypeScript sources: `@monocoque/x` resolves to packages/x/src/index.ts.
const alias = [
  { find: /^@monocoque\/test-support$/, replacement: `${root}tools/test-support/index.ts` },
  {
    find: /^@monocoque\/([a-z0-9-]+)$/,
    replacement: `${root}packages/$1/src/index.ts`,
  },
  {
    find: /^@monocoque\/([a-z0-9-]+)\/([a-z0-9-]+)$/,
    replacement: `${root}packages/$1/src/$2.ts`,
  },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      ...packages.map((name) => ({
        resolve: { alias },
        test: {
          name,
          root: `${root}packages/${name}`,
          include: ['test/**/*.test.ts'],
          testTimeout: 15_000,
        },
      })),
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          root: `${root}e2e`,
          include: ['**/*.test.ts'],
          setupFiles: ['./setup-transport.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
