/**
 * A libzmq PEER (draft socket type 19, RFC 51) in a separate process, for the PEER interop
 * tests. npm `zeromq` cannot drive one (it attaches routing ids only for SERVER sockets
 * and has no `zmq_connect_peer`) and Debian's libzmq is built without the draft API, so
 * `e2e/peers/zmq-draft-peer.c` is compiled here, once per test process, and loads the
 * libzmq 4.3.5 that npm `zeromq`'s native addon links in (draft API on) with dlopen. The
 * addon's Node-API/libuv imports are satisfied by abort() stubs generated from `nm`
 * (they are never called). {@link draftPeerUnavailableReason} says why this cannot work
 * on a machine (no C compiler, no loadable addon) so tests skip with that reason printed.
 *
 *   const p = await spawnDraftPeer();
 *   const ep = await p.bind('tcp://127.0.0.1:*');
 *   const id = await p.connectPeer('tcp://127.0.0.1:5555');
 *   await p.send(id, 'hello');
 *   const { routingId, payload } = await p.receive(5000);
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const e2eDir = fileURLToPath(new URL('../', import.meta.url));
const source = fileURLToPath(new URL('../peers/zmq-draft-peer.c', import.meta.url));

let built: { binary: string; addons: string[] } | { reason: string } | undefined;

function addonCandidates(): string[] {
  const root = join(e2eDir, 'node_modules', 'zeromq', 'build', process.platform, process.arch);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'addon.node') out.push(p);
    }
  };
  walk(root);
  // glibc builds first: they export libzmq's C API unmangled.
  return out.sort((a, b) => Number(b.includes('glibc')) - Number(a.includes('glibc')));
}

function build(): { binary: string; addons: string[] } | { reason: string } {
  if (process.platform !== 'linux') return { reason: `the libzmq PEER helper is built for Linux only (this is ${process.platform})` };
  const addons = addonCandidates();
  if (addons.length === 0) return { reason: "npm 'zeromq' ships no native addon for this platform to load libzmq from" };
  const imports = new Set<string>();
  for (const addon of addons) {
    const nm = spawnSync('nm', ['-D', '--undefined-only', addon], { encoding: 'utf8' });
    if (nm.status !== 0) return { reason: `cannot list the addon's imports with nm: ${nm.error?.message ?? nm.stderr.trim()}` };
    for (const line of nm.stdout.split('\n')) {
      const name = line.trim().split(/\s+/).pop() ?? '';
      if (/^(napi_|node_api_|uv_|node_)\w+$/.test(name)) imports.add(name);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'monocoque-draft-peer-'));
  const stubs = join(dir, 'stubs.c');
  writeFileSync(stubs, `#include <stdlib.h>\n${[...imports].map((n) => `void ${n}(void) { abort(); }`).join('\n')}\n`);
  const binary = join(dir, 'zmq-draft-peer');
  const cc = spawnSync(process.env.CC ?? 'cc', ['-O1', '-rdynamic', '-o', binary, source, stubs, '-ldl'], { encoding: 'utf8' });
  if (cc.error) return { reason: `no C compiler to build the libzmq PEER helper: ${cc.error.message}` };
  if (cc.status !== 0) return { reason: `cannot compile the libzmq PEER helper (${process.env.CC ?? "cc"} exited with ${cc.status}): ${cc.stderr.trim().slice(0, 500)}` };
  return { binary, addons };
}

function ensureBuilt(): { binary: string; addons: string[] } | { reason: string } {
  built ??= build();
  return built;
}

/**
 * Why a libzmq PEER cannot be started here, or undefined when it can: builds the helper
 * and starts it once (so a library that does not load is reported, not just a compiler).
 */
export async function draftPeerUnavailableReason(): Promise<string | undefined> {
  const b = ensureBuilt();
  if ('reason' in b) return b.reason;
  try {
    const p = await spawnDraftPeer();
    p.close();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A libzmq PEER socket in its own process (one socket per process). */
export class DraftPeer {
  /** libzmq version, e.g. 4.3.5. */
  version = '';
  private readonly queue: Array<{ resolve(line: string): void; reject(e: Error): void }> = [];
  private stderr = '';
  private exited = false;

  constructor(private readonly child: ChildProcess) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-2000)));
    child.stdin!.on('error', () => {});
    child.once('exit', (code, signal) => {
      this.exited = true;
      const e = new Error(`libzmq PEER helper exited (${signal ?? code}); stderr: ${this.stderr.trim() || '(empty)'}`);
      for (const w of this.queue.splice(0)) w.reject(e);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => this.queue.shift()?.resolve(line));
  }

  /** @internal the first line: ready or fatal. */
  next(timeoutMs: number, what: string): Promise<string> {
    if (this.exited) return Promise.reject(new Error(`libzmq PEER helper already exited; stderr: ${this.stderr}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`libzmq PEER helper did not answer '${what}' within ${timeoutMs} ms`)), timeoutMs);
      this.queue.push({
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  private async request(line: string, timeoutMs = 10_000): Promise<string[]> {
    const answer = this.next(timeoutMs, line.slice(0, 60));
    this.child.stdin!.write(`${line}\n`);
    const reply = await answer;
    const [status, ...rest] = reply.split(' ');
    if (status !== 'ok') {
      const err = new Error(`libzmq PEER '${line.slice(0, 60)}' failed: ${rest.slice(1).join(' ')} (errno ${rest[0]})`) as Error & { errno?: number };
      err.errno = Number(rest[0]);
      throw err;
    }
    return rest;
  }

  /** Bind; resolves with the resolved endpoint (real port for `:*`). */
  async bind(endpoint: string): Promise<string> {
    return (await this.request(`bind ${endpoint}`))[0]!;
  }
  /** `zmq_connect_peer`: resolves with the routing id of the new pipe. */
  async connectPeer(endpoint: string): Promise<number> {
    return Number((await this.request(`connect ${endpoint}`))[0]);
  }
  /** Send a single-part message to `routingId`. */
  async send(routingId: number, payload: Buffer | string): Promise<void> {
    await this.request(`send ${routingId} ${Buffer.from(payload).toString('hex')}`);
  }
  /** Receive one message within `timeoutMs` (throws on timeout: errno 11). */
  async receive(timeoutMs = 5000): Promise<{ routingId: number; payload: Buffer }> {
    const [id, hex] = await this.request(`recv ${timeoutMs}`, timeoutMs + 10_000);
    return { routingId: Number(id), payload: Buffer.from(hex ?? '', 'hex') };
  }
  /** Kill the process. */
  close(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Build (once) and start a libzmq PEER helper; rejects with the reason when it cannot. */
export async function spawnDraftPeer(): Promise<DraftPeer> {
  const b = ensureBuilt();
  if ('reason' in b) throw new Error(b.reason);
  const child = spawn(b.binary, b.addons, { stdio: ['pipe', 'pipe', 'pipe'] });
  const peer = new DraftPeer(child);
  const first = await peer.next(10_000, 'startup');
  if (!first.startsWith('ready ')) {
    peer.close();
    throw new Error(`libzmq PEER helper cannot start: ${first.replace(/^fatal /, '')}`);
  }
  peer.version = first.slice(6);
  return peer;
}
