/**
 * Endpoints that never collide between tests or parallel Vitest workers:
 * - TCP: always bind `tcp://127.0.0.1:*` (or `[::1]`) and read the real port back;
 * - IPC: a fresh path per call, `ipc:///tmp/monocoque-e2e-<pid>-<counter>.sock`
 *   (plus the worker's thread id when Vitest runs workers as threads in one process);
 * - abstract IPC (Linux): `ipc://@monocoque-e2e-<pid>-<counter>`.
 */
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { threadId } from 'node:worker_threads';

export type Transport = 'tcp' | 'ipc';

export const TCP_ANY = 'tcp://127.0.0.1:*';
export const TCP6_ANY = 'tcp://[::1]:*';

let counter = 0;
const created = new Set<string>();

function uniqueTag(): string {
  counter += 1;
  return threadId === 0 ? `${process.pid}-${counter}` : `${process.pid}-t${threadId}-${counter}`;
}

/** A fresh filesystem IPC endpoint; its file is removed by `cleanupIpcFiles()`. */
export function ipcEndpoint(): string {
  const path = `/tmp/monocoque-e2e-${uniqueTag()}.sock`;
  created.add(path);
  return `ipc://${path}`;
}

/** A fresh Linux abstract-namespace IPC endpoint (no file on disk). */
export function abstractIpcEndpoint(): string {
  return `ipc://@monocoque-e2e-${uniqueTag()}`;
}

/** What to bind for a transport: the TCP wildcard, or a fresh IPC path. */
export function bindEndpoint(transport: Transport): string {
  return transport === 'tcp' ? TCP_ANY : ipcEndpoint();
}

/** Remove IPC socket files created through `ipcEndpoint()` (call in afterEach). */
export function cleanupIpcFiles(): void {
  for (const path of created) {
    try {
      if (existsSync(path)) rmSync(path, { force: true });
    } catch {
      /* ignore */
    }
  }
  created.clear();
}

/**
 * A TCP port that was free a moment ago, for scenarios that must know the endpoint before
 * anybody binds (connect-before-bind). There is a small race by nature; everything else
 * binds `:*` instead.
 */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether `::1` can be bound here; resolves with a reason when not. */
export function ipv6LoopbackAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: `cannot bind [::1]: ${err.code ?? err.message}` }),
    );
    srv.listen({ host: '::1', port: 0 }, () => srv.close(() => resolve({ ok: true })));
  });
}

/** The port of a resolved `tcp://host:port` endpoint. */
export function portOf(endpoint: string): number {
  const m = /:(\d+)$/.exec(endpoint);
  if (!m) throw new Error(`no port in ${endpoint}`);
  return Number(m[1]);
}
