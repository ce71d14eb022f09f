// RFC 37/ZMTP §"PING/PONG" and §"SUBSCRIBE/CANCEL" at session level, with RFC 23 §"Subscriptions" for ZMTP 3.0 peers.
import { describe, expect, it } from 'vitest';
import { FLAG_COMMAND, FLAG_MORE, type SocketType } from '../src/index.js';
import { commandFrame, frameBytes, greetingBytes, harness, latin1, readyFrame, wire } from './helpers.js';

/** A session of `ours` that completed a handshake with a `theirs` peer speaking ZMTP 3.`minor`. */
function readySession(ours: SocketType, theirs: SocketType, minor = 1) {
  const h = harness({ socketType: ours });
  h.session.start();
  h.session.feed(Buffer.concat([greetingBytes({ minor }), readyFrame([['Socket-Type', theirs]])]));
  expect(h.readies().length).toBe(1);
  h.writes.length = 0; // keep only what is written after the handshake
  return h;
}

describe('PING / PONG', () => {
  it('answers PING with a PONG echoing the context, and passes the PING on', () => {
    const h = readySession('DEALER', 'ROUTER');
    h.session.feed(commandFrame('PING', Buffer.from([0x00, 0x64, 0xca, 0xfe, 0x00])));
    expect(h.writes.map((w) => [...w])).toEqual([[FLAG_COMMAND, 8, 4, ...latin1('PONG'), 0xca, 0xfe, 0x00]]);
    expect(h.commands().map((c) => [c.name, [...c.data]])).toEqual([['PING', [0x00, 0x64, 0xca, 0xfe, 0x00]]]);
    expect(h.errors()).toEqual([]);
  });

  it('answers a PING with an empty context and one with a 16-byte context', () => {
    const h = readySession('PUSH', 'PULL');
    const ctx = Buffer.alloc(16, 0x42);
    h.session.feed(Buffer.concat([commandFrame('PING', Buffer.from([0, 0])), commandFrame('PING', Buffer.concat([Buffer.from([0, 1]), ctx]))]));
    expect(h.writes.map((w) => w.toString('hex'))).toEqual([
      commandFrame('PONG').toString('hex'),
      commandFrame('PONG', ctx).toString('hex'),
    ]);
  });

  it('a PING whose context exceeds 16 bytes is fatal (EPROTO) and gets no PONG', () => {
    const h = readySession('DEALER', 'ROUTER');
    h.session.feed(commandFrame('PING', Buffer.alloc(2 + 17)));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
    expect(h.writes).toEqual([]);
  });

  it('a PING split across chunks is answered once', () => {
    const h = readySession('DEALER', 'ROUTER');
    const ping = commandFrame('PING', Buffer.from([0, 5, 1, 2, 3]));
    for (const b of ping) h.session.feed(Buffer.from([b]));
    expect(h.writes.length).toBe(1);
    expect([...h.writes[0]!.subarray(-3)]).toEqual([1, 2, 3]);
  });

  it('PONG is passed on and not answered', () => {
    const h = readySession('DEALER', 'ROUTER');
    h.session.feed(commandFrame('PONG', 'abc'));
    expect(h.commands().map((c) => [c.name, c.data.toString()])).toEqual([['PONG', 'abc']]);
    expect(h.writes).toEqual([]);
  });
});

describe('unknown and subscription commands', () => {
  it('unknown commands are passed on, not fatal; later frames still arrive', () => {
    const h = readySession('DEALER', 'ROUTER');
    h.session.feed(Buffer.concat([commandFrame('JOIN', 'group'), commandFrame('X-WHATEVER'), frameBytes(0, 'after')]));
    expect(h.events.map((e) => e.kind)).toEqual(['ready', 'command', 'command', 'frame']);
    expect(h.commands().map((c) => [c.name, c.data.toString()])).toEqual([
      ['JOIN', 'group'],
      ['X-WHATEVER', ''],
    ]);
    expect(h.writes).toEqual([]);
  });

  it('SUBSCRIBE and CANCEL from a 3.1 peer arrive as commands', () => {
    const h = readySession('XPUB', 'SUB');
    h.session.feed(Buffer.concat([commandFrame('SUBSCRIBE', 'news'), commandFrame('CANCEL', 'news')]));
    expect(h.commands().map((c) => [c.name, c.data.toString()])).toEqual([
      ['SUBSCRIBE', 'news'],
      ['CANCEL', 'news'],
    ]);
  });

  it('legacy 0x01/0x00 subscription messages arrive as ordinary frames (accept both forms)', () => {
    const h = readySession('XPUB', 'SUB', 0);
    h.session.feed(Buffer.concat([frameBytes(0, '\x01news'), frameBytes(0, '\x00news')]));
    expect(h.frames().map((f) => [f.body.toString('latin1'), f.more])).toEqual([
      ['\x01news', false],
      ['\x00news', false],
    ]);
  });

  it('a command with a bad name-size after the handshake is fatal (EPROTO)', () => {
    const h = readySession('DEALER', 'ROUTER');
    h.session.feed(frameBytes(FLAG_COMMAND, Buffer.from([9, 0x41])));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
  });

  it('an empty command frame after the handshake is fatal (EPROTO)', () => {
    const h = readySession('DEALER', 'ROUTER');
    h.session.feed(frameBytes(FLAG_COMMAND, ''));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
  });
});

describe('sendSubscription picks the form the peer understands', () => {
  it('ZMTP 3.1 peer: SUBSCRIBE / CANCEL commands', () => {
    const h = readySession('SUB', 'PUB', 1);
    h.session.sendSubscription(true, latin1('ab'));
    h.session.sendSubscription(false, latin1('ab'));
    h.session.sendSubscription(true, new Uint8Array(0));
    expect(h.writes.map((w) => w.toString('hex'))).toEqual([
      commandFrame('SUBSCRIBE', 'ab').toString('hex'),
      commandFrame('CANCEL', 'ab').toString('hex'),
      commandFrame('SUBSCRIBE').toString('hex'),
    ]);
  });

  it('ZMTP 3.0 peer (hand-crafted 3.0 greeting): 0x01/0x00 + prefix message frames', () => {
    const h = readySession('SUB', 'PUB', 0);
    expect(h.readies()[0]!.minor).toBe(0);
    h.session.sendSubscription(true, latin1('ab'));
    h.session.sendSubscription(false, latin1('ab'));
    h.session.sendSubscription(true, new Uint8Array(0));
    expect(h.writes.map((w) => [...w])).toEqual([
      [0x00, 3, 0x01, 0x61, 0x62],
      [0x00, 3, 0x00, 0x61, 0x62],
      [0x00, 1, 0x01],
    ]);
  });

  it('a peer greeting with major 4 is treated as 3.1 and gets commands', () => {
    const h = harness({ socketType: 'XSUB' });
    h.session.start();
    h.session.feed(Buffer.concat([greetingBytes({ major: 4, minor: 0 }), readyFrame([['Socket-Type', 'XPUB']])]));
    h.writes.length = 0;
    h.session.sendSubscription(true, latin1('t'));
    expect(h.writes.map((w) => w.toString('hex'))).toEqual([commandFrame('SUBSCRIBE', 't').toString('hex')]);
  });

  it('back to back 3.1 sessions: SUB subscribes, PUB receives a SUBSCRIBE command', () => {
    const sub = harness({ socketType: 'SUB' });
    const pub = harness({ socketType: 'PUB' });
    const { pump } = wire(sub, pub);
    sub.session.start();
    pub.session.start();
    pump();
    expect(sub.readies()[0]!.minor).toBe(1);
    sub.session.sendSubscription(true, latin1('x'));
    pump();
    expect(pub.commands().map((c) => [c.name, c.data.toString()])).toEqual([['SUBSCRIBE', 'x']]);
    expect(pub.frames()).toEqual([]);
  });

  it('message frames from a 3.0 peer with MORE are delivered unchanged', () => {
    const h = readySession('DEALER', 'ROUTER', 0);
    h.session.feed(Buffer.concat([frameBytes(FLAG_MORE, 'a'), frameBytes(0, 'b')]));
    expect(h.frames().map((f) => [f.body.toString(), f.more])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });
});
