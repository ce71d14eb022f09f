import { describe, expect, it } from 'vitest';
import { type ZapRequest, ZmqError, hasZapHandler } from '@monocoque/core';
import { z85Encode } from '@monocoque/zmtp';
import {
  type Authenticator,
  type ZapDecision,
  allowAddresses,
  allowNull,
  chain,
  createZapHandler,
  curveAny,
  curveKeys,
  denyAddresses,
  plainPasswords,
  startAuthenticator,
} from '@monocoque/zap';

let nextId = 1;
function request(mechanism: string, credentials: Array<string | Buffer> = [], over: Partial<ZapRequest> = {}): ZapRequest {
  return {
    version: '1.0',
    requestId: `r${nextId++}`,
    domain: '',
    address: '127.0.0.1',
    identity: Buffer.alloc(0),
    mechanism,
    credentials: credentials.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)),
    ...over,
  };
}
const plain = (user: string, password: string, over: Partial<ZapRequest> = {}): ZapRequest => request('PLAIN', [user, password], over);
const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const curve = (key: Buffer, over: Partial<ZapRequest> = {}): ZapRequest => request('CURVE', [key], over);

function expectEinval(f: () => unknown, pattern: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected an EINVAL error').toBeInstanceOf(ZmqError);
  expect((thrown as ZmqError).code).toBe('EINVAL');
  expect((thrown as ZmqError).message).toMatch(pattern);
}

describe('createZapHandler: replies', () => {
  it('echoes the request id and answers version 1.0 for every outcome', async () => {
    const handle = createZapHandler({ plain: { admin: 'secret' } });
    for (const req of [plain('admin', 'secret'), plain('admin', 'nope'), request('NULL'), request('GSSAPI')]) {
      const reply = await handle(req);
      expect(reply.requestId).toBe(req.requestId);
      expect(reply.version).toBe('1.0');
    }
  });

  it('NULL passes when no address rule refuses it, with an empty user id (czmq)', async () => {
    const reply = await createZapHandler({})(request('NULL'));
    expect(reply).toMatchObject({ statusCode: 200, statusText: 'OK', userId: '' });
  });

  it('an unknown mechanism is refused with 400, not 500', async () => {
    const reply = await createZapHandler({ plain: { a: 'b' }, curve: 'any' })(request('GSSAPI', ['principal']));
    expect(reply.statusCode).toBe(400);
    expect(reply.statusText).toMatch(/"GSSAPI" is not supported/);
  });
});

describe('address rules', () => {
  it('allow list: only listed addresses pass, for NULL too; CIDR blocks and IPv4-mapped IPv6 match', async () => {
    const handle = createZapHandler({ addresses: { allow: ['127.0.0.1', '10.1.0.0/16', '::1'] } });
    expect((await handle(request('NULL'))).statusCode).toBe(200);
    expect((await handle(request('NULL', [], { address: '10.1.200.3' }))).statusCode).toBe(200);
    expect((await handle(request('NULL', [], { address: '::ffff:127.0.0.1' }))).statusCode).toBe(200);
    expect((await handle(request('NULL', [], { address: '::1' }))).statusCode).toBe(200);
    const refused = await handle(request('NULL', [], { address: '10.2.0.1' }));
    expect(refused).toMatchObject({ statusCode: 400, userId: '' });
    expect(refused.statusText).toMatch(/"10\.2\.0\.1" is not in the allow list/);
    // IPC peers have no address: an allow list refuses them.
    expect((await handle(request('NULL', [], { address: '' }))).statusCode).toBe(400);
  });

  it('an allowed address still needs the PLAIN password (czmq)', async () => {
    const handle = createZapHandler({ addresses: { allow: ['127.0.0.1'] }, plain: { admin: 'secret' } });
    expect((await handle(plain('admin', 'wrong'))).statusCode).toBe(400);
    expect((await handle(plain('admin', 'secret'))).statusCode).toBe(200);
  });

  it('deny list: listed addresses are refused before any mechanism check; others go on', async () => {
    const handle = createZapHandler({ addresses: { deny: ['192.168.0.0/24'] }, plain: { admin: 'secret' } });
    const denied = await handle(plain('admin', 'secret', { address: '192.168.0.9' }));
    expect(denied.statusCode).toBe(400);
    expect(denied.statusText).toMatch(/in the deny list/);
    expect((await handle(plain('admin', 'secret'))).statusCode).toBe(200);
    expect((await handle(request('NULL', [], { address: '' }))).statusCode).toBe(200);
  });
});

describe('domain', () => {
  it('answers only the configured domains; others are refused with 400', async () => {
    const handle = createZapHandler({ domain: ['global', 'ops'] });
    expect((await handle(request('NULL', [], { domain: 'global' }))).statusCode).toBe(200);
    expect((await handle(request('NULL', [], { domain: 'ops' }))).statusCode).toBe(200);
    const other = await handle(request('NULL', [], { domain: 'other' }));
    expect(other.statusCode).toBe(400);
    expect(other.statusText).toMatch(/"other" is not served/);
    expect((await handle(request('NULL'))).statusCode).toBe(400);
  });
});

describe('PLAIN', () => {
  it('without a plain config every PLAIN client is refused', async () => {
    const reply = await createZapHandler({ curve: 'any' })(plain('admin', 'secret'));
    expect(reply.statusCode).toBe(400);
    expect(reply.statusText).toMatch(/no PLAIN check is configured/);
  });

  it('an account table: right password → 200 with the username as user id; wrong password or user → 400', async () => {
    const handle = createZapHandler({ plain: new Map([['admin', 'secret'], ['bob', '']]) });
    expect(await handle(plain('admin', 'secret'))).toMatchObject({ statusCode: 200, userId: 'admin' });
    expect(await handle(plain('bob', ''))).toMatchObject({ statusCode: 200, userId: 'bob' });
    expect((await handle(plain('admin', 'secre'))).statusCode).toBe(400);
    expect((await handle(plain('admin', 'secret!'))).statusCode).toBe(400);
    expect((await handle(plain('admin', ''))).statusCode).toBe(400);
    expect((await handle(plain('eve', 'secret'))).statusCode).toBe(400);
    expect((await handle(plain('__proto__', ''))).statusCode).toBe(400);
  });

  it('a wrong password is never echoed in the status text', async () => {
    const reply = await createZapHandler({ plain: { admin: 'secret' } })(plain('admin', 'hunter2'));
    expect(reply.statusText).not.toContain('hunter2');
    expect(reply.statusText).not.toContain('secret');
  });

  it('an async check: its user id wins; true defaults to the username; false → 400', async () => {
    const seen: Array<[string, string, string]> = [];
    const handle = createZapHandler({
      plain: async (username, password, req) => {
        seen.push([username, password, req.address]);
        await new Promise((r) => setImmediate(r));
        if (username === 'svc') return { userId: 'service-account', metadata: { role: 'ops' } };
        return password === 'pw';
      },
    });
    expect(await handle(plain('svc', 'x'))).toMatchObject({ statusCode: 200, userId: 'service-account', metadata: { role: 'ops' } });
    expect(await handle(plain('ann', 'pw'))).toMatchObject({ statusCode: 200, userId: 'ann' });
    expect(await handle(plain('ann', 'no'))).toMatchObject({ statusCode: 400, userId: '' });
    expect(seen).toEqual([
      ['svc', 'x', '127.0.0.1'],
      ['ann', 'pw', '127.0.0.1'],
      ['ann', 'no', '127.0.0.1'],
    ]);
  });

  it('a check may answer 300 (temporary failure) or 500', async () => {
    const handle = createZapHandler({ plain: (u) => (u === 'later' ? { status: 300, text: 'directory unreachable' } : { status: 500 }) });
    expect(await handle(plain('later', 'x'))).toMatchObject({ statusCode: 300, statusText: 'directory unreachable', userId: '' });
    expect(await handle(plain('other', 'x'))).toMatchObject({ statusCode: 500, statusText: 'Internal error' });
  });

  it('a check that throws or rejects answers 500 with the reason; the decision carries the error', async () => {
    const decisions: ZapDecision[] = [];
    const handle = createZapHandler(
      {
        plain: async (u) => {
          if (u === 'sync') throw new Error('database gone');
          await Promise.resolve();
          throw new Error('database still gone');
        },
      },
      { onDecision: (d) => decisions.push(d) },
    );
    const a = await handle(plain('sync', 'x'));
    const b = await handle(plain('async', 'x'));
    expect(a).toMatchObject({ statusCode: 500, statusText: 'Internal error: database gone' });
    expect(b).toMatchObject({ statusCode: 500, statusText: 'Internal error: database still gone' });
    expect(decisions.map((d) => (d.error as Error).message)).toEqual(['database gone', 'database still gone']);
  });

  it('a check returning something malformed answers 500 saying what came', async () => {
    const handle = createZapHandler({ plain: () => ({ status: 201 }) as never });
    const reply = await handle(plain('a', 'b'));
    expect(reply.statusCode).toBe(500);
    expect(reply.statusText).toMatch(/expected a verdict status of 200, 300, 400 or 500, got 201/);
    const reply2 = await createZapHandler({ plain: () => 'yes' as never })(plain('a', 'b'));
    expect(reply2.statusCode).toBe(500);
    expect(reply2.statusText).toMatch(/expected the check to return a boolean or a verdict object, got "yes"/);
  });

  it('PLAIN requests with the wrong number of credentials are refused', async () => {
    const reply = await createZapHandler({ plain: () => true })(request('PLAIN', ['only-user']));
    expect(reply.statusCode).toBe(400);
    expect(reply.statusText).toMatch(/expected 2 credentials/);
  });
});

describe('CURVE', () => {
  it('without a curve config every CURVE client is refused', async () => {
    const reply = await createZapHandler({ plain: { a: 'b' } })(curve(KEY_A));
    expect(reply.statusCode).toBe(400);
    expect(reply.statusText).toMatch(/no CURVE check is configured/);
  });

  it("a key list (Z85 or bytes): known keys → 200 with the Z85 key as user id; others → 400", async () => {
    const handle = createZapHandler({ curve: [z85Encode(KEY_A)] });
    expect(await handle(curve(KEY_A))).toMatchObject({ statusCode: 200, userId: z85Encode(KEY_A) });
    expect((await handle(curve(KEY_B))).statusCode).toBe(400);
    const bytes = createZapHandler({ curve: [new Uint8Array(KEY_B)] });
    expect(await bytes(curve(KEY_B))).toMatchObject({ statusCode: 200, userId: z85Encode(KEY_B) });
  });

  it("'any' accepts every key, user id the Z85 key", async () => {
    const handle = createZapHandler({ curve: 'any' });
    expect(await handle(curve(KEY_B))).toMatchObject({ statusCode: 200, userId: z85Encode(KEY_B) });
  });

  it('a check gets the Z85 key and the request', async () => {
    const handle = createZapHandler({ curve: async (key, req) => (key === z85Encode(KEY_A) && req.domain === 'd' ? { userId: 'alice' } : false) });
    expect(await handle(curve(KEY_A, { domain: 'd' }))).toMatchObject({ statusCode: 200, userId: 'alice' });
    expect((await handle(curve(KEY_A))).statusCode).toBe(400);
  });

  it('a credential that is not a 32-byte key is refused', async () => {
    const reply = await createZapHandler({ curve: 'any' })(request('CURVE', [Buffer.alloc(31)]));
    expect(reply.statusCode).toBe(400);
    expect(reply.statusText).toMatch(/expected 1 credential of 32 bytes/);
  });
});

describe('composition', () => {
  it('a list of authenticators runs in order; the first decision wins; nothing decided → 400 (NULL included)', async () => {
    const calls: string[] = [];
    const tag =
      (name: string, result: ReturnType<Authenticator>): Authenticator =>
      () => {
        calls.push(name);
        return result;
      };
    const handle = createZapHandler([tag('a', undefined), tag('b', Promise.resolve(undefined)), chain(tag('c', undefined)), plainPasswords({ u: 'p' })]);
    expect((await handle(plain('u', 'p'))).statusCode).toBe(200);
    expect(calls).toEqual(['a', 'b', 'c']);
    expect((await handle(request('NULL'))).statusCode).toBe(400);
    expect((await createZapHandler([allowNull()])(request('NULL'))).statusCode).toBe(200);
  });

  it('rules compose: deny list + PLAIN table + CURVE any, with `use` running before the mechanism checks', async () => {
    const handle = createZapHandler([
      denyAddresses(['10.0.0.1']),
      (req) => (req.identity.toString() === 'maintenance' ? { status: 300, text: 'maintenance window' } : undefined),
      allowNull(),
      plainPasswords({ admin: 'secret' }),
      curveAny(),
    ]);
    expect((await handle(plain('admin', 'secret', { address: '10.0.0.1' }))).statusCode).toBe(400);
    expect((await handle(plain('admin', 'secret', { identity: Buffer.from('maintenance') }))).statusCode).toBe(300);
    expect((await handle(curve(KEY_A))).statusCode).toBe(200);

    const viaConfig = createZapHandler({ use: [(req) => (req.mechanism === 'NULL' ? false : undefined)], plain: { admin: 'secret' } });
    expect((await viaConfig(request('NULL'))).statusCode).toBe(400);
    expect((await viaConfig(plain('admin', 'secret'))).statusCode).toBe(200);
  });

  it('authenticators are usable on their own', async () => {
    expect(await allowAddresses(['127.0.0.1'])(request('NULL'))).toBeUndefined();
    expect(await curveKeys([KEY_A])(request('NULL'))).toBeUndefined();
    expect(await curveKeys([KEY_A])(curve(KEY_A))).toEqual({ status: 200, userId: z85Encode(KEY_A) });
  });
});

describe('configuration is validated eagerly', () => {
  it('CURVE keys must be 40 Z85 characters or 32 bytes', () => {
    expectEinval(() => createZapHandler({ curve: ['short'] }), /curve: key 0: expected 40 Z85 characters, got 5/);
    expectEinval(() => createZapHandler({ curve: [z85Encode(KEY_A), `${'"'.repeat(40)}`] }), /curve: key 1: not valid Z85/);
    expectEinval(() => createZapHandler({ curve: [new Uint8Array(31)] }), /curve: key 0: expected 32 bytes, got 31/);
    expectEinval(() => createZapHandler({ curve: 'all' as never }), /curve: expected an array of public keys, 'any' or a function, got the string "all"/);
  });

  it('address rules: one list, not both, not empty allow, real IP addresses', () => {
    expectEinval(() => createZapHandler({ addresses: { allow: ['127.0.0.1'], deny: ['10.0.0.1'] } as never }), /either an allow list or a deny list, got both/);
    expectEinval(() => createZapHandler({ addresses: { allow: [] } }), /expected at least one address, got an empty list/);
    expectEinval(() => createZapHandler({ addresses: {} as never }), /got neither/);
    expectEinval(() => createZapHandler({ addresses: { deny: ['localhost'] } }), /expected an IPv4 or IPv6 address or a CIDR block, got "localhost"/);
    expectEinval(() => createZapHandler({ addresses: { allow: ['10.0.0.0/33'] } }), /prefix length 0-32/);
  });

  it('PLAIN tables need string passwords; unknown options and bad domains are named', () => {
    expectEinval(() => createZapHandler({ plain: { admin: 42 } as never }), /expected a string password for user "admin", got number/);
    expectEinval(() => createZapHandler({ plain: ['admin'] as never }), /plain: expected an object or Map/);
    expectEinval(() => createZapHandler({ plian: {} } as never), /unknown option "plian"/);
    expectEinval(() => createZapHandler({ domain: [] }), /domain: expected a string or a non-empty array/);
    expectEinval(() => createZapHandler({ use: [42 as never] }), /use: expected authenticator 0 to be a function, got number/);
  });
});

describe('startAuthenticator', () => {
  it('installs the handler, refuses a second one with EADDRINUSE, and stop() is idempotent', async () => {
    expect(hasZapHandler()).toBe(false);
    const auth = startAuthenticator({ plain: { a: 'b' } });
    expect(hasZapHandler()).toBe(true);
    expect(auth.running).toBe(true);
    let second: unknown;
    try {
      startAuthenticator({});
    } catch (e) {
      second = e;
    }
    expect((second as ZmqError).code).toBe('EADDRINUSE');
    await auth.stop();
    await auth.stop();
    expect(auth.running).toBe(false);
    expect(hasZapHandler()).toBe(false);
    const again = startAuthenticator({});
    await again.stop();
  });

  it('a bad configuration throws EINVAL and installs nothing', () => {
    expectEinval(() => startAuthenticator({ curve: ['nope'] }), /curve: key 0/);
    expect(hasZapHandler()).toBe(false);
  });

  it('emits a decision per answered request and counts them; stop() waits for requests in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const auth = startAuthenticator({
      plain: async () => {
        await gate;
        return true;
      },
    });
    const decisions: ZapDecision[] = [];
    auth.on('decision', (d) => decisions.push(d));
    const req = plain('u', 'p');
    const answer = auth.handler(req);
    let stopped = false;
    const stopping = auth.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await answer).statusCode).toBe(200);
    expect(auth.requests).toBe(1);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.request).toBe(req);
    expect(decisions[0]!.reply).toMatchObject({ requestId: req.requestId, statusCode: 200, userId: 'u' });
  });
});
