// The CURVE mechanism end to end between two in-memory ZmtpSessions: the handshake,
// metadata, messages and commands in MESSAGE boxes, and every forgery failing only the
// session that received it, with nothing forged delivered.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SessionOptions, type ZapVerdict, NULL_MECHANISM, ZmqError, encodePing, encodeSubscribe } from '@monocoque/zmtp';
import { nobleBackend } from '../src/backend/noble.js';
import { loadSodiumBackend } from '../src/backend/sodium.js';
import type { BoxBackend } from '../src/backend/types.js';
import { curveKeyPair, curveMechanism, z85Decode } from '../src/index.js';
import { COOKIE_LIFETIME_MS, createCurveMechanism } from '../src/mechanism.js';
import { type Link, type Side, bodyOf, commandName, cutAt, link, reframe } from './harness.js';

const SERVER = curveKeyPair();
const CLIENT = curveKeyPair();
const OTHER = curveKeyPair();

const serverMechanism = curveMechanism({ server: true, secretKey: SERVER.secretKey });
const clientMechanism = curveMechanism({ serverKey: SERVER.publicKey, publicKey: CLIENT.publicKey, secretKey: CLIENT.secretKey });

function clientOptions(extra: Partial<SessionOptions> = {}): SessionOptions {
  return { socketType: 'DEALER', identity: Buffer.from('client-id'), mechanism: clientMechanism, ...extra };
}

function serverOptions(extra: Partial<SessionOptions> = {}): SessionOptions {
  return { socketType: 'ROUTER', mechanism: serverMechanism, ...extra };
}

async function connected(options: Parameters<typeof link>[2] = {}, c = clientOptions(), s = serverOptions()): Promise<Link> {
  const l = link(c, s, options);
  await l.settle();
  expect(l.client.errors.map((e) => e.error.message)).toEqual([]);
  expect(l.server.errors.map((e) => e.error.message)).toEqual([]);
  expect(l.client.ready).toBeDefined();
  expect(l.server.ready).toBeDefined();
  return l;
}

function expectFailed(side: Side, code: string, pattern: RegExp): ZmqError {
  expect(side.errors).toHaveLength(1);
  const { error } = side.errors[0]!;
  expect(error).toBeInstanceOf(ZmqError);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(pattern);
  return error;
}

const MiB = 1024 * 1024;

describe('CURVE handshake between sessions', () => {
  it('completes and exchanges metadata, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), async (fractions) => {
        const l = await connected({ split: cutAt(fractions) });
        expect(l.server.ready!.socketType).toBe('DEALER');
        expect(l.server.ready!.identity.toString()).toBe('client-id');
        expect(l.client.ready!.socketType).toBe('ROUTER');
        expect(l.server.ready!.userId).toBe('');
        // Greeting names CURVE with the right as-server flags (RFC 25).
        expect(l.client.session.peerGreeting).toMatchObject({ mechanism: 'CURVE', asServer: true });
        expect(l.server.session.peerGreeting).toMatchObject({ mechanism: 'CURVE', asServer: false });
      }),
      { numRuns: 25 },
    );
  });

  it('sends HELLO 200, WELCOME 168, INITIATE 257 + metadata and READY 30 + metadata bytes, as libzmq', async () => {
    const l = await connected();
    const sizes = (side: Side): Array<[string, number]> => side.sent.map((f) => [commandName(f), bodyOf(f).length]);
    expect(sizes(l.client).slice(0, 2)).toEqual([
      ['HELLO', 200],
      ['INITIATE', 257 + 'Socket-Type'.length + 1 + 4 + 'DEALER'.length + 'Identity'.length + 1 + 4 + 'client-id'.length],
    ]);
    expect(sizes(l.server).slice(0, 2)).toEqual([
      ['WELCOME', 168],
      // A ROUTER announces an empty Identity too.
      ['READY', 30 + 'Socket-Type'.length + 1 + 4 + 'ROUTER'.length + 'Identity'.length + 1 + 4],
    ]);
    // HELLO: version 1.0, then 72 bytes of zero padding.
    const hello = bodyOf(l.client.sent[0]!);
    expect([...hello.subarray(6, 8)]).toEqual([1, 0]);
    expect(hello.subarray(8, 80).every((b) => b === 0)).toBe(true);
  });

  it('numbers short nonces as libzmq: client HELLO 1, INITIATE 2, MESSAGE 3…; server READY 1, MESSAGE 2…', async () => {
    const l = await connected();
    l.send(l.client, [Buffer.from('a')]);
    l.send(l.client, [Buffer.from('b')]);
    l.send(l.server, [Buffer.from('c')]);
    await l.settle();
    const nonce = (frame: Buffer, at: number): number => Number(bodyOf(frame).readBigUInt64BE(at));
    const [hello, initiate, m1, m2] = l.client.sent;
    expect([nonce(hello!, 112), nonce(initiate!, 105), nonce(m1!, 8), nonce(m2!, 8)]).toEqual([1, 2, 3, 4]);
    const [, ready, s1] = l.server.sent;
    expect([nonce(ready!, 6), nonce(s1!, 8)]).toEqual([1, 2]);
  });
});

describe('CURVE messages', () => {
  it('round-trips multipart, empty and 1 MiB messages both ways, each frame in its own MESSAGE data frame', async () => {
    const l = await connected({ split: cutAt([0.1, 0.5, 0.77]) });
    const big = Buffer.alloc(MiB);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const messages = [[Buffer.from('one')], [Buffer.from('a'), Buffer.alloc(0), Buffer.from('c')], [Buffer.alloc(0)], [big]];
    const sentBefore = l.client.sent.length;
    for (const m of messages) l.send(l.client, m);
    for (const m of messages) l.send(l.server, m);
    await l.settle();
    const flat = messages.flatMap((m) => m.map((body, i) => ({ body, more: i < m.length - 1 })));
    // Compared with Buffer.equals: a deep equality over 1 MiB is needlessly slow.
    for (const received of [l.server.frames, l.client.frames]) {
      expect(received.map((f) => f.more)).toEqual(flat.map((f) => f.more));
      received.forEach((f, i) => expect(f.body.equals(flat[i]!.body), `frame ${i}`).toBe(true));
    }
    // On the wire: one MESSAGE per frame, outer flags 0 (no MORE, no COMMAND), as libzmq.
    const wire = l.client.sent.slice(sentBefore);
    expect(wire).toHaveLength(flat.length);
    for (const frame of wire) {
      expect(frame[0]! & ~0x02).toBe(0);
      expect(bodyOf(frame).subarray(0, 8).toString('latin1')).toBe('\x07MESSAGE');
    }
    // Nothing in clear: the 1 MiB pattern does not appear on the wire.
    expect(bodyOf(wire.at(-1)!).includes(big.subarray(1000, 1064))).toBe(false);
  });

  it('carries PING/PONG and SUBSCRIBE inside boxes with the COMMAND flag', async () => {
    const l = await connected();
    const before = l.client.sent.length;
    l.client.session.sendCommand(encodePing(1000, Buffer.from('ctx')));
    l.client.session.sendCommand(encodeSubscribe(Buffer.from('topic')));
    await l.settle();
    expect(l.server.commands.map((c) => [c.name, c.data.toString('latin1')])).toEqual([
      ['PING', '\x00\x0actx'],
      ['SUBSCRIBE', 'topic'],
    ]);
    // The server answered PING with PONG, boxed too.
    expect(l.client.commands.map((c) => [c.name, c.data.toString()])).toEqual([['PONG', 'ctx']]);
    for (const frame of [...l.client.sent.slice(before), ...l.server.sent.slice(2)]) {
      expect(frame[0]! & 0x04).toBe(0);
      expect(bodyOf(frame).subarray(0, 8).toString('latin1')).toBe('\x07MESSAGE');
    }
    expect(l.server.frames).toEqual([]);
  });
});

/** Connect, then send `frames` from the client with `tap` on the way to the server. */
async function tampered(tap: (frame: Buffer, index: number) => Buffer[], frames = [Buffer.from('first'), Buffer.from('second')]): Promise<Link> {
  let armed = false;
  const l = await connected({ toServer: (frame, index) => (armed ? tap(frame, index) : [frame]) });
  armed = true;
  for (const f of frames) l.send(l.client, [f]);
  await l.settle();
  return l;
}

describe('CURVE refuses forgeries', () => {
  it('a MESSAGE with any byte flipped (nonce, MAC, flags, body) fails the receiver with EPROTO and delivers nothing', async () => {
    const size = 8 + 8 + 16 + 1 + 5;
    for (let at = 8; at < size; at++) {
      const l = await tampered((frame) => {
        const body = Buffer.from(bodyOf(frame));
        body[at]! ^= 0x40;
        return [reframe(frame, body)];
      });
      expectFailed(l.server, 'EPROTO', at < 16 ? /MESSAGE: the box does not open/ : /MESSAGE: the box does not open \(MAC check failed/);
      expect(l.server.frames).toEqual([]);
      expect(l.client.errors).toEqual([]);
    }
  });

  it('a replayed MESSAGE (same nonce twice) is refused after the first delivery', async () => {
    const l = await tampered((frame) => [frame, frame], [Buffer.from('once')]);
    expect(l.server.frames).toEqual([{ body: Buffer.from('once'), more: false }]);
    expectFailed(l.server, 'EPROTO', /MESSAGE: short nonce 3 after 3 \(replayed or reordered\)/);
  });

  it('reordered MESSAGEs are refused: the older nonce after the newer one', async () => {
    let held: Buffer | undefined;
    const l = await tampered((frame, index) => {
      if (held === undefined) {
        held = frame;
        return [];
      }
      return [frame, held];
    });
    expect(index0(l)).toEqual(['second']);
    expectFailed(l.server, 'EPROTO', /short nonce 3 after 4/);
  });

  it('a MESSAGE with a wrong command name, or too short, is EPROTO', async () => {
    const l1 = await tampered((frame) => {
      const body = Buffer.from(bodyOf(frame));
      body.write('\x07MASSAGE', 0, 'latin1');
      return [reframe(frame, body)];
    });
    expectFailed(l1.server, 'EPROTO', /expected a MESSAGE command after the handshake/);
    const l2 = await tampered((frame) => [reframe(frame, bodyOf(frame).subarray(0, 30))]);
    expectFailed(l2.server, 'EPROTO', /expected at least 33 bytes, got 30/);
    expect([...l1.server.frames, ...l2.server.frames]).toEqual([]);
  });

  it('a client with the wrong server key never gets ready; the server refuses its HELLO', async () => {
    const wrong = curveMechanism({ serverKey: OTHER.publicKey, publicKey: CLIENT.publicKey, secretKey: CLIENT.secretKey });
    const l = link(clientOptions({ mechanism: wrong }), serverOptions());
    await l.settle();
    expectFailed(l.server, 'EPROTO', /HELLO: the signature box does not open \(the client encrypted to another server key/);
    expect(l.server.errors[0]!.failure?.farewell).toBeUndefined();
    expect(l.client.ready).toBeUndefined();
    expect(l.server.ready).toBeUndefined();
    expect(l.server.sent).toEqual([]);
  });

  it('a server that does not hold the secret of serverKey cannot produce a WELCOME the client accepts', async () => {
    // The impostor answers a HELLO it cannot open... it cannot; so feed the client a WELCOME from a real server for another client.
    const a = link(clientOptions(), serverOptions(), { toClient: (frame) => (commandName(frame) === 'WELCOME' ? [] : [frame]) });
    const b = link(clientOptions(), serverOptions(), { toClient: () => [] });
    await a.settle();
    await b.settle();
    const welcomeForB = b.server.sent.find((f) => commandName(f) === 'WELCOME')!;
    a.inject(a.client, welcomeForB);
    expectFailed(a.client, 'EPROTO', /WELCOME: the box does not open/);
    expect(a.client.ready).toBeUndefined();
  });

  it('a truncated INITIATE is EPROTO', async () => {
    for (const keep of [0, 100, 247, 256]) {
      const l = link(clientOptions(), serverOptions(), {
        toServer: (frame) => (commandName(frame) === 'INITIATE' ? [reframe(frame, bodyOf(frame).subarray(0, 9 + keep))] : [frame]),
      });
      await l.settle();
      expectFailed(l.server, 'EPROTO', keep < 248 ? /INITIATE: expected at least 248 bytes after the name, got \d+/ : /INITIATE: the box does not open/);
      expect(l.server.ready).toBeUndefined();
    }
  });

  it('a cookie taken from another connection is refused', async () => {
    let cookieFromA: Buffer | undefined;
    const a = link(clientOptions(), serverOptions(), {
      toServer: (frame) => {
        if (commandName(frame) === 'INITIATE') cookieFromA = Buffer.from(bodyOf(frame).subarray(9, 105));
        return [frame];
      },
    });
    await a.settle();
    expect(a.server.ready).toBeDefined();
    const b = link(clientOptions(), serverOptions(), {
      toServer: (frame) => {
        if (commandName(frame) !== 'INITIATE') return [frame];
        const body = Buffer.from(bodyOf(frame));
        cookieFromA!.copy(body, 9);
        return [reframe(frame, body)];
      },
    });
    await b.settle();
    expectFailed(b.server, 'EPROTO', /INITIATE: the cookie does not open \(not issued on this connection/);
    expect(b.server.ready).toBeUndefined();
  });

  it('a cookie older than the lifetime is refused', async () => {
    let now = 1_000_000;
    const server = createCurveMechanism({ server: true, secretKey: SERVER.secretKey }, { now: () => now });
    const l = link(clientOptions(), serverOptions({ mechanism: server }), {
      toServer: (frame) => {
        if (commandName(frame) === 'INITIATE') now += COOKIE_LIFETIME_MS + 1;
        return [frame];
      },
    });
    await l.settle();
    expectFailed(l.server, 'EPROTO', /INITIATE: the cookie expired \(60001 ms after WELCOME/);
  });

  it('a NULL client against a CURVE server fails the greeting (ENOCOMPATPROTO) on both sides', async () => {
    const l = link(clientOptions({ mechanism: NULL_MECHANISM }), serverOptions());
    await l.settle();
    expectFailed(l.server, 'ENOCOMPATPROTO', /expected CURVE, peer offers "NULL"/);
    expectFailed(l.client, 'ENOCOMPATPROTO', /expected NULL, peer offers "CURVE"/);
    expect(l.server.ready ?? l.client.ready).toBeUndefined();
  });

  it('data after the handshake that is not a MESSAGE box (a command in clear) is EPROTO', async () => {
    const l = await connected();
    l.inject(l.server, Buffer.from([0x04, 5, 4, ...Buffer.from('PING')]));
    expectFailed(l.server, 'EPROTO', /expected a MESSAGE command after the handshake/);
    expect(l.server.commands).toEqual([]);
  });
});

function index0(l: Link): string[] {
  return l.server.frames.map((f) => f.body.toString());
}

describe('CURVE and ZAP', () => {
  function zap(verdict: Partial<ZapVerdict> & { status: ZapVerdict['status'] }) {
    const asked: Array<{ mechanism: string; credentials: readonly Uint8Array[] }> = [];
    const authenticate: SessionOptions['authenticate'] = (question, done) => {
      asked.push({ mechanism: question.mechanism, credentials: question.credentials });
      queueMicrotask(() => done({ statusText: '', userId: '', metadata: new Map(), ...verdict }));
    };
    return { asked, authenticate };
  }

  it('asks ZAP with mechanism CURVE and the client long-term key; 200 admits with its user id', async () => {
    const { asked, authenticate } = zap({ status: 200, userId: 'alice', metadata: new Map([['x-role', Buffer.from('admin')]]) });
    const l = await connected({}, clientOptions(), serverOptions({ authenticate }));
    expect(asked).toHaveLength(1);
    expect(asked[0]!.mechanism).toBe('CURVE');
    expect(asked[0]!.credentials.map((c) => Buffer.from(c))).toEqual([Buffer.from(z85Decode(CLIENT.publicKey))]);
    expect(l.server.ready!.userId).toBe('alice');
    expect(l.server.ready!.zapMetadata.get('x-role')?.toString()).toBe('admin');
  });

  it('400: the server sends ERROR "400" in clear and fails with EACCES; the client fails with EACCES status 400', async () => {
    const { authenticate } = zap({ status: 400, statusText: 'no' });
    const l = link(clientOptions(), serverOptions({ authenticate }));
    await l.settle();
    const serverError = expectFailed(l.server, 'EACCES', /refused the CURVE client with status 400 \(no\)/);
    expect(serverError.status).toBe(400);
    const error = l.server.sent.find((f) => commandName(f) === 'ERROR')!;
    expect(bodyOf(error).toString('latin1')).toBe('\x05ERROR\x03400');
    const clientError = expectFailed(l.client, 'EACCES', /CURVE server refused us \(ERROR "400"\)/);
    expect(clientError.status).toBe(400);
    expect(l.client.ready).toBeUndefined();
  });

  it('300: the server fails with EACCES and holds the connection, sending nothing', async () => {
    const { authenticate } = zap({ status: 300 });
    const l = link(clientOptions(), serverOptions({ authenticate }));
    await l.settle();
    expectFailed(l.server, 'EACCES', /status 300/);
    expect(l.server.errors[0]!.failure).toEqual({ hold: true });
    expect(l.server.sent.map(commandName)).toEqual(['WELCOME']);
    expect(l.client.errors).toEqual([]);
    expect(l.client.ready).toBeUndefined();
  });

  it('no handler installed: the client is accepted (libzmq default)', async () => {
    const l = await connected();
    expect(l.server.ready!.userId).toBe('');
  });
});

describe('curveMechanism options', () => {
  it('refuses missing or malformed keys with EINVAL naming them', () => {
    const cases: Array<[Parameters<typeof curveMechanism>[0], RegExp]> = [
      [{ server: true }, /a CURVE server needs secretKey/],
      [{ secretKey: CLIENT.secretKey, serverKey: SERVER.publicKey }, /a CURVE client needs publicKey/],
      [{ secretKey: CLIENT.secretKey, publicKey: CLIENT.publicKey }, /a CURVE client needs serverKey/],
      [{ secretKey: CLIENT.secretKey, publicKey: OTHER.publicKey, serverKey: SERVER.publicKey }, /publicKey is not the public key of secretKey/],
      [{ secretKey: 'short', publicKey: CLIENT.publicKey, serverKey: SERVER.publicKey }, /secretKey: expected a CURVE key/],
      [{ secretKey: CLIENT.secretKey, publicKey: CLIENT.publicKey, serverKey: new Uint8Array(16) }, /serverKey: .*got 16 bytes/],
    ];
    for (const [options, pattern] of cases) {
      expect(() => curveMechanism(options)).toThrow(pattern);
      try {
        curveMechanism(options);
      } catch (error) {
        expect((error as ZmqError).code).toBe('EINVAL');
      }
    }
  });

  it('names itself CURVE with the as-server flag', () => {
    expect(serverMechanism).toMatchObject({ name: 'CURVE', asServer: true });
    expect(clientMechanism).toMatchObject({ name: 'CURVE', asServer: false });
  });
});

describe('CURVE across backends', () => {
  const sodium = (): BoxBackend => {
    const s = loadSodiumBackend();
    if (!s.ok) throw new Error(`sodium-native should load in this workspace: ${s.reason}`);
    return s.backend;
  };
  const combos: Array<[string, () => BoxBackend, () => BoxBackend]> = [
    ['noble client, noble server', () => nobleBackend, () => nobleBackend],
    ['noble client, sodium server', () => nobleBackend, sodium],
    ['sodium client, noble server', sodium, () => nobleBackend],
  ];
  it.each(combos)('%s: handshake and messages', async (_name, clientBackend, serverBackend) => {
    const c = createCurveMechanism({ serverKey: SERVER.publicKey, publicKey: CLIENT.publicKey, secretKey: CLIENT.secretKey }, { backend: clientBackend });
    const s = createCurveMechanism({ server: true, secretKey: SERVER.secretKey }, { backend: serverBackend });
    const l = await connected({}, clientOptions({ mechanism: c }), serverOptions({ mechanism: s }));
    l.send(l.client, [Buffer.from('x'), Buffer.alloc(70_000, 1)]);
    l.send(l.server, [Buffer.from('y')]);
    await l.settle();
    expect(l.server.frames.map((f) => [f.body.length, f.more])).toEqual([
      [1, true],
      [70_000, false],
    ]);
    expect(l.client.frames.map((f) => f.body.toString())).toEqual(['y']);
  });
});
