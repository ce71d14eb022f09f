/** `--help`, `--version` and usage errors (exit 2), on the built bin. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, killAll, run } from './cli.js';

beforeAll(ensureBuilt, 120_000);
afterEach(killAll);

const COMMANDS = ['pair', 'pub', 'sub', 'req', 'rep', 'dealer', 'router', 'push', 'pull', 'xpub', 'xsub', 'monitor', 'proxy', 'keygen', 'bench'];

describe('help and version', () => {
  it('--help lists every command and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`\\b${c}\\b`));
    expect(r.stdout).toMatch(/0 ok, 1 runtime error.*\n?.*2 usage error/);
  });

  it.each(COMMANDS)('%s --help prints its usage and exits 0', async (command) => {
    const r = await run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: monocoque /);
    expect(r.stderr).toBe('');
  });

  it('help <command> is the same as <command> --help', async () => {
    expect((await run(['help', 'proxy'])).stdout).toBe((await run(['proxy', '--help'])).stdout);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('option values that start with a dash', () => {
  it('are taken as values: a Z85 key may begin with "-", a message with "--"', async () => {
    const zmq = createRequire(import.meta.url)('zeromq') as typeof import('zeromq');
    let pair = zmq.curveKeyPair();
    for (let i = 0; i < 20_000 && !pair.secretKey.startsWith('-'); i++) pair = zmq.curveKeyPair();
    expect(pair.secretKey.startsWith('-'), 'a secret key starting with "-" (1 in 85 are)').toBe(true);
    const r = await run(['keygen', '--secret', pair.secretKey]);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: `public-key: ${pair.publicKey}\nsecret-key: ${pair.secretKey}\n` });
  });
});

describe('usage errors exit 2 with a message', () => {
  it.each([
    [[], /Usage: monocoque/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['push', '--bogus'], /Unknown option '--bogus'/],
    [['push'], /give at least one --bind or --connect endpoint/],
    [['push', '--connect'], /argument missing/],
    [['sub', '--connect', 'nonsense'], /--connect nonsense: invalid endpoint/],
    [['sub', '--connect', 'tcp://127.0.0.1:1', '--format', 'xml'], /--format: expected text, hex, json; got "xml"/],
    [['push', '--connect', 'tcp://127.0.0.1:1', '--topic', 'a'], /--topic is for sub and xsub sockets, not push/],
    [['pull', '--bind', 'tcp://127.0.0.1:*', '-m', 'x'], /pull sends no input/],
    [['req', '--connect', 'tcp://127.0.0.1:1', '--count', 'many'], /--count: expected a whole number; got "many"/],
    [['req', '--connect', 'tcp://127.0.0.1:1', '--curve-public-key', 'x'], /a CURVE client needs --curve-server-key/],
    [['rep', '--bind', 'tcp://127.0.0.1:*', '--curve-server'], /--curve-server needs --curve-secret-key/],
    [['req', '--connect', 'tcp://127.0.0.1:1', '--curve-server-key', 'short'], /curveServerKey/],
    [['monitor'], /which socket type/],
    [['monitor', 'toaster', '--bind', 'tcp://127.0.0.1:*'], /unknown socket type "toaster"/],
    [['proxy', '--frontend', 'router@tcp://127.0.0.1:*'], /--backend is required/],
    [['proxy', '--frontend', 'router:tcp://x', '--backend', 'dealer@tcp://127.0.0.1:*'], /expected <type>@<endpoint>/],
    [['proxy', '--frontend', 'pub@tcp://127.0.0.1:*', '--backend', 'pub@tcp://127.0.0.1:*'], /nothing can flow/],
    [['bench', 'sideways'], /expected push, pull, req or rep/],
    [['keygen', '--secret', 'not-a-key'], /--secret/],
  ] as Array<[string[], RegExp]>)('monocoque %j', async (args, message) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('CURVE is loaded only when a CURVE flag is given', () => {
  it('records which @monocoque/curve entries the bin resolves', async () => {
    const { mkdtempSync, writeFileSync, readFileSync: read, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFile } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'monocoque-cli-hooks-'));
    const log = join(dir, 'resolved.log');
    writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  if (specifier.startsWith('@monocoque/curve')) appendFileSync(${JSON.stringify(log)}, specifier + '\\n');\n  return next(specifier, context);\n}\n`);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(join(dir, 'hooks.mjs'))}, import.meta.url);\n`);
    const { BIN } = await import('./cli.js');
    const runWithHooks = (args: string[]) =>
      new Promise<number>((resolve) => {
        const child = execFile(process.execPath, ['--import', join(dir, 'register.mjs'), BIN, ...args], { timeout: 10_000 }, () => {});
        child.once('close', (code) => resolve(code ?? -1));
      });
    const resolved = () => (existsSync(log) ? read(log, 'utf8') : '');
    expect(await runWithHooks(['pull', '--bind', 'tcp://127.0.0.1:*', '--timeout', '100'])).toBe(1);
    expect(resolved()).toBe('');
    const zmq = createRequire(import.meta.url)('zeromq') as typeof import('zeromq');
    expect(await runWithHooks(['pull', '--bind', 'tcp://127.0.0.1:*', '--timeout', '100', '--curve-server', '--curve-secret-key', zmq.curveKeyPair().secretKey])).toBe(1);
    expect(resolved()).toMatch(/^@monocoque\/curve\/register$/m);
  });
});
