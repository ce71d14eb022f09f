#!/usr/bin/env node
// Release check: what `changeset publish` would put on the registry, checked the way a user
// would meet it. Run after `pnpm build` (`pnpm release:check`; part of `pnpm test:all`).
//
//  1. pack     `pnpm pack` every publishable package (packages/*, not private) into a temp dir
//  2. tarball  each tarball: LICENSE identical to the root one; its package.json has no
//              workspace: ranges, no devDependencies, internal dependencies as ^<version>
//              of the package being released, no private workspace project, no placeholder
//              URLs; @monocoque/uring: no node-gyp dependency, the addon sources and install
//              script present
//  3. publint  `publint --strict` on each tarball
//  4. attw     `attw` (profile strict: node10, node16 CJS and ESM, bundler) on each tarball
//  5. install  a scratch npm project outside the repository depends on the dealer and router
//              tarballs only (core and zmtp come from their tarballs through npm overrides,
//              as they would come from the registry); exactly those four packages must be
//              installed
//  6. run      an ESM script and a CJS script in that project do a DEALER/ROUTER round trip
//              over tcp://127.0.0.1 and must exit 0
//  7. types    tsc type-checks a small program against the installed packages under
//              moduleResolution node16 (ESM .mts and CJS .cts) and bundler; a
//              @ts-expect-error line proves the types are not `any`
//  8. budgets  esbuild bundles (minified, gzipped) per entry point against the budgets in
//              budgets.mjs; entries that do not import CURVE must contain no @noble/*,
//              sodium-native or @monocoque/curve, and the CURVE entries must (control)
//
// Every problem is printed as `✗ <step> <what>: <why>` and repeated in the summary; the exit
// code is 1 when there is any. --keep keeps the temp directory and prints its path.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGETS } from './budgets.mjs';
import { bundle, isCurveOnly } from './bundle.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../..');
const bin = (name) => join(here, 'node_modules/.bin', name);
const keep = process.argv.includes('--keep');
const started = Date.now();

const problems = [];
function ok(step, what) {
  console.log(`  ✓ ${step.padEnd(7)} ${what}`);
}
function bad(step, what, why, detail) {
  problems.push(`${step} ${what}: ${why}`);
  console.log(`  ✗ ${step.padEnd(7)} ${what}: ${why}`);
  if (detail) console.log(indent(detail.trim()));
}
const indent = (text, n = 12) =>
  text
    .split('\n')
    .slice(0, 60)
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
function section(title) {
  console.log(`\n${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Runs a command; resolves { code, out (stdout + stderr), stdout }, never rejects. */
function run(cmd, args, { cwd = root, env = process.env, timeout = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => ((out += d), (stdout += d)));
    child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeout / 1000} s)`;
      child.kill('SIGKILL');
    }, timeout);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: `${out}\n${e.message}`, stdout });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), out, stdout });
    });
  });
}

/** Maps over items with at most `n` promises in flight, keeping order. */
async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
// Without a clean environment a developer's MONOCOQUE_TRANSPORT=uring or NODE_OPTIONS
// would leak into the scratch project's scripts.
const cleanEnv = { ...process.env };
for (const k of ['MONOCOQUE_TRANSPORT', 'NODE_OPTIONS', 'NODE_PATH']) delete cleanEnv[k];

// ---------------------------------------------------------------------------------------
// The workspace.
const rootLicense = readFileSync(join(root, 'LICENSE'));
const rootManifest = readJson(join(root, 'package.json'));
const workspace = new Map(); // name -> { dir, manifest }
for (const base of ['packages', 'tools']) {
  for (const d of readdirSync(join(root, base))) {
    const p = join(root, base, d, 'package.json');
    if (existsSync(p)) workspace.set(readJson(p).name, { dir: join(base, d), manifest: readJson(p) });
  }
}
workspace.set(readJson(join(root, 'e2e/package.json')).name, { dir: 'e2e', manifest: readJson(join(root, 'e2e/package.json')) });
const publishable = [...workspace.values()].filter((w) => w.dir.startsWith('packages/') && !w.manifest.private);
const privateNames = new Set([...workspace.values()].filter((w) => w.manifest.private).map((w) => w.manifest.name));

const tmp = mkdtempSync(join(tmpdir(), 'monocoque-release-'));
const tarballs = join(tmp, 'tarballs');
mkdirSync(tarballs);
const tarballOf = (m) => join(tarballs, `${m.name.replace(/^@/, '').replace('/', '-')}-${m.version}.tgz`);

// ---------------------------------------------------------------------------------------
async function main() {
  section('1. pack');
  const packed = await pool(publishable, 4, async (w) => {
    const r = await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, w.dir) });
    const file = tarballOf(w.manifest);
    if (r.code !== 0 || !existsSync(file)) {
      bad('pack', w.manifest.name, `pnpm pack failed (exit ${r.code})`, r.out);
      return undefined;
    }
    ok('pack', `${w.manifest.name}@${w.manifest.version}`);
    return { ...w, file };
  });
  const good = packed.filter((p) => p !== undefined);

  section('2. tarball contents');
  for (const p of good) checkTarball(p);

  section('3. publint --strict');
  await pool(good, 4, async (p) => {
    const r = await run(bin('publint'), ['run', '--strict', p.file], { cwd: tmp });
    if (r.code === 0) ok('publint', p.manifest.name);
    else bad('publint', p.manifest.name, `publint --strict exit ${r.code}`, r.out);
  });

  section('4. arethetypeswrong');
  await pool(good, 4, async (p) => {
    const r = await run(bin('attw'), ['--format', 'ascii', '--no-color', '--no-definitely-typed', p.file], { cwd: tmp });
    if (r.code === 0) ok('attw', `${p.manifest.name} (node10, node16 CJS/ESM, bundler)`);
    else bad('attw', p.manifest.name, `attw exit ${r.code}`, r.out);
  });

  section('5-7. a scratch npm project with @monocoque/dealer and @monocoque/router');
  const byName = new Map(good.map((p) => [p.manifest.name, p]));
  const app = join(tmp, 'app');
  if (await installApp(app, byName)) {
    await runScripts(app);
    await typeCheck(app);
  }

  section('5b. a scratch npm project with @monocoque/uring: the prebuilt addon, no compiler');
  await installUring(join(tmp, 'uring-app'), byName);

  section('5c. a scratch npm project with @monocoque/cli: the installed `monocoque` bin runs');
  await installCli(join(tmp, 'cli-app'), byName);

  section('8. bundle budgets (esbuild, minified, gzip -9)');
  await budgets();
}

/**
 * Install the CLI tarball (every @monocoque dependency from its tarball; third-party ones
 * such as @noble come from the registry, as for a user) and run the installed bin:
 * `--version` must print the package's version, and `keygen --json` a CURVE key pair.
 */
async function installCli(app, byName) {
  const cli = byName.get('@monocoque/cli');
  if (cli === undefined) return bad('cli', 'scratch project', 'no tarball for @monocoque/cli');
  mkdirSync(app);
  const overrides = Object.fromEntries([...byName.entries()].filter(([n]) => n !== '@monocoque/cli').map(([n, p]) => [n, `file:${p.file}`]));
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'monocoque-cli-scratch', private: true, version: '0.0.0', dependencies: { '@monocoque/cli': `file:${cli.file}` }, overrides }, null, 2)}\n`,
  );
  const r = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env: { ...cleanEnv, MONOCOQUE_URING_SKIP_BUILD: '1' }, timeout: 240_000 });
  if (r.code !== 0) return bad('cli', 'npm install cli tarball', `exit ${r.code}`, r.out);
  const bin = join(app, 'node_modules/.bin/monocoque');
  const version = await run(bin, ['--version'], { cwd: app, env: cleanEnv });
  if (version.code !== 0 || !version.stdout.includes(cli.manifest.version)) return bad('cli', 'monocoque --version', `exit ${version.code}, expected ${cli.manifest.version}`, version.out);
  const keygen = await run(bin, ['keygen', '--json'], { cwd: app, env: cleanEnv });
  let pair;
  try {
    pair = JSON.parse(keygen.stdout);
  } catch {
    pair = undefined;
  }
  if (keygen.code !== 0 || typeof pair?.publicKey !== 'string' || pair.publicKey.length !== 40) return bad('cli', 'monocoque keygen --json', `exit ${keygen.code}`, keygen.out);
  ok('cli', `the installed bin runs: ${version.stdout.trim()}; keygen --json gives a 40-character Z85 key pair`);
  return true;
}

/**
 * Install the uring tarball (with core and zmtp) into a scratch project: its install script
 * must take the prebuilt addon (and compile nothing: no build/ directory appears), and the
 * installed package must load it and report io_uring available, in ESM and CJS.
 */
async function installUring(app, byName) {
  const need = ['@monocoque/uring', '@monocoque/core', '@monocoque/zmtp'];
  const missing = need.filter((n) => !byName.has(n));
  if (missing.length > 0) return bad('uring', 'scratch project', `no tarball for ${missing.join(', ')}`);
  const file = (n) => `file:${byName.get(n).file}`;
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'monocoque-uring-scratch', private: true, version: '0.0.0', dependencies: { '@monocoque/uring': file('@monocoque/uring') }, overrides: { '@monocoque/core': file('@monocoque/core'), '@monocoque/zmtp': file('@monocoque/zmtp') } }, null, 2)}\n`,
  );
  // --foreground-scripts: the install script's one line reaches the output checked below.
  const r = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: app, env: cleanEnv });
  if (r.code !== 0) return bad('uring', 'npm install uring tarball', `exit ${r.code}`, r.out);
  if (!r.out.includes('using the prebuilt io_uring addon')) return bad('uring', 'install script', 'did not take the prebuilt addon', r.out);
  const installed = join(app, 'node_modules/@monocoque/uring');
  if (existsSync(join(installed, 'build'))) return bad('uring', 'install script', 'compiled the addon although a prebuilt one works (build/ exists)');
  const probe = (load) =>
    `const m = ${load};\nconst ok = m.isUringAvailable();\nconsole.log(JSON.stringify({ ok, reason: m.uringUnavailableReason?.() ?? null }));\nprocess.exit(ok ? 0 : 1);\n`;
  for (const [name, text] of [
    ['uring.mjs', probe("await import('@monocoque/uring')")],
    ['uring.cjs', probe("require('@monocoque/uring')")],
  ]) {
    writeFileSync(join(app, name), name.endsWith('.cjs') ? `(async () => {\n${text}})();\n` : text);
    const out = await run(process.execPath, [name], { cwd: app, env: cleanEnv });
    if (out.code !== 0) bad('uring', name, 'io_uring not available from the installed tarball', out.out);
    else ok('uring', `${name}: the installed package loads the prebuilt addon (${out.stdout.trim()})`);
  }
  return true;
}

function checkTarball(p) {
  const name = p.manifest.name;
  const dest = join(tmp, 'unpacked', p.dir.replace('/', '-'));
  mkdirSync(dest, { recursive: true });
  // tar is part of every Debian/Ubuntu base system.
  const r = spawnSyncOk('tar', ['-xzf', p.file, '-C', dest]);
  if (r !== true) return bad('tarball', name, `cannot unpack: ${r}`);
  const pkg = join(dest, 'package');
  const before = problems.length;

  const license = join(pkg, 'LICENSE');
  if (!existsSync(license)) bad('tarball', name, 'no LICENSE in the tarball');
  else if (!readFileSync(license).equals(rootLicense)) bad('tarball', name, 'LICENSE differs from the repository LICENSE');

  const m = readJson(join(pkg, 'package.json'));
  if (m.license !== rootManifest.license) bad('tarball', name, `license is ${JSON.stringify(m.license)}, expected ${rootManifest.license}`);
  if (JSON.stringify(m).includes('workspace:')) bad('tarball', name, 'package.json still contains a workspace: range');
  if (m.devDependencies) bad('tarball', name, 'package.json has devDependencies (the .pnpmfile.cjs beforePacking hook should drop them)');
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [dep, range] of Object.entries(m[field] ?? {})) {
      if (privateNames.has(dep)) bad('tarball', name, `${field} names the private workspace project ${dep}`);
      const w = workspace.get(dep);
      if (w && !w.manifest.private && range !== `^${w.manifest.version}`) {
        bad('tarball', name, `${field}.${dep} is ${JSON.stringify(range)}, expected "^${w.manifest.version}" (workspace:^)`);
      }
    }
  }
  for (const field of ['repository', 'homepage', 'bugs']) {
    const url = typeof m[field] === 'string' ? m[field] : m[field]?.url;
    if (url !== undefined && /\.invalid\b|example\.(com|org|net)|localhost/i.test(url)) bad('tarball', name, `${field} is a placeholder: ${url}`);
  }
  if (name === '@monocoque/uring') {
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      if (m[field]?.['node-gyp']) bad('tarball', name, `node-gyp is in ${field} (it must not be installed with the package)`);
    }
    for (const f of ['native/binding.gyp', 'native/src/uring.cc', 'scripts/install.mjs', 'scripts/gyp.mjs']) {
      if (!existsSync(join(pkg, f))) bad('tarball', name, `${f} missing (the install script builds from it)`);
    }
    if (!existsSync(join(pkg, 'prebuilds/linux-x64/monocoque_uring.glibc.node'))) bad('tarball', name, 'prebuilds/linux-x64/monocoque_uring.glibc.node missing (the prebuilt addon)');
    if (m.scripts?.install !== 'node scripts/install.mjs') bad('tarball', name, 'the install script is not `node scripts/install.mjs`');
  }
  for (const sub of Object.keys(m.exports ?? {})) {
    // Subpath entries other than "." need a stub directory for node10 resolution (attw checks it works).
    if (sub !== '.' && sub !== './package.json' && !existsSync(join(pkg, sub, 'package.json'))) {
      bad('tarball', name, `${sub} has no ${sub}/package.json stub for node10 resolution`);
    }
  }
  if (problems.length === before) ok('tarball', `${name}: LICENSE, ${Object.keys(m.dependencies ?? {}).length} dependencies, no dev/workspace entries`);
}

function spawnSyncOk(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? true : `${cmd} exit ${r.status}: ${r.stderr || r.error?.message}`;
}

async function installApp(app, byName) {
  const need = ['@monocoque/dealer', '@monocoque/router', '@monocoque/core', '@monocoque/zmtp'];
  const missing = need.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    bad('install', 'scratch project', `no tarball for ${missing.join(', ')}`);
    return false;
  }
  const file = (n) => `file:${byName.get(n).file}`;
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'monocoque-release-scratch',
        private: true,
        version: '0.0.0',
        dependencies: { '@monocoque/dealer': file('@monocoque/dealer'), '@monocoque/router': file('@monocoque/router') },
        // What the registry would serve for the dependencies' ^0.x ranges.
        overrides: { '@monocoque/core': file('@monocoque/core'), '@monocoque/zmtp': file('@monocoque/zmtp') },
      },
      null,
      2,
    )}\n`,
  );
  // Every package comes from a local tarball, so this needs no network; --prefer-offline
  // lets npm use its cache should anything else ever be needed (it then fails below).
  const r = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env: cleanEnv });
  if (r.code !== 0) {
    bad('install', 'npm install dealer + router tarballs', `exit ${r.code}`, r.out);
    return false;
  }
  const ls = await run('npm', ['ls', '--all', '--json'], { cwd: app, env: cleanEnv });
  const names = new Set();
  const walk = (deps) => {
    for (const [n, d] of Object.entries(deps ?? {})) {
      names.add(`${n}@${d.version}`);
      walk(d.dependencies);
    }
  };
  try {
    // stdout only: under `pnpm run`, npm warns on stderr about pnpm's npm_config_* settings.
    walk(JSON.parse(ls.stdout).dependencies);
  } catch (e) {
    bad('install', 'npm ls', `unreadable output (${e.message})`, ls.out);
    return false;
  }
  const expected = new Set(need.map((n) => `${n}@${byName.get(n).manifest.version}`));
  const extra = [...names].filter((n) => !expected.has(n));
  const absent = [...expected].filter((n) => !names.has(n));
  if (extra.length > 0 || absent.length > 0 || ls.code !== 0) {
    bad(
      'install',
      'dependency tree',
      `expected exactly ${[...expected].join(', ')}` +
        (extra.length ? `; unexpected: ${extra.join(', ')}` : '') +
        (absent.length ? `; missing: ${absent.join(', ')}` : ''),
      ls.code !== 0 ? ls.out : undefined,
    );
    return false;
  }
  ok('install', `npm installed ${[...names].sort().join(', ')} and nothing else`);
  return true;
}

const ROUND_TRIP = (load) => `
const timer = setTimeout(() => { console.error('timed out'); process.exit(1); }, 10000);
async function main() {
  const { Dealer } = ${load('@monocoque/dealer')};
  const { Router } = ${load('@monocoque/router')};
  const router = new Router();
  await router.bind('tcp://127.0.0.1:*');
  const dealer = new Dealer({ routingId: 'client-1' });
  dealer.connect(router.lastEndpoint);
  await dealer.send(['hello', 'world']);
  const [id, ...frames] = await router.receive();
  if (id.toString() !== 'client-1' || frames.map(String).join(' ') !== 'hello world') throw new Error('router got ' + [id, ...frames].map(String));
  await router.send([id, 'hi back']);
  const reply = await dealer.receive();
  if (reply.map(String).join(' ') !== 'hi back') throw new Error('dealer got ' + reply.map(String));
  dealer.close();
  router.close();
  clearTimeout(timer);
  console.log('round trip ok via ' + RESOLVED);
}
main().catch((e) => { console.error(e); process.exit(1); });
`;

async function runScripts(app) {
  const scripts = {
    'esm.mjs': `const RESOLVED = import.meta.resolve('@monocoque/dealer');\n${ROUND_TRIP((n) => `await import('${n}')`)}`,
    'cjs.cjs': `const RESOLVED = require.resolve('@monocoque/dealer');\n${ROUND_TRIP((n) => `require('${n}')`)}`,
  };
  for (const [file, text] of Object.entries(scripts)) {
    writeFileSync(join(app, file), text);
    const r = await run(process.execPath, [file], { cwd: app, env: cleanEnv, timeout: 20_000 });
    const via = r.out.match(/round trip ok via (\S+)/)?.[1] ?? '';
    const expected = file.endsWith('.mjs') ? /node_modules\/@monocoque\/dealer\/dist\/index\.js$/ : /node_modules[\\/]@monocoque[\\/]dealer[\\/]dist[\\/]index\.cjs$/;
    if (r.code !== 0) bad('run', `${file} (DEALER/ROUTER over tcp)`, `exit ${r.code}`, r.out);
    else if (!expected.test(via) || !via.includes(app.replace(/\\/g, '/').split('/').pop())) {
      bad('run', file, `@monocoque/dealer resolved to ${via || '(nothing)'}, not the installed tarball's dist`);
    } else ok('run', `${file}: DEALER/ROUTER round trip over tcp://127.0.0.1 (${via.replace(/^.*node_modules/, 'node_modules')})`);
  }
}

const TYPES_PROGRAM = `
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';

export async function roundTrip(): Promise<string> {
  const router = new Router();
  await router.bind('tcp://127.0.0.1:*');
  const endpoint: string | null = router.lastEndpoint;
  const dealer: Dealer = new Dealer({ routingId: 'client-1' });
  dealer.connect(endpoint ?? 'tcp://127.0.0.1:5555');
  await dealer.send(['hello', Buffer.from('world')]);
  const [id, ...frames] = await router.receive();
  await router.send([id!, ...frames]);
  const reply: Buffer[] = await dealer.receive();
  // @ts-expect-error the types are real: a method that does not exist is an error (not \`any\`)
  dealer.noSuchMethod();
  dealer.close();
  router.close();
  return reply.map(String).join(' ');
}
`;

async function typeCheck(app) {
  const tsc = join(here, 'node_modules/typescript/bin/tsc');
  const common = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    // @types/node from the workspace: the scratch project installs only our tarballs.
    typeRoots: [join(root, 'node_modules/@types')],
  };
  const configs = {
    node16: { compilerOptions: { ...common, module: 'node16', moduleResolution: 'node16' }, files: ['types-esm.mts', 'types-cjs.cts'] },
    bundler: { compilerOptions: { ...common, module: 'preserve', moduleResolution: 'bundler' }, files: ['types-bundler.ts'] },
  };
  for (const f of ['types-esm.mts', 'types-cjs.cts', 'types-bundler.ts']) writeFileSync(join(app, f), TYPES_PROGRAM);
  for (const [name, config] of Object.entries(configs)) {
    writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
    const r = await run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: app, env: cleanEnv });
    if (r.code === 0) ok('types', `tsc moduleResolution ${name} (${config.files.join(', ')})`);
    else bad('types', `tsc moduleResolution ${name}`, `exit ${r.code}`, r.out);
  }
}

async function budgets() {
  const rows = [];
  for (const b of BUDGETS) {
    let out;
    try {
      out = await bundle(b.source, { resolveDir: here, minify: true });
    } catch (e) {
      bad('budget', b.name, `esbuild failed: ${e.message}`);
      continue;
    }
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    const target = b.target === undefined ? '' : `  target ${kb(b.target)}${out.gzipBytes > b.target ? ' (not met yet)' : ''}`;
    rows.push(`${b.name.padEnd(26)} ${kb(out.bytes).padStart(9)} min ${kb(out.gzipBytes).padStart(8)} min+gz  budget ${kb(b.maxGzipBytes).padStart(8)}${target}`);
    const before = problems.length;
    // The entry really bundled the packages it names (an empty bundle cannot pass).
    for (const pkg of b.mustInclude) {
      if (!out.inputs.some((i) => i.includes(`packages/${pkg}/dist/`))) bad('budget', b.name, `bundle does not contain packages/${pkg}/dist`);
    }
    if (out.gzipBytes > b.maxGzipBytes) bad('budget', b.name, `${out.gzipBytes} B min+gzip > budget ${b.maxGzipBytes} B`);
    const curveInputs = out.inputs.filter(isCurveOnly);
    const curveImports = out.imports.filter((p) => isCurveOnly(p) || /^@noble\/|^sodium-native$|^@monocoque\/curve/.test(p));
    if (b.curve) {
      // Positive control for the rule below: CURVE entries do contain @noble.
      if (!out.inputs.some((i) => /[\\/]@noble[\\/]curves[\\/]/.test(i)) || !out.inputs.some((i) => /[\\/]@noble[\\/]ciphers[\\/]/.test(i))) {
        bad('budget', b.name, 'a CURVE bundle without @noble/curves and @noble/ciphers: the no-@noble check would prove nothing');
      }
    } else if (curveInputs.length > 0 || curveImports.length > 0 || /@noble|sodium-native/.test(out.text)) {
      bad('budget', b.name, `does not import CURVE but bundles ${[...curveInputs, ...curveImports].slice(0, 5).join(', ') || '@noble/sodium-native names'}`);
    }
    if (problems.length === before) ok('budget', `${b.name}: ${kb(out.gzipBytes)} ≤ ${kb(b.maxGzipBytes)}${b.curve ? ' (CURVE: @noble present)' : ', no @noble'}`);
  }
  console.log(`\n${indent(rows.join('\n'), 4)}`);
}

// ---------------------------------------------------------------------------------------
// Run (at the end, so that every declaration above is initialised).
console.log(`release check: ${publishable.length} publishable packages; temp dir ${tmp}`);
try {
  const missingBuild = publishable.filter((w) => !existsSync(join(root, w.dir, 'dist/index.js')));
  if (missingBuild.length > 0) {
    bad('build', missingBuild.map((w) => w.manifest.name).join(', '), 'no dist/index.js: run `pnpm build` first');
  } else {
    await main();
  }
} catch (e) {
  bad('check', 'tools/release/check.mjs', 'crashed', e instanceof Error ? e.stack : String(e));
} finally {
  if (keep) console.log(`\n(kept ${tmp})`);
  else rmSync(tmp, { recursive: true, force: true });
}

const secs = ((Date.now() - started) / 1000).toFixed(1);
if (problems.length > 0) {
  console.log(`\nrelease check FAILED in ${secs} s, ${problems.length} problem(s):`);
  for (const p of problems) console.log(`  - ${p}`);
  process.exit(1);
}
console.log(`\nrelease check passed in ${secs} s`);
