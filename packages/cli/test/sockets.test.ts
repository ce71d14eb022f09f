/**
 * Socket commands of the built bin against libzmq 4.3.5 (npm `zeromq` 6.8, in this test
 * process) over loopback TCP: push, sub with topic filters, rep --echo, req, CURVE and
 * PLAIN flags, keygen keys used by libzmq.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z85Decode } from '@monocoque/curve';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, killAll, run } from './cli.js';

type Zmq = typeof import('zeromq');
const zmq = createRequire(import.meta.url)('zeromq') as Zmq;

beforeAll(ensureBuilt, 120_000);
const open: Array<{ close(): void }> = [];
afterEach(() => {
  killAll();
  for (const s of open.splice(0)) s.close();
});
function track<T extends { close(): void }>(s: T): T {
  open.push(s);
  return s;
}
const ANY = 'tcp://127.0.0.1:*';

async function receiveWithin(socket: { receive(): Promise<Buffer[]> }, ms = 5000): Promise<Buffer[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      socket.receive(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no message from monocoque within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
const texts = (m: Buffer[]) => m.map((f) => f.toString());

describe('push', () => {
  it('sends stdin lines to a libzmq PULL, then exits 0', async () => {
    const pull = track(new zmq.Pull({ linger: 0 }));
    await pull.bind(ANY);
    const c = cli(['push', '--connect', pull.lastEndpoint!, '--timeout', '5000'], { input: 'one\ntwo\nthree\n' });
    const got = [];
    for (let i = 0; i < 3; i++) got.push(texts(await receiveWithin(pull)));
    expect(got).toEqual([['one'], ['two'], ['three']]);
    expect(await c.exit()).toBe(0);
  });

  it('multipart with --separator, --input json with binary frames, --file and --raw', async () => {
    const pull = track(new zmq.Pull({ linger: 0 }));
    await pull.bind(ANY);
    const ep = pull.lastEndpoint!;
    expect((await run(['push', '-c', ep, '-s', '|', '-m', 'a|b|c'])).code).toBe(0);
    expect(texts(await receiveWithin(pull))).toEqual(['a', 'b', 'c']);
    const c = cli(['push', '-c', ep, '--input', 'json'], { input: '["x",{"base64":"AAEC"},{"hex":"ff"}]\n"solo"\n' });
    expect(await receiveWithin(pull)).toEqual([Buffer.from('x'), Buffer.from([0, 1, 2]), Buffer.from([0xff])]);
    expect(texts(await receiveWithin(pull))).toEqual(['solo']);
    expect(await c.exit()).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'monocoque-cli-'));
    const file = join(dir, 'payload.bin');
    const payload = Buffer.from([0, 10, 13, 255, 10, 65]);
    writeFileSync(file, payload);
    expect((await run(['push', '-c', ep, '--file', file])).code).toBe(0);
    expect(await receiveWithin(pull)).toEqual([payload]);
    expect((await run(['push', '-c', ep, '--raw'], 'line 1\nline 2\n')).code).toBe(0);
    expect(texts(await receiveWithin(pull))).toEqual(['line 1\nline 2\n']);
  });

  it('--timeout: no peer takes the message → exit 1 naming the timeout', async () => {
    const r = await run(['push', '--bind', ANY, '-m', 'nobody', '--timeout', '300']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/timed out after 300 ms/);
  });

  it('bad --input json line → exit 1', async () => {
    const pull = track(new zmq.Pull({ linger: 0 }));
    await pull.bind(ANY);
    const r = await run(['push', '-c', pull.lastEndpoint!, '--input', 'json'], '{not json\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not JSON/);
  });
});

describe('endpoints', () => {
  it('pull --bind EP1 EP2: more endpoints after one --bind, TCP and IPC, libzmq PUSH on each', async () => {
    const ipc = `ipc://${join(mkdtempSync(join(tmpdir(), 'monocoque-cli-')), 'pull.sock')}`;
    const c = cli(['pull', '--bind', ANY, ipc, '--count', '2', '--timeout', '10000'], { stdin: 'ignore' });
    const tcp = await c.bound();
    await c.waitFor(new RegExp(`bound ${ipc.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), 10_000, 'stderr');
    const viaTcp = track(new zmq.Push({ linger: 0 }));
    viaTcp.connect(tcp);
    await viaTcp.send('over tcp');
    await c.waitFor(/over tcp/, 10_000, 'stdout');
    const viaIpc = track(new zmq.Push({ linger: 0 }));
    viaIpc.connect(ipc);
    await viaIpc.send('over ipc');
    expect(await c.exit()).toBe(0);
    expect(c.lines).toEqual(['over tcp', 'over ipc']);
  });
});

describe('signals', () => {
  it('SIGINT while push waits for a stdin line → exit 130 at once', async () => {
    const pull = track(new zmq.Pull({ linger: 0 }));
    await pull.bind(ANY);
    const c = cli(['push', '--connect', pull.lastEndpoint!]);
    c.child.stdin!.write('first\n');
    expect(texts(await receiveWithin(pull))).toEqual(['first']);
    c.kill('SIGINT');
    expect(await c.exit(5000)).toBe(130);
  });

  it('SIGTERM while sub waits for a message → exit 143', async () => {
    const c = cli(['sub', '--bind', ANY], { stdin: 'ignore' });
    await c.bound();
    c.kill('SIGTERM');
    expect(await c.exit(5000)).toBe(143);
  });
});

describe('sub', () => {
  it('prints only the subscribed topics from a libzmq PUB, multipart as one JSON array, then exits at --count', async () => {
    const pub = track(new zmq.Publisher({ linger: 0 }));
    await pub.bind(ANY);
    const c = cli(['sub', '--connect', pub.lastEndpoint!, '--topic', 'weather.', '--topic', 'news.', '--count', '3', '--format', 'json', '--timeout', '10000'], { stdin: 'ignore' });
    // Publish until the subscriber has what it needs (a SUB joins late: slow joiner).
    let i = 0;
    const exit = c.exit(15_000);
    let exited = false;
    void exit.then(() => (exited = true), () => (exited = true));
    while (!exited) {
      await pub.send(['sports.football', `goal ${i}`]);
      await pub.send(['weather.paris', `${i}C`]);
      await pub.send([`news.${i}`, Buffer.from([0xff, 0xfe])]);
      i++;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await exit).toBe(0);
    expect(c.lines).toHaveLength(3);
    for (const line of c.lines) {
      const frames = JSON.parse(line) as unknown[];
      expect(frames).toHaveLength(2);
      const topic = frames[0] as string;
      expect(topic).toMatch(/^(weather|news)\./);
      if (topic.startsWith('news.')) expect(frames[1]).toEqual({ base64: Buffer.from([0xff, 0xfe]).toString('base64') });
      else expect(frames[1]).toMatch(/^\d+C$/);
    }
  });

  it('text and hex formats', async () => {
    const pub = track(new zmq.Publisher({ linger: 0 }));
    await pub.bind(ANY);
    const textSub = cli(['sub', '-c', pub.lastEndpoint!, '-n', '1', '-t', '10000'], { stdin: 'ignore' });
    const hexSub = cli(['sub', '-c', pub.lastEndpoint!, '-n', '1', '-t', '10000', '-f', 'hex'], { stdin: 'ignore' });
    let done = false;
    const both = Promise.all([textSub.exit(15_000), hexSub.exit(15_000)]).finally(() => (done = true));
    while (!done) {
      await pub.send(['t', Buffer.from([0, 1]), 'héllo']);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await both).toEqual([0, 0]);
    expect(textSub.lines).toEqual(['t | 0x0001 | héllo']);
    expect(hexSub.lines).toEqual([`74 | 0001 | ${Buffer.from('héllo').toString('hex')}`]);
  });
});

describe('req and rep', () => {
  it('rep --echo answers a libzmq REQ and prints each request', async () => {
    const c = cli(['rep', '--bind', ANY, '--echo', '--count', '2', '--timeout', '10000'], { stdin: 'ignore' });
    const ep = await c.bound();
    const req = track(new zmq.Request({ linger: 0 }));
    req.connect(ep);
    await req.send(['ping', 'two frames']);
    expect(texts(await receiveWithin(req))).toEqual(['ping', 'two frames']);
    await req.send('again');
    expect(texts(await receiveWithin(req))).toEqual(['again']);
    expect(await c.exit()).toBe(0);
    expect(c.lines).toEqual(['ping | two frames', 'again']);
  });

  it('rep answers with the next stdin line', async () => {
    const c = cli(['rep', '--bind', ANY, '--timeout', '10000'], { input: 'first answer\nsecond answer\n' });
    const ep = await c.bound();
    const req = track(new zmq.Request({ linger: 0 }));
    req.connect(ep);
    await req.send('q1');
    expect(texts(await receiveWithin(req))).toEqual(['first answer']);
    await req.send('q2');
    expect(texts(await receiveWithin(req))).toEqual(['second answer']);
    await req.send('q3'); // no input left: rep exits after printing it
    expect(await c.exit()).toBe(0);
    expect(c.lines).toEqual(['q1', 'q2', 'q3']);
  });

  it('req sends each line to a libzmq REP and prints the replies', async () => {
    const rep = track(new zmq.Reply({ linger: 0 }));
    await rep.bind(ANY);
    void (async () => {
      for await (const [msg] of rep) await rep.send(`re:${msg!.toString()}`);
    })().catch(() => {});
    const r = await run(['req', '--connect', rep.lastEndpoint!, '--timeout', '5000'], 'one\ntwo\n');
    expect(r).toMatchObject({ code: 0, lines: ['re:one', 're:two'] });
  });

  it('req --timeout with a silent peer → exit 1', async () => {
    const rep = track(new zmq.Reply({ linger: 0 }));
    await rep.bind(ANY);
    const r = await run(['req', '--connect', rep.lastEndpoint!, '-m', 'anyone?', '--timeout', '300']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/timed out after 300 ms/);
  });
});

describe('dealer and router', () => {
  it('router prints [routing id | body] from a libzmq DEALER and answers it with --separator', async () => {
    const c = cli(['router', '--bind', ANY, '--separator', '|', '--count', '2', '--timeout', '10000']);
    const ep = await c.bound();
    const dealer = track(new zmq.Dealer({ linger: 0, routingId: 'peer-1' }));
    dealer.connect(ep);
    await dealer.send('hello router');
    await c.waitFor(/peer-1 \| hello router/, 10_000, 'stdout');
    c.child.stdin!.end('peer-1|hello dealer\n');
    expect(texts(await receiveWithin(dealer))).toEqual(['hello dealer']);
    await dealer.send(['bye', '']);
    expect(await c.exit()).toBe(0);
    expect(c.lines).toEqual(['peer-1 | hello router', 'peer-1 | bye | ']);
  });
});

describe('dealer, pair, xpub', () => {
  it('dealer sends its --message to a libzmq ROUTER and prints the answer', async () => {
    const router = track(new zmq.Router({ linger: 0 }));
    await router.bind(ANY);
    void (async () => {
      for await (const [id, ...frames] of router) await router.send([id!, 'answer', ...frames]);
    })().catch(() => {});
    const r = await run(['dealer', '--connect', router.lastEndpoint!, '-m', 'question', '--count', '1', '--timeout', '5000']);
    expect(r).toMatchObject({ code: 0, lines: ['answer | question'] });
  });

  it('pair: stdin lines out, messages in', async () => {
    const pair = track(new zmq.Pair({ linger: 0 }));
    await pair.bind(ANY);
    const c = cli(['pair', '--connect', pair.lastEndpoint!, '--count', '1', '--timeout', '10000'], { input: 'from cli\n' });
    expect(texts(await receiveWithin(pair))).toEqual(['from cli']);
    await pair.send(['from', 'libzmq']);
    expect(await c.exit()).toBe(0);
    expect(c.lines).toEqual(['from | libzmq']);
  });

  it('xpub prints the subscription messages of a libzmq SUB', async () => {
    const c = cli(['xpub', '--bind', ANY, '--count', '2', '--format', 'hex', '--timeout', '10000'], { stdin: 'ignore' });
    const sub = track(new zmq.Subscriber({ linger: 0 }));
    sub.connect(await c.bound());
    sub.subscribe('abc');
    await c.waitFor(/01616263/, 10_000, 'stdout');
    sub.unsubscribe('abc');
    expect(await c.exit()).toBe(0);
    expect(c.lines).toEqual(['01616263', '00616263']);
  });
});

describe('security', () => {
  it('keygen prints Z85 keys that decode to 32 bytes and libzmq accepts as CURVE keys', async () => {
    const server = await run(['keygen', '--json']);
    const client = await run(['keygen']);
    expect(server.code).toBe(0);
    expect(client.code).toBe(0);
    const s = JSON.parse(server.stdout) as { publicKey: string; secretKey: string };
    const [, cPub, cSec] = /^public-key: (\S{40})\nsecret-key: (\S{40})\n$/.exec(client.stdout) ?? [];
    expect(cPub, client.stdout).toBeDefined();
    for (const k of [s.publicKey, s.secretKey, cPub!, cSec!]) expect(z85Decode(k)).toHaveLength(32);
    // The public key belongs to the secret key (keygen --secret derives it again).
    expect((await run(['keygen', '--secret', s.secretKey])).stdout).toBe(`public-key: ${s.publicKey}\nsecret-key: ${s.secretKey}\n`);
    // libzmq uses them: a CURVE server and client with these keys talk.
    const router = track(new zmq.Router({ linger: 0, curveServer: true, curveSecretKey: s.secretKey }));
    await router.bind(ANY);
    const dealer = track(new zmq.Dealer({ linger: 0, curveServerKey: s.publicKey, curvePublicKey: cPub!, curveSecretKey: cSec! }));
    dealer.connect(router.lastEndpoint!);
    await dealer.send('sealed');
    const [, body] = await receiveWithin(router);
    expect(body!.toString()).toBe('sealed');
  });

  it('a CURVE client from flags talks to a libzmq CURVE server; a wrong server key fails with exit 1', async () => {
    const keys = zmq.curveKeyPair();
    const rep = track(new zmq.Reply({ linger: 0, curveServer: true, curveSecretKey: keys.secretKey }));
    await rep.bind(ANY);
    void (async () => {
      for await (const [msg] of rep) await rep.send(`secure:${msg!.toString()}`);
    })().catch(() => {});
    const ok = await run(['req', '--connect', rep.lastEndpoint!, '--curve-server-key', keys.publicKey, '-m', 'hi', '--timeout', '5000']);
    expect(ok, ok.stderr).toMatchObject({ code: 0, lines: ['secure:hi'] });
    expect(ok.stderr).toMatch(/CURVE client key \(fresh\): \S{40}/);
    const client = zmq.curveKeyPair();
    const withKeys = await run(['req', '-c', rep.lastEndpoint!, '--curve-server-key', keys.publicKey, '--curve-public-key', client.publicKey, '--curve-secret-key', client.secretKey, '-m', 'hey', '-t', '5000']);
    expect(withKeys).toMatchObject({ code: 0, lines: ['secure:hey'] });
    const wrong = await run(['req', '-c', rep.lastEndpoint!, '--curve-server-key', zmq.curveKeyPair().publicKey, '-m', 'hi', '--timeout', '1500']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/timed out after 1500 ms/);
  });

  it('a CURVE server from flags answers a libzmq CURVE client', async () => {
    const keys = JSON.parse((await run(['keygen', '--json'])).stdout) as { publicKey: string; secretKey: string };
    const c = cli(['rep', '--bind', ANY, '--echo', '--curve-server', '--curve-secret-key', keys.secretKey, '-n', '1', '-t', '10000'], { stdin: 'ignore' });
    const ep = await c.bound();
    const client = zmq.curveKeyPair();
    const req = track(new zmq.Request({ linger: 0, curveServerKey: keys.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }));
    req.connect(ep);
    await req.send('over curve');
    expect(texts(await receiveWithin(req))).toEqual(['over curve']);
    expect(await c.exit()).toBe(0);
  });

  it('PLAIN client and server flags against libzmq', async () => {
    // libzmq's PLAIN server needs a ZAP handler: one that accepts everyone.
    const zap = track(new zmq.Router({ linger: 0 }));
    await zap.bind('inproc://zeromq.zap.01');
    void (async () => {
      for await (const [id, empty, version, requestId] of zap) await zap.send([id!, empty!, version!, requestId!, '200', 'OK', 'user', '']);
    })().catch(() => {});
    const rep = track(new zmq.Reply({ linger: 0, plainServer: true }));
    await rep.bind(ANY);
    void (async () => {
      for await (const [msg] of rep) await rep.send(`plain:${msg!.toString()}`);
    })().catch(() => {});
    const r = await run(['req', '-c', rep.lastEndpoint!, '--plain-user', 'admin', '--plain-password', 'secret', '-m', 'x', '-t', '5000']);
    expect(r).toMatchObject({ code: 0, lines: ['plain:x'] });
    const c = cli(['rep', '--bind', ANY, '--echo', '--plain-server', '--plain-user', 'u', '--plain-password', 'p', '-n', '1', '-t', '10000'], { stdin: 'ignore' });
    const ep = await c.bound();
    const wrong = track(new zmq.Request({ linger: 0, plainUsername: 'u', plainPassword: 'wrong' }));
    const denied = new Promise((resolve) => wrong.events.on('handshake:error:auth', resolve));
    wrong.connect(ep);
    await denied;
    const req = track(new zmq.Request({ linger: 0, plainUsername: 'u', plainPassword: 'p' }));
    req.connect(ep);
    await req.send('via plain');
    expect(texts(await receiveWithin(req))).toEqual(['via plain']);
    expect(await c.exit()).toBe(0);
  });
});
