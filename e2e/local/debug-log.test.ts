/**
 * `NODE_DEBUG=monocoque` prints one line per connection life-cycle event (util.debuglog),
 * naming the socket type, the endpoint, the peer and the error; without it nothing is
 * printed. Runs the built packages in a child process.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/debug-log.mjs', import.meta.url));

function run(env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [fixture], { timeout: 10_000, env }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

describe('debug logging', () => {
  it('NODE_DEBUG=monocoque: bind, connect, handshake, refusal and disconnect, one line each', async () => {
    const { stdout, stderr } = await run({ ...process.env, NODE_DEBUG: 'monocoque', MONOCOQUE_DEBUG: '' });
    expect(stdout).toBe('done\n');
    const lines = stderr.split('\n').filter((l) => /^MONOCOQUE \d+: /.test(l)).map((l) => l.replace(/^MONOCOQUE \d+: /, ''));
    expect(lines).toContainEqual(expect.stringMatching(/^ROUTER bind tcp:\/\/127\.0\.0\.1:\d+$/));
    expect(lines).toContainEqual(expect.stringMatching(/^DEALER connect tcp:\/\/127\.0\.0\.1:\d+/));
    expect(lines).toContainEqual(expect.stringMatching(/^ROUTER handshake tcp:\/\/127\.0\.0\.1:\d+ peer tcp:\/\/127\.0\.0\.1:\d+ \(DEALER id "d1"\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ROUTER handshake:error:other tcp:\/\/.* EFAULT PLAIN server has no ZAP handler/));
    expect(lines).toContainEqual(expect.stringMatching(/^DEALER handshake tcp:\/\/127\.0\.0\.1:\d+ \(ROUTER\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ROUTER disconnect tcp:\/\/.* EFAULT /));
  });

  it('prints nothing without it', async () => {
    const { stdout, stderr } = await run({ ...process.env, NODE_DEBUG: '', MONOCOQUE_DEBUG: '' });
    expect(stdout).toBe('done\n');
    expect(stderr).not.toMatch(/MONOCOQUE|monocoque:/);
  });
});
