/**
 * The ceiling experiments in tools/bench/experiments still apply to the current source (they
 * are measured by applying them by hand; see their README). Skipped, with the reason printed,
 * outside a git checkout.
 *   node --test tools/bench/test/
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = path.join(root, 'tools/bench/experiments');
const notGit = existsSync(path.join(root, '.git')) ? false : `not a git checkout (${root})`;
if (notGit) console.log(`# experiments: skipped: ${notGit}`);

test('ceiling experiments: every patch applies cleanly to the current source', { skip: notGit }, () => {
  const patches = readdirSync(dir).filter((f) => f.endsWith('.patch'));
  assert.ok(patches.length > 0, `no patch in ${dir}`);
  for (const p of patches) execFileSync('git', ['apply', '--check', path.join(dir, p)], { cwd: root, stdio: 'pipe' });
});
