import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Dealer } from '@monocoque/dealer';

// Minimal libzmq peer in a child process: a ROUTER echo server.
const PEER = `
const zmq = require('zeromq');
(async () => {
  const r = new zmq.Router();
  await r.bind('tcp://127.0.0.1:*');
  process.stdout.write(r.lastEndpoint + '\\n');
  for await (const [id, ...rest] of r) await r.send([id, 'echo', ...rest]);
})();
`;

describe('libzmq quick interop', () => {
  it('Dealer <-> libzmq ROUTER echo', async () => {
    const child = spawn(process.execPath, ['-e', PEER], { cwd: `${__dirname}/../../../e2e`, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const ep = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
      const dealer = new Dealer({ routingId: 'abc' });
      dealer.connect(ep);
      const big = Buffer.alloc(1 << 20, 7);
      await dealer.send(['x', Buffer.alloc(0), Buffer.alloc(255, 1), Buffer.alloc(256, 2), big]);
      const reply = await dealer.receive();
      expect(reply.map((f) => f.length)).toEqual([4, 1, 0, 255, 256, 1 << 20]);
      expect(reply[5]!.equals(big)).toBe(true);
      dealer.close();
    } finally {
      child.kill();
    }
  });
});
