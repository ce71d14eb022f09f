// The README's first command must never hang: run the demo 50 times in a row (with fewer
// messages per run, so the whole loop stays well under a minute), each bounded in time.
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const demo = fileURLToPath(new URL('../demo.mjs', import.meta.url));
const RUNS = 50;

function runOnce() {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [demo], { env: { ...process.env, MONOCOQUE_DEMO_MESSAGES: '20000' }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`demo failed (${error.killed ? 'killed after 30 s: it hung' : `exit ${error.code}`}):\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

test(`pnpm demo completes ${RUNS} times in a row`, { timeout: RUNS * 30_000 }, async () => {
  for (let i = 0; i < RUNS; i++) {
    const out = await runOnce();
    assert.match(out, /throughput: 20,000 x 64 B echoed/, `run ${i + 1}`);
    assert.match(out, /\ndone\.\n/, `run ${i + 1}`);
  }
});
