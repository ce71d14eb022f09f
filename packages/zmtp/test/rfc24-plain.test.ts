// RFC 24/ZMTP-PLAIN: HELLO → WELCOME → INITIATE → READY, ERROR on refusal; ZAP (RFC 27) decides.
import { describe, expect, it } from 'vitest';
import { type ZapQuestion, type ZapVerdict, plainMechanism } from '../src/index.js';
import { commandBody, commandFrame, frameBytes, greetingBytes, harness, latin1, metadataBytes, parseOutput, wire } from './helpers.js';

const ok = (userId = 'alice'): ZapVerdict => ({ status: 200, statusText: 'OK', userId, metadata: new Map([['role', latin1('admin')]]) });
const refused = (status: 300 | 400 | 500): ZapVerdict => ({ status, statusText: 'no', userId: '', metadata: new Map() });

/** A ZAP stub: records questions; the test answers them with `answer()`. */
function zapStub() {
  const asked: ZapQuestion[] = [];
  const waiting: Array<(v: ZapVerdict | undefined) => void> = [];
  return {
    asked,
    authenticate: (q: ZapQuestion, done: (v: ZapVerdict | undefined) => void) => {
      asked.push(q);
      waiting.push(done);
    },
    answer: (v: ZapVerdict | undefined) => waiting.shift()!(v),
  };
}

function pair(username: string, password: string) {
  const zap = zapStub();
  const client = harness({ socketType: 'DEALER', identity: latin1('C'), mechanism: plainMechanism({ username, password }) });
  const server = harness({
    socketType: 'ROUTER',
    identity: latin1('S'),
    mechanism: plainMechanism({ server: true }),
    peerAddress: '10.0.0.7',
    zapDomain: 'global',
    authenticate: zap.authenticate,
  });
  const { pump } = wire(client, server);
  client.session.start();
  server.session.start();
  pump();
  return { client, server, zap, pump };
}

describe('RFC 24 PLAIN', () => {
  it('greets as PLAIN with the as-server flag on the server only', () => {
    const { client, server } = pair('alice', 'pw');
    expect(client.written().subarray(12, 17).toString('latin1')).toBe('PLAIN');
    expect(client.written()[32]).toBe(0);
    expect(server.written()[32]).toBe(1);
  });

  it('HELLO carries the credentials as RFC 24 lays them out, and the server asks ZAP with the connection facts', () => {
    const { client, zap } = pair('alice', 'pässword');
    const hello = parseOutput(client.written()).frames[0]!;
    const pw = Buffer.from('pässword', 'utf8');
    expect(hello.body).toEqual(commandBody('HELLO', Buffer.concat([Buffer.from([5]), latin1('alice'), Buffer.from([pw.length]), pw])));
    expect(zap.asked).toHaveLength(1);
    const q = zap.asked[0]!;
    expect({ ...q, identity: Buffer.from(q.identity), credentials: q.credentials.map((c) => Buffer.from(c)) }).toEqual({
      domain: 'global',
      address: '10.0.0.7',
      identity: latin1('S'),
      mechanism: 'PLAIN',
      credentials: [latin1('alice'), pw],
    });
  });

  it('ZAP 200: WELCOME, INITIATE and READY follow; both sides learn the other; the server learns the user id', () => {
    const { client, server, zap, pump } = pair('alice', 'pw');
    expect(server.readies()).toHaveLength(0);
    zap.answer(ok());
    pump();
    const [toClient] = client.readies();
    const [toServer] = server.readies();
    expect(toClient?.socketType).toBe('ROUTER');
    expect(toServer?.socketType).toBe('DEALER');
    expect(toServer?.identity).toEqual(latin1('C'));
    expect(toServer?.userId).toBe('alice');
    expect(toServer?.zapMetadata.get('role')).toEqual(latin1('admin'));
    const names = parseOutput(client.written()).frames.map((f) => f.body.subarray(1, 1 + f.body[0]!).toString('latin1'));
    expect(names).toEqual(['HELLO', 'INITIATE']);
  });

  it('ZAP 400 and 500: the server sends ERROR with the status in libzmq 4.3 spelling; the client reports EACCES with that status', () => {
    for (const status of [400, 500] as const) {
      const { client, server, zap, pump } = pair('alice', 'bad');
      zap.answer(refused(status));
      pump();
      const [serverErr] = server.errors();
      expect(serverErr).toMatchObject({ code: 'EACCES', status });
      expect(server.failures()[0]?.farewell).toBeDefined();
      const last = parseOutput(server.written()).frames.at(-1)!;
      expect(last.body).toEqual(Buffer.concat([latin1('^RROR'), Buffer.from([3]), latin1(String(status))]));
      expect(client.errors()[0]).toMatchObject({ code: 'EACCES', status });
      expect(client.readies()).toHaveLength(0);
    }
  });

  it('ZAP 300: nothing is sent, the server holds the connection (reported at once)', () => {
    const { client, server, zap, pump } = pair('alice', 'pw');
    const before = server.written().length;
    zap.answer(refused(300));
    pump();
    expect(server.errors()[0]).toMatchObject({ code: 'EACCES', status: 300 });
    expect(server.failures()[0]).toEqual({ hold: true });
    expect(server.written().length).toBe(before);
    expect(client.errors()).toEqual([]);
  });

  it('no ZAP handler: the PLAIN server refuses the client', () => {
    const zap = zapStub();
    const server = harness({ socketType: 'ROUTER', mechanism: plainMechanism({ server: true }), authenticate: zap.authenticate });
    server.session.start();
    server.session.feed(Buffer.concat([greetingBytes({ mechanism: 'PLAIN' }), commandFrame('HELLO', Buffer.from([1, 0x61, 1, 0x62]))]));
    const before = server.written().length;
    zap.answer(undefined);
    expect(server.errors()[0]?.code).toBe('EFAULT');
    expect(server.failures()[0]).toBeUndefined(); // no ERROR: the client retries, as against libzmq
    expect(server.written().length).toBe(before);
    expect(server.readies()).toHaveLength(0);
  });

  it('a client accepts the spec spelling of ERROR too, and classifies a non-status reason as a protocol error', () => {
    const client = harness({ socketType: 'DEALER', mechanism: plainMechanism({ username: 'a', password: 'b' }) });
    client.session.start();
    client.session.feed(Buffer.concat([greetingBytes({ mechanism: 'PLAIN', asServer: 1 }), commandFrame('ERROR', Buffer.concat([Buffer.from([3]), latin1('400')]))]));
    expect(client.errors()[0]).toMatchObject({ code: 'EACCES', status: 400 });
    const other = harness({ socketType: 'DEALER', mechanism: plainMechanism({ username: 'a', password: 'b' }) });
    other.session.start();
    other.session.feed(Buffer.concat([greetingBytes({ mechanism: 'PLAIN', asServer: 1 }), commandFrame('ERROR', Buffer.concat([Buffer.from([7]), latin1('go away')]))]));
    expect(other.errors()[0]?.code).toBe('EPROTO');
    expect(other.errors()[0]?.message).toContain('go away');
  });

  it('malformed HELLOs are protocol errors and never reach ZAP', () => {
    for (const data of [Buffer.alloc(0), Buffer.from([5, 0x61]), Buffer.from([1, 0x61, 3, 0x62]), Buffer.from([1, 0x61, 0, 0x62])]) {
      const zap = zapStub();
      const server = harness({ socketType: 'ROUTER', mechanism: plainMechanism({ server: true }), authenticate: zap.authenticate });
      server.session.start();
      server.session.feed(Buffer.concat([greetingBytes({ mechanism: 'PLAIN' }), commandFrame('HELLO', data)]));
      expect(server.errors()[0]?.code, data.toString('hex')).toBe('EPROTO');
      expect(zap.asked).toHaveLength(0);
    }
  });

  it('out-of-order commands are protocol errors: INITIATE before WELCOME, a message frame, a second HELLO while ZAP decides', () => {
    const server = harness({ socketType: 'ROUTER', mechanism: plainMechanism({ server: true }), authenticate: zapStub().authenticate });
    server.session.start();
    server.session.feed(Buffer.concat([greetingBytes({ mechanism: 'PLAIN' }), commandFrame('INITIATE', metadataBytes([['Socket-Type', 'DEALER']]))]));
    expect(server.errors()[0]?.code).toBe('EPROTO');

    const s2 = harness({ socketType: 'ROUTER', mechanism: plainMechanism({ server: true }), authenticate: zapStub().authenticate });
    s2.session.start();
    s2.session.feed(Buffer.concat([greetingBytes({ mechanism: 'PLAIN' }), frameBytes(0, 'data')]));
    expect(s2.errors()[0]?.code).toBe('EPROTO');

    const s3 = harness({ socketType: 'ROUTER', mechanism: plainMechanism({ server: true }), authenticate: zapStub().authenticate });
    s3.session.start();
    const hello = commandFrame('HELLO', Buffer.from([1, 0x61, 1, 0x62]));
    s3.session.feed(Buffer.concat([greetingBytes({ mechanism: 'PLAIN' }), hello, hello]));
    expect(s3.errors()[0]?.code).toBe('EPROTO');
  });

  it('a NULL peer cannot talk to a PLAIN server (mechanism mismatch in the greeting)', () => {
    const server = harness({ socketType: 'ROUTER', mechanism: plainMechanism({ server: true }) });
    server.session.start();
    server.session.feed(greetingBytes({ mechanism: 'NULL' }));
    expect(server.errors()[0]?.code).toMatch(/EPROTO|ENOCOMPATPROTO/);
  });

  it('refuses credentials over 255 bytes when the mechanism is built', () => {
    expect(() => plainMechanism({ username: 'u'.repeat(256), password: '' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => plainMechanism({ username: 'u', password: 'é'.repeat(128) })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
