/**
 * A zeromq.js-style ZAP handler: a Router bound at inproc://zeromq.zap.01 answering RFC 27
 * requests. The same scenario runs on npm zeromq and on the facade; both must authenticate
 * the same clients, see the same requests and report the same refusals.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as ours from '@monocoque/zeromq';

const require = createRequire(import.meta.url);
const theirs = require('zeromq') as typeof ours;

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

async function scenario(zmq: typeof ours) {
  const zap = new zmq.Router();
  await zap.bind('inproc://zeromq.zap.01');
  const requests: string[][] = [];
  const serving = (async () => {
    for await (const [id, delimiter, version, requestId, domain, address, , mechanism, ...credentials] of zap) {
      const [user, pass] = credentials.map(String);
      requests.push([String(version), String(domain), String(address), String(mechanism), user ?? '']);
      const ok = user === 'admin' && pass === 'secret';
      await zap.send([id!, delimiter!, '1.0', requestId!, ok ? '200' : '400', ok ? 'OK' : 'denied', ok ? (user ?? '') : '', '']);
    }
  })();
  const server = new zmq.Reply({ plainServer: true, zapDomain: 'test' });
  await server.bind('tcp://127.0.0.1:*');
  const good = new zmq.Request({ plainUsername: 'admin', plainPassword: 'secret' });
  const bad = new zmq.Request({ plainUsername: 'admin', plainPassword: 'wrong' });
  const refused = new Promise<{ status?: number }>((resolve) => bad.events.on('handshake:error:auth', (e) => resolve(e.error as { status?: number })));
  try {
    good.connect(server.lastEndpoint!);
    await good.send('hello');
    const [request] = await within(5000, 'the request through PLAIN', server.receive());
    await server.send('world');
    const [reply] = await within(5000, 'the reply', good.receive());
    bad.connect(server.lastEndpoint!);
    const error = await within(5000, 'the refusal of the wrong password', refused);
    return { request: String(request), reply: String(reply), refusedStatus: error.status, requests: requests.sort() };
  } finally {
    for (const s of [good, bad, server, zap]) s.close();
    await serving;
  }
}

describe('inproc://zeromq.zap.01', () => {
  it('a Router bound there authenticates PLAIN clients, as with zeromq.js', async () => {
    const a = await scenario(ours);
    const b = await scenario(theirs);
    expect(a).toEqual(b);
    expect(a.refusedStatus).toBe(400);
    expect(a.requests).toContainEqual(['1.0', 'test', '127.0.0.1', 'PLAIN', 'admin']);
  });

  it('binding it while another ZAP handler is installed is refused (EADDRINUSE)', async () => {
    const first = new ours.Router();
    const second = new ours.Router();
    try {
      await first.bind('inproc://zeromq.zap.01');
      await expect(second.bind('inproc://zeromq.zap.01')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      first.close();
      second.close();
    }
    const again = new ours.Router();
    await again.bind('inproc://zeromq.zap.01'); // closing the first released the handler
    again.close();
  });
});
