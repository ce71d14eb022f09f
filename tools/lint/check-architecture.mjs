#!/usr/bin/env node
// Architecture checks (docs/architecture.md states the rules):
//  1. @monocoque/zmtp does no I/O: no node: I/O modules, no timers.
//  2. Dependencies point one way: a pattern package never depends on or imports a sibling
//     pattern package; a top-level package (facade, CLI) may use any package and nothing
//     depends on it; the package graph has no cycles.
//  3. Every package: "sideEffects" declared, explicit "exports" with types, engines.node,
//     a README, and a mention in docs/architecture.md.
//  4. Every package ships the licence: a LICENSE byte-identical to the root one, and the
//     root's "license" field; no placeholder metadata URLs (docs/releasing.md).
//  5. docs/index.md links every page under docs/.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const problems = [];
const fail = (msg) => problems.push(msg);

/** Packages that are infrastructure rather than socket patterns. */
const INFRA = new Set(['zmtp', 'core', 'uring', 'curve', 'plain', 'zap', 'proxy']);
/**
 * Top-level packages (facade, CLI): applications of the patterns rather than parts of them —
 * the zeromq.js drop-in, the `monocoque` command-line tool. They may depend on any package;
 * no package may depend on them.
 */
const FACADES = new Set(['zeromq', 'cli']);

const pkgDirs = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json')));
const pkgs = new Map();
for (const dir of pkgDirs) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  pkgs.set(manifest.name, { dir, manifest });
}

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(entry)) out.push(p);
  }
  return out;
}

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  for (const m of text.matchAll(importRe)) out.push(m[1] ?? m[2] ?? m[3]);
  return { text, imports: out };
}

const rootLicense = existsSync(join(root, 'LICENSE')) ? readFileSync(join(root, 'LICENSE')) : undefined;
if (!rootLicense) fail('LICENSE is missing at the repository root');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** URLs that point nowhere: reserved example/test domains, localhost, unfilled templates. */
const PLACEHOLDER_URL = /\.(invalid|example|test|localhost)\b|\bexample\.(com|org|net)\b|localhost|TODO|<[^>]*>|\bOWNER\b|\bUSER\b/i;
function urlsOf(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return typeof value.url === 'string' ? [value.url] : [];
  return [];
}

const architectureDoc = existsSync(join(root, 'docs/architecture.md')) ? readFileSync(join(root, 'docs/architecture.md'), 'utf8') : '';
if (!architectureDoc) fail('docs/architecture.md is missing');

for (const [name, { dir, manifest }] of pkgs) {
  const where = `packages/${dir}`;
  if (manifest.sideEffects === undefined) fail(`${where}: package.json must declare "sideEffects"`);
  if (manifest.sideEffects === true) fail(`${where}: "sideEffects" must be false or a list of files`);
  if (!manifest.exports?.['.']) fail(`${where}: package.json needs an explicit "exports" map with "."`);
  const dot = JSON.stringify(manifest.exports?.['.'] ?? {});
  if (!dot.includes('"types"')) fail(`${where}: exports["."] must carry "types"`);
  if (!manifest.engines?.node) fail(`${where}: package.json needs engines.node`);
  if (!existsSync(join(root, where, 'README.md'))) fail(`${where}: README.md missing`);
  if (architectureDoc && !architectureDoc.includes(name)) fail(`docs/architecture.md does not mention ${name}`);
  if (manifest.license !== rootManifest.license) fail(`${where}: "license" is ${JSON.stringify(manifest.license)}, the repository's is ${JSON.stringify(rootManifest.license)}`);
  const license = join(root, where, 'LICENSE');
  if (!existsSync(license)) fail(`${where}: LICENSE missing (copy the root LICENSE)`);
  else if (rootLicense && !readFileSync(license).equals(rootLicense)) fail(`${where}: LICENSE differs from the root LICENSE`);
  for (const field of ['repository', 'homepage', 'bugs']) {
    for (const url of urlsOf(manifest[field])) {
      if (PLACEHOLDER_URL.test(url)) fail(`${where}: "${field}" is a placeholder (${url}); omit the field until a real one exists`);
    }
  }

  const isPattern = !INFRA.has(dir) && !FACADES.has(dir);
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies });
  for (const d of deps) {
    if (isPattern && pkgs.has(d) && !INFRA.has(pkgs.get(d).dir)) fail(`${where}: pattern package depends on sibling pattern ${d}`);
    if (pkgs.has(d) && FACADES.has(pkgs.get(d).dir) && !FACADES.has(dir)) fail(`${where}: depends on the facade ${d} (nothing may depend on a facade)`);
  }

  for (const file of [...sourceFiles(join(root, where, 'src')), ...sourceFiles(join(root, where, 'test'))]) {
    const rel = file.slice(root.length);
    const { text, imports } = importsOf(file);
    for (const spec of imports) {
      const target = spec.match(/^(@monocoque\/[^/]+)/)?.[1];
      if (isPattern && target && target !== name && pkgs.has(target) && !INFRA.has(pkgs.get(target).dir)) {
        fail(`${rel}: pattern package imports sibling pattern ${target}`);
      }
      if (target && target !== name && !deps.includes(target) && file.includes('/src/')) {
        fail(`${rel}: imports ${target} which is not declared in package.json`);
      }
      if (dir === 'zmtp' && (spec.startsWith('node:') || ['net', 'fs', 'dgram', 'timers', 'child_process', 'tls', 'http'].includes(spec))) {
        fail(`${rel}: @monocoque/zmtp must not import ${spec} (sans-IO)`);
      }
    }
    if (dir === 'zmtp' && file.includes('/src/') && /\b(setTimeout|setInterval|setImmediate|process\.nextTick)\s*\(/.test(text)) {
      fail(`${rel}: @monocoque/zmtp must not use timers (sans-IO)`);
    }
  }
}

// No cycles among workspace dependencies.
const graph = new Map();
for (const [name, { manifest }] of pkgs) {
  graph.set(name, Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((d) => pkgs.has(d)));
}
const state = new Map();
function visit(n, path) {
  if (state.get(n) === 'done') return;
  if (state.get(n) === 'active') {
    fail(`dependency cycle: ${[...path, n].join(' -> ')}`);
    return;
  }
  state.set(n, 'active');
  for (const d of graph.get(n) ?? []) visit(d, [...path, n]);
  state.set(n, 'done');
}
for (const n of graph.keys()) visit(n, []);

// The docs index links every page under docs/ (the generated API reference aside).
const docsIndex = existsSync(join(root, 'docs/index.md')) ? readFileSync(join(root, 'docs/index.md'), 'utf8') : '';
if (!docsIndex) fail('docs/index.md is missing');
function docPages(dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir))) {
    const rel = `${dir}/${entry}`;
    if (rel === 'docs/api') continue;
    if (statSync(join(root, rel)).isDirectory()) out.push(...docPages(rel));
    else if (entry.endsWith('.md') && rel !== 'docs/index.md') out.push(rel);
  }
  return out;
}
for (const page of docPages('docs')) {
  if (docsIndex && !docsIndex.includes(`(${page.slice('docs/'.length)}`)) fail(`docs/index.md does not link ${page}`);
}

if (problems.length > 0) {
  console.error(`architecture check: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`architecture check: ${pkgs.size} packages ok (sans-IO codec, one-way dependencies, no cycles, exports/sideEffects/engines/README/LICENSE present, no placeholder URLs)`);
