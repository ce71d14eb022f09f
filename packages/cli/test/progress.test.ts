/**
 * bench's live progress line: drawn on stderr only when stderr is a terminal. Runs `main()`
 * in this process (sources) with a stderr that says it is a TTY, against a libzmq PUSH.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { Output, main } from '@monocoque/cli';
import { afterEach, describe, expect, it } from 'vitest';

type Zmq = typeof import('zeromq');
const zmq = createRequire(import.meta.url)('zeromq') as Zmq;

class Capture extends Writable {
  text = '';
  isTTY: boolean;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function benchPull(tty: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture(false);
  const stderr = new Capture(tty);
  const output = new Output(stdout, stderr);
  const push = new zmq.Push({ linger: 0 });
  open.push(push);
  const pushing = (async () => {
    const m = /bound (\S+)/.exec(await new Promise<string>((resolve) => {
      const check = () => (/bound \S+\n/.test(stderr.text) ? resolve(stderr.text) : setTimeout(check, 5));
      check();
    }))!;
    push.connect(m[1]!);
    // Slowly enough (≈ 600 ms) that the 200 ms progress timer fires.
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 50; j++) await push.send('x'.repeat(10));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const code = await main(['bench', 'pull', '--bind', 'tcp://127.0.0.1:*', '--count', '3000', '--timeout', '10000'], output);
  await pushing;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('bench progress line', () => {
  it('is drawn on a terminal and cleared before the summary', async () => {
    const r = await benchPull(true);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\r\x1b\[Kpull [\d,]+\/3,000 \(\d+ %\) [\d,]+ msg\/s/);
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(r.stdout).toMatch(/^pull: 3,000 messages of 10 B in /);
  });

  it('is not drawn when stderr is not a terminal', async () => {
    const r = await benchPull(false);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\r/);
    expect(r.stdout).toMatch(/^pull: 3,000 messages/);
  });
});
