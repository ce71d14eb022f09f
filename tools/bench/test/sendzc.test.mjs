/**
 * c/sendzc.c builds against the system liburing and runs both modes (correctness of the
 * probe only: nothing about speed).
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const src = fileURLToPath(new URL('../c/sendzc.c', import.meta.url));
const noLiburing = existsSync('/usr/include/liburing.h') ? false : 'liburing-dev is not installed (no /usr/include/liburing.h)';
if (noLiburing) console.log(`# sendzc: skipped: ${noLiburing}`);

test('sendzc: builds, measures send and send_zc, counts the notifications', { skip: noLiburing }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sendzc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'sendzc');
  execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', bin, src, '-luring', '-lpthread'], { stdio: 'pipe' });
  let out;
  try {
    out = execFileSync(bin, ['65536', '0.2', '1', '4'], { encoding: 'utf8', timeout: 30_000 });
  } catch (err) {
    if (/** @type {any} */ (err).status !== 3) throw err;
    const reason = String(/** @type {any} */ (err).stdout).trim();
    console.log(`# sendzc: skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const send = /^\s+send\s+([\d.]+) GB\/s$/m.exec(out);
  const zc = /^\s+send_zc\s+([\d.]+) GB\/s\s+notifications (\d+), copied (\d+)$/m.exec(out);
  assert.ok(send && zc, out);
  assert.ok(Number(send[1]) > 0 && Number(zc[1]) > 0, out);
  assert.ok(Number(zc[2]) > 0 && Number(zc[3]) <= Number(zc[2]), out);
  assert.throws(() => execFileSync(bin, ['0'], { stdio: 'pipe' }), /usage: sendzc/);
});
