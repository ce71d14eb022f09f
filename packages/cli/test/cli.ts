/**
 * Runs the built `monocoque` bin (dist/bin.js) as a child process, the way a user or a
 * script does. `ensureBuilt()` (in a beforeAll) rebuilds the CLI with tsup when dist/ is
 * missing or older than src/; the packages it depends on must be built (`pnpm build`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(pkgDir, 'dist/bin.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build the CLI when needed; fail with what to do when its dependencies are not built. */
export function ensureBuilt(): void {
  for (const dep of ['core', 'curve', 'pubsub', 'reqrep', 'pipeline', 'router', 'dealer', 'pair', 'proxy']) {
    if (!existsSync(join(pkgDir, `../${dep}/dist/index.js`))) throw new Error(`packages/${dep} is not built: run \`pnpm build\` before the CLI tests`);
  }
  const stale = () => !existsSync(BIN) || statSync(BIN).mtimeMs < Math.max(newestSource(join(pkgDir, 'src')), statSync(join(pkgDir, 'tsup.config.mjs')).mtimeMs);
  if (!stale()) return;
  // Test files run in parallel workers: one builds, the others wait for it (a directory as
  // the lock; one older than the build's own timeout is left over from a killed run).
  mkdirSync(join(pkgDir, 'dist'), { recursive: true });
  const lock = join(pkgDir, 'dist/.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 100_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out after 120 s waiting for another worker to build the CLI');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!stale()) return;
    const r = spawnSync('npx', ['tsup'], { cwd: pkgDir, encoding: 'utf8', timeout: 90_000 });
    if (r.status !== 0) throw new Error(`building the CLI failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A running `monocoque` process. */
export class Cli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  /** Resolves with the exit code (128 + n when killed by signal n). */
  readonly exited: Promise<number>;
  private readonly listeners: Array<() => void> = [];

  constructor(args: string[], options: { input?: string | Buffer; stdin?: 'pipe' | 'ignore' } = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
      this.notify();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 128)));
    });
    if (this.child.stdin) {
      this.child.stdin.on('error', () => {});
      if (options.input !== undefined) this.child.stdin.end(options.input);
    }
  }

  private notify(): void {
    for (const l of this.listeners.slice()) l();
  }

  /** stdout as lines (without the last empty one). */
  get lines(): string[] {
    return this.stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
  }

  /** Wait until `pattern` matches stdout + stderr; resolves with the match. */
  waitFor(pattern: RegExp, timeout = 10_000, where: 'stdout' | 'stderr' | 'both' = 'both'): Promise<RegExpMatchArray> {
    const text = () => (where === 'stdout' ? this.stdout : where === 'stderr' ? this.stderr : `${this.stdout}\n${this.stderr}`);
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = text().match(pattern);
        if (m !== null) {
          done();
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeout} ms waiting for ${pattern} from monocoque ${this.child.spawnargs.slice(2).join(' ')}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        const i = this.listeners.indexOf(check);
        if (i >= 0) this.listeners.splice(i, 1);
      };
      this.listeners.push(check);
      void this.exited.then(() => setImmediate(check));
      check();
    });
  }

  /** The endpoint of the n-th `bound ...` line on stderr (resolved port). */
  async bound(label = ''): Promise<string> {
    const m = await this.waitFor(new RegExp(`monocoque: ${label}bound (\\S+)`), 10_000, 'stderr');
    return m[1]!;
  }

  /** Exit code, or a rejection after `timeout` ms (the process is then killed). */
  async exit(timeout = 10_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`monocoque ${this.child.spawnargs.slice(2).join(' ')} did not exit within ${timeout} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, timeout);
    });
    try {
      return await Promise.race([this.exited, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

const running = new Set<Cli>();
/** Start `monocoque args...`; `killAll()` (afterEach) ends whatever is left. */
export function cli(args: string[], options: { input?: string | Buffer; stdin?: 'pipe' | 'ignore' } = {}): Cli {
  const c = new Cli(args, options);
  running.add(c);
  return c;
}
/** Kill every CLI process still running. */
export function killAll(): void {
  for (const c of running) c.kill();
  running.clear();
}

/** Run to completion: exit code, stdout, stderr. */
export async function run(args: string[], input?: string | Buffer, timeout = 10_000): Promise<{ code: number; stdout: string; stderr: string; lines: string[] }> {
  const c = cli(args, input === undefined ? { stdin: 'ignore' } : { input });
  const code = await c.exit(timeout);
  return { code, stdout: c.stdout, stderr: c.stderr, lines: c.lines };
}
