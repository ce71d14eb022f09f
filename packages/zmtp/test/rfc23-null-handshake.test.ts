// RFC 23/ZMTP §"The NULL Security Mechanism", §"The Socket-Type Property", §"The Identity Property", §"Error Handling".
import { describe, expect, it } from 'vitest';
import {
  FLAG_COMMAND,
  FLAG_MORE,
  type Mechanism,
  SOCKET_TYPES,
  type SocketType,
  ZmqError,
  decodeCommand,
  decodeErrorReason,
  decodeMetadata,
  encodePing,
} from '../src/index.js';
import {
  type Harness,
  commandFrame,
  frameBytes,
  greetingBytes,
  harness,
  latin1,
  parseOutput,
  readyFrame,
  wire,
} from './helpers.js';

/** Compatible pairs, written out from RFC 23 §"The Socket-Type Property" (and RFC 28-31). */
const COMPATIBLE = new Set([
  'REQ-REP', 'REQ-ROUTER', 'REP-REQ', 'REP-DEALER', 'DEALER-REP', 'DEALER-DEALER', 'DEALER-ROUTER',
  'ROUTER-REQ', 'ROUTER-DEALER', 'ROUTER-ROUTER', 'PUB-SUB', 'PUB-XSUB', 'XPUB-SUB', 'XPUB-XSUB',
  'SUB-PUB', 'SUB-XPUB', 'XSUB-PUB', 'XSUB-XPUB', 'PUSH-PULL', 'PULL-PUSH', 'PAIR-PAIR',
  // libzmq 4.3 draft types (mechanism_base.cpp's check_socket_type)
  'SERVER-CLIENT', 'CLIENT-SERVER', 'RADIO-DISH', 'DISH-RADIO', 'SCATTER-GATHER', 'GATHER-SCATTER',
  'DGRAM-DGRAM', 'PEER-PEER', 'CHANNEL-CHANNEL',
]);

/** A session that has started and received `bytes`. */
function fed(socketType: SocketType, ...chunks: Buffer[]): Harness {
  const h = harness({ socketType, identity: latin1('me') });
  h.session.start();
  for (const c of chunks) h.session.feed(c);
  return h;
}

/** Everything a ROUTER (identity R1) sends to a DEALER: greeting + READY. */
function routerBytes(): Buffer {
  const router = harness({ socketType: 'ROUTER', identity: latin1('R1') });
  router.session.start();
  router.session.feed(greetingBytes());
  return router.written();
}

describe('DEALER ↔ ROUTER handshake', () => {
  it('back to back: both sides become ready and learn each other', () => {
    const dealer = harness({ socketType: 'DEALER', identity: latin1('D1') });
    const router = harness({ socketType: 'ROUTER', identity: latin1('R1') });
    const { pump } = wire(dealer, router);
    dealer.session.start();
    router.session.start();
    pump();
    expect(dealer.errors()).toEqual([]);
    expect(router.errors()).toEqual([]);
    const [toRouter] = dealer.readies();
    const [toDealer] = router.readies();
    expect(dealer.readies().length).toBe(1);
    expect(router.readies().length).toBe(1);
    expect(toRouter!.socketType).toBe('ROUTER');
    expect(toRouter!.identity.toString()).toBe('R1');
    expect(toRouter!.minor).toBe(1);
    expect(toDealer!.socketType).toBe('DEALER');
    expect(toDealer!.identity.toString()).toBe('D1');
    expect(dealer.session.isReady && router.session.isReady).toBe(true);
  });

  it('each side writes exactly its greeting then READY(Socket-Type, Identity)', () => {
    const out = routerBytes();
    expect(out.subarray(0, 64).equals(greetingBytes())).toBe(true);
    expect(out.subarray(64).equals(readyFrame([['Socket-Type', 'ROUTER'], ['Identity', 'R1']]))).toBe(true);
  });

  it('writes READY only after the peer greeting is validated', () => {
    const h = fed('DEALER', greetingBytes().subarray(0, 63));
    expect(h.writes.length).toBe(1);
    h.session.feed(greetingBytes().subarray(63));
    expect(h.writes.length).toBe(2);
    expect(decodeCommand(h.writes[1]!.subarray(2)).name).toBe('READY');
  });

  describe('the peer byte stream split at every point', () => {
    const stream = Buffer.concat([routerBytes(), frameBytes(FLAG_MORE, 'head'), frameBytes(0, 'tail')]);
    const reference = fed('DEALER', stream);

    function check(h: Harness, label: string) {
      expect(h.errors(), label).toEqual([]);
      expect(h.readies().length, label).toBe(1);
      const peer = h.readies()[0]!;
      expect([peer.socketType, peer.identity.toString(), peer.minor], label).toEqual(['ROUTER', 'R1', 1]);
      expect(h.frames().map((f) => [f.body.toString(), f.more]), label).toEqual([
        ['head', true],
        ['tail', false],
      ]);
      expect(h.events[0]!.kind, label).toBe('ready');
      expect(h.written().equals(reference.written()), label).toBe(true);
    }

    it('reference (one chunk) is a clean handshake', () => check(reference, 'one chunk'));

    it('every single split point', () => {
      for (let i = 1; i < stream.length; i++) check(fed('DEALER', stream.subarray(0, i), stream.subarray(i)), `split at ${i}`);
    });

    it('every pair of split points', () => {
      for (let i = 1; i < stream.length; i++) {
        for (let j = i + 1; j < stream.length; j++) {
          check(fed('DEALER', stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)), `splits at ${i},${j}`);
        }
      }
    });

    it('byte at a time', () => {
      check(fed('DEALER', ...[...stream].map((b) => Buffer.from([b]))), 'byte at a time');
    });
  });
});

describe('metadata properties', () => {
  it.each(SOCKET_TYPES)('a %s sends Identity only if it is REQ, DEALER or ROUTER', (type) => {
    const h = fed(type, greetingBytes());
    const { frames } = parseOutput(h.written());
    expect(frames.length).toBe(1);
    const cmd = decodeCommand(frames[0]!.body);
    expect(cmd.name).toBe('READY');
    const md = decodeMetadata(cmd.data);
    expect(md.get('socket-type')?.toString()).toBe(type);
    const sends = type === 'REQ' || type === 'DEALER' || type === 'ROUTER';
    expect(md.has('identity')).toBe(sends);
    if (sends) expect(md.get('identity')?.toString()).toBe('me');
  });

  it('an Identity-sending type without an identity option sends an empty Identity', () => {
    const h = harness({ socketType: 'REQ' });
    h.session.start();
    h.session.feed(greetingBytes());
    expect(h.writes[1]!.equals(readyFrame([['Socket-Type', 'REQ'], ['Identity', '']]))).toBe(true);
  });

  it('a peer without Identity is reported with an empty identity', () => {
    const h = fed('DEALER', greetingBytes(), readyFrame([['Socket-Type', 'REP']]));
    expect(h.readies()[0]!.identity.length).toBe(0);
  });

  it('reads Socket-Type case-insensitively and keeps other properties', () => {
    const h = fed('SUB', greetingBytes(), readyFrame([['SOCKET-TYPE', 'PUB'], ['X-Extra', 'v']]));
    expect(h.errors()).toEqual([]);
    const peer = h.readies()[0]!;
    expect(peer.socketType).toBe('PUB');
    expect(peer.metadata.get('x-extra')?.toString()).toBe('v');
  });

  it('missing Socket-Type → EPROTO, no ready', () => {
    const h = fed('DEALER', greetingBytes(), readyFrame([['Identity', 'x']]));
    expect(h.readies()).toEqual([]);
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
    expect(h.errors()[0]!.message).toMatch(/Socket-Type/);
  });

  it('truncated READY metadata → EPROTO', () => {
    const bad = commandFrame('READY', Buffer.concat([Buffer.from([11]), latin1('Socket-Type'), Buffer.from([0, 0, 0, 9]), latin1('ROUTER')]));
    const h = fed('DEALER', greetingBytes(), bad);
    expect(h.readies()).toEqual([]);
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
  });
});

describe('socket-type compatibility', () => {
  it('every pair back to back: compatible pairs get ready, others fail with ENOCOMPATPROTO and send ERROR', () => {
    for (const a of SOCKET_TYPES) {
      for (const b of SOCKET_TYPES) {
        const ha = harness({ socketType: a });
        const hb = harness({ socketType: b });
        const { pump } = wire(ha, hb);
        ha.session.start();
        hb.session.start();
        pump();
        const label = `${a}-${b}`;
        if (COMPATIBLE.has(label)) {
          expect([ha.readies().length, hb.readies().length, ha.errors().length, hb.errors().length], label).toEqual([1, 1, 0, 0]);
        } else {
          expect(ha.readies().length + hb.readies().length, label).toBe(0);
          expect(ha.errors().map((e) => e.code), label).toEqual(['ENOCOMPATPROTO']);
          expect(hb.errors().map((e) => e.code), label).toEqual(['ENOCOMPATPROTO']);
        }
      }
    }
  });

  it('DEALER fed a PUB peer writes an ERROR command and reports ENOCOMPATPROTO', () => {
    const h = fed('DEALER', greetingBytes(), readyFrame([['Socket-Type', 'PUB']]));
    const { frames } = parseOutput(h.written());
    expect(frames.length).toBe(2); // our READY, then ERROR
    expect(frames[1]!.flags).toBe(FLAG_COMMAND);
    const err = decodeCommand(frames[1]!.body);
    expect(err.name).toBe('ERROR');
    expect(decodeErrorReason(err.data).length).toBeGreaterThan(0);
    expect(h.readies()).toEqual([]);
    expect(h.errors().length).toBe(1);
    expect(h.errors()[0]!.code).toBe('ENOCOMPATPROTO');
    expect(h.errors()[0]!.message).toMatch(/DEALER/);
    expect(h.errors()[0]!.message).toMatch(/PUB/);
  });

  it.each(['FOO', ''])('an unknown Socket-Type value %j → ENOCOMPATPROTO', (value) => {
    const h = fed('DEALER', greetingBytes(), readyFrame([['Socket-Type', value]]));
    expect(h.errors().map((e) => e.code)).toEqual(['ENOCOMPATPROTO']);
  });
});

describe('handshake failures', () => {
  it('peer sends ERROR instead of READY → one error (EPROTO under NULL) carrying the reason', () => {
    const reason = Buffer.from('go away');
    const h = fed('DEALER', greetingBytes(), commandFrame('ERROR', Buffer.concat([Buffer.from([reason.length]), reason])));
    expect(h.readies()).toEqual([]);
    expect(h.errors().length).toBe(1);
    // Under NULL an ERROR means the peer refused the connection (e.g. socket type): EPROTO.
    // EACCES is reserved for authentication failures (PLAIN/CURVE/ZAP).
    expect(h.errors()[0]!.code).toBe('EPROTO');
    expect(h.errors()[0]!.message).toMatch(/go away/);
  });

  it('a malformed ERROR during the handshake → EPROTO', () => {
    const h = fed('DEALER', greetingBytes(), commandFrame('ERROR', Buffer.from([50, 0x61])));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
  });

  it('a message frame before the handshake completes → EPROTO', () => {
    const h = fed('DEALER', greetingBytes(), frameBytes(0, 'early'));
    expect(h.readies()).toEqual([]);
    expect(h.frames()).toEqual([]);
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
    expect(h.errors()[0]!.message).toMatch(/expected a command frame/);
  });

  it('a message frame in the same chunk as the greeting → EPROTO', () => {
    const h = fed('DEALER', Buffer.concat([greetingBytes(), frameBytes(0, 'early')]));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
  });

  it('a command other than READY/ERROR during the NULL handshake → EPROTO', () => {
    const h = fed('DEALER', greetingBytes(), encodePing(0));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
    expect(h.errors()[0]!.message).toMatch(/"PING"/);
  });
});

describe('after ready', () => {
  const ready = () => fed('DEALER', greetingBytes(), readyFrame([['Socket-Type', 'ROUTER']]));

  it('delivers message frames with MORE, in order, including empty ones', () => {
    const h = ready();
    h.session.feed(Buffer.concat([frameBytes(FLAG_MORE, ''), frameBytes(FLAG_MORE, 'a'), frameBytes(0, 'bc'), frameBytes(0, Buffer.alloc(300, 7))]));
    expect(h.frames().map((f) => [f.body.length, f.more])).toEqual([
      [0, true],
      [1, true],
      [2, false],
      [300, false],
    ]);
    expect(h.errors()).toEqual([]);
  });

  it('ERROR after the handshake is fatal', () => {
    const h = ready();
    h.session.feed(commandFrame('ERROR', Buffer.from([1, 0x78])));
    expect(h.errors().length).toBe(1);
    expect(h.session.isReady).toBe(false);
  });

  it('a multipart message with a 70000-byte part crosses back-to-back sessions intact', () => {
    const a = harness({ socketType: 'DEALER' });
    const b = harness({ socketType: 'DEALER' });
    const { pump } = wire(a, b);
    a.session.start();
    b.session.start();
    pump();
    const big = Buffer.alloc(70_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    a.writes.push(a.session.encodeFrame(latin1('k'), true), a.session.encodeFrame(big, true), a.session.encodeFrame(latin1('end'), false));
    pump();
    expect(b.errors()).toEqual([]);
    expect(b.frames().map((f) => [f.body.length, f.more])).toEqual([
      [1, true],
      [70_000, true],
      [3, false],
    ]);
    expect(b.frames()[1]!.body.equals(big)).toBe(true);
  });
});

describe('garbage and the dead session', () => {
  it('garbage after the greeting → exactly one error; further input is ignored', () => {
    const h = fed('DEALER', greetingBytes(), Buffer.from([0xf0, 0x01, 0x00]));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
    const writes = h.writes.length;
    expect(() => {
      h.session.feed(Buffer.from('more garbage'));
      h.session.feed(readyFrame([['Socket-Type', 'ROUTER']]));
      h.session.feed(frameBytes(0, 'msg'));
      h.session.feed(Buffer.alloc(0));
      h.session.feed(greetingBytes());
    }).not.toThrow();
    expect(h.events.length).toBe(1);
    expect(h.writes.length).toBe(writes);
  });

  it('an HTTP request instead of a greeting → one EPROTO from its first byte, nothing else', () => {
    const h = fed('DEALER');
    h.session.feed(Buffer.from('G'));
    expect(h.errors().map((e) => e.code)).toEqual(['EPROTO']);
    h.session.feed(Buffer.from('ET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(h.events.length).toBe(1);
    expect(h.writes.length).toBe(1);
  });

  it('a chunk holding READY then garbage: ready, then one error, and frames after the garbage are dropped', () => {
    const h = fed('DEALER', greetingBytes(), Buffer.concat([readyFrame([['Socket-Type', 'ROUTER']]), frameBytes(0, 'ok'), Buffer.from([0x40, 0]), frameBytes(0, 'late')]));
    expect(h.events.map((e) => e.kind)).toEqual(['ready', 'frame', 'error']);
  });

  it('a dead session writes nothing: neither sendCommand nor sendSubscription', () => {
    for (const minor of [0, 1]) {
      const h = fed('SUB', greetingBytes({ minor }), readyFrame([['Socket-Type', 'PUB']]));
      h.session.feed(Buffer.from([0x80, 0]));
      expect(h.errors().length).toBe(1);
      const writes = h.writes.length;
      h.session.sendCommand(encodePing(0));
      h.session.sendSubscription(true, latin1('topic'));
      expect(h.writes.length, `minor ${minor}`).toBe(writes);
    }
  });

  it('close() silences the session without an error', () => {
    const h = fed('DEALER', greetingBytes());
    h.session.close();
    h.session.feed(readyFrame([['Socket-Type', 'ROUTER']]));
    h.session.feed(Buffer.from([0xff]));
    expect(h.events).toEqual([]);
    expect(h.session.isReady).toBe(false);
  });
});

describe('mechanism plug-in contract (RFC 23 §"Authentication and Confidentiality")', () => {
  const noisy: Mechanism = {
    name: 'NULL',
    asServer: false,
    createHandshake: (_ctx, cb) => ({
      start() {},
      receive() {
        cb.fail(new ZmqError('EACCES', 'first'));
        cb.fail(new ZmqError('EPROTO', 'second'));
        cb.send(commandFrame('LATE'));
        cb.ready(new Map([['socket-type', latin1('ROUTER')]]));
      },
    }),
  };

  it('a mechanism that fails twice, then sends and reports ready, yields exactly one error and no writes', () => {
    const h = harness({ socketType: 'DEALER', mechanism: noisy });
    h.session.start();
    h.session.feed(Buffer.concat([greetingBytes(), commandFrame('HELLO')]));
    expect(h.events.map((e) => (e.kind === 'error' ? e.error.message : e.kind))).toEqual(['first']);
    expect(h.writes.length).toBe(1); // our greeting only
    expect(h.session.isReady).toBe(false);
  });
});
