/**
 * worker_threads smoke test: every thread gets its own ring (per-environment instance
 * data), and terminating a worker with open sockets tears its ring down cleanly (env
 * cleanup hook) without disturbing the main thread's ring.
 *
 * Workers cannot import TypeScript, so the package sources are transpiled (typescript's
 * transpileModule) into a temporary directory first.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { Stream } from '@monocoque/core';
import { loadUring } from '../src/index.js';
import { loadNative } from '../src/native.js';
import { payload, Sink } from './helpers.js';

const loaded = loadUring();
const required = process.env.MONOCOQUE_REQUIRE_URING === '1';
if (!loaded.ok && !required) console.warn(`[@monocoque/uring] skipping worker_threads test: ${loaded.reason}`);
const suite = loaded.ok || required ? describe : describe.skip;

const pkg = fileURLToPath(new URL('..', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));

function transpile(dir: string): void {
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  const files: Array<[string, string]> = [
    [join(pkg, 'src/index.ts'), 'index.js'],
    [join(pkg, 'src/native.ts'), 'native.js'],
    [join(pkg, 'src/transport.ts'), 'transport.js'],
    [join(repo, 'packages/zmtp/src/errors.ts'), 'zmtp-errors.js'],
  ];
  for (const [src, out] of files) {
    const js = ts.transpileModule(readFileSync(src, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    writeFileSync(join(dir, out), js.replaceAll("'@monocoque/zmtp'", "'./zmtp-errors.js'"));
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(dir, 'worker.js'),
    `
import { parentPort, workerData } from 'node:worker_threads';
import { uringTransport } from './index.js';
// Open sockets do not keep a thread alive (as with node:net): stay up until terminate().
setInterval(() => {}, 1 << 30);
const t = uringTransport();
const run = async (endpoint) => {
  let accepted;
  const got = new Promise((r) => (accepted = r));
  const l = await t.listen(endpoint, (s) => accepted(s));
  const target = endpoint.protocol === 'tcp' ? { protocol: 'tcp', host: '127.0.0.1', port: Number(l.endpoint.split(':').pop()) } : endpoint;
  const c = await t.connect(target);
  const s = await got;
  const chunks = [];
  let n = 0;
  const size = workerData.size;
  const done = new Promise((resolve) => s.start({ onData(b, transient) { chunks.push(transient ? Buffer.from(b) : b); n += b.length; if (n >= size) resolve(); }, onDrain() {}, onClose() {} }));
  c.start({ onData() {}, onDrain() {}, onClose() {} });
  const data = Buffer.alloc(size, workerData.fill);
  for (let i = 0; i < size; i += 10000) c.write([data.subarray(i, i + 10000)]);
  await done;
  return { ok: Buffer.concat(chunks).equals(data), listener: l, client: c };
};
const a = await run({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
const b = await run({ protocol: 'ipc', path: workerData.ipc });
// Leave both listeners and connections open: terminate() must clean them up.
parentPort.postMessage({ tcp: a.ok, ipc: b.ok });
`,
  );
}

suite('worker_threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mq-uring-worker-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each worker has its own ring; terminate() with open sockets is clean', async () => {
    const native = loadNative();
    expect(native.ok).toBe(true);
    if (!native.ok || !loaded.ok) return;
    transpile(dir);
    const workers = [0, 1].map(
      (i) =>
        new Worker(join(dir, 'worker.js'), {
          workerData: { size: 1 << 20, fill: 0x41 + i, ipc: join(dir, `w${i}.sock`) },
          env: { ...process.env, MONOCOQUE_URING_ADDON: native.path },
        }),
    );
    // The main thread keeps using its own ring at the same time.
    const t = loaded.transport;
    let accepted!: (s: Stream) => void;
    const got = new Promise<Stream>((r) => (accepted = r));
    const l = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (s) => accepted(s));
    const c = await t.connect({ protocol: 'tcp', host: '127.0.0.1', port: Number(l.endpoint.split(':').pop()) });
    const server = await got;
    const sink = new Sink();
    server.start(sink);
    c.start(new Sink());
    const results = await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    expect(results).toEqual([
      { tcp: true, ipc: true },
      { tcp: true, ipc: true },
    ]);
    const codes = await Promise.all(workers.map((w) => w.terminate()));
    expect(codes).toEqual([1, 1]);
    const data = payload(1 << 20);
    c.write([data]);
    await sink.untilBytes(data.length);
    expect(sink.data().equals(data)).toBe(true);
    c.destroy();
    await sink.closed;
    await l.close();
  }, 30_000);
});
