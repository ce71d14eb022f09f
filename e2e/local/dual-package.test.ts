/**
 * With both the ESM and the CJS builds loaded in one process, sockets of either meet on
 * inproc://, share the transport registry and flush scheduler, and errors are recognised
 * across the copies (runtime.ts, the ZmqError brand). Runs the built packages in a child
 * process, where no test-runner aliasing applies (`pnpm build` first; test:all does).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/dual-package.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../packages/core/dist/index.cjs', import.meta.url)));

describe('ESM and CJS copies in one process', () => {
  it('share one runtime', async () => {
    if (!built) throw new Error('packages are not built: run `pnpm build` before this test');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [fixture], { timeout: 10_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
    });
    expect(JSON.parse(stdout.trim())).toEqual({
      distinctCopies: true,
      inproc: 'from-cjs:hello over inproc',
      tcp: 'from-esm:hello over tcp',
      isZmqErrorAcross: true,
      instanceofAcross: true,
      errno: 22,
      sharedTransports: true,
    });
  });
});
