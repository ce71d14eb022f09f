// RFC 37/ZMTP §"The PING and PONG Commands" (ttl in tenths of a second, context ≤ 16 bytes) and §"SUBSCRIBE/CANCEL".
import { describe, expect, it } from 'vitest';
import {
  FLAG_COMMAND,
  MAX_PING_CONTEXT,
  decodeCommand,
  decodePing,
  encodeCancel,
  encodePing,
  encodePong,
  encodeSubscribe,
} from '../src/index.js';
import { expectZmqError, latin1 } from './helpers.js';

const body = (frame: Buffer) => frame.subarray(2);

describe('PING', () => {
  it('layout: name, 2-byte big-endian ttl in tenths of a second, context', () => {
    const f = encodePing(30_000, latin1('ctx'));
    expect([...f]).toEqual([FLAG_COMMAND, 1 + 4 + 2 + 3, 4, ...latin1('PING'), 0x01, 0x2c, ...latin1('ctx')]);
  });

  it('rounds the ttl down to tenths and saturates at 0xffff', () => {
    expect([...encodePing(1299).subarray(7, 9)]).toEqual([0, 12]);
    expect([...encodePing(99).subarray(7, 9)]).toEqual([0, 0]);
    expect([...encodePing(10_000_000).subarray(7, 9)]).toEqual([0xff, 0xff]);
  });

  it('roundtrips ttl (ms) and context', () => {
    const cmd = decodeCommand(body(encodePing(1234, Uint8Array.of(0, 1, 2))));
    expect(cmd.name).toBe('PING');
    const ping = decodePing(cmd.data);
    expect(ping.ttlMs).toBe(1200);
    expect([...ping.context]).toEqual([0, 1, 2]);
  });

  it('accepts an empty context and a 16-byte context', () => {
    expect(MAX_PING_CONTEXT).toBe(16);
    expect(decodePing(Buffer.from([0, 0])).context.length).toBe(0);
    const ctx = Buffer.alloc(16, 0xab);
    expect(decodePing(decodeCommand(body(encodePing(0, ctx))).data).context.equals(ctx)).toBe(true);
  });

  it('encodePing refuses a 17-byte context with EINVAL', () => {
    expectZmqError(() => encodePing(0, new Uint8Array(17)), 'EINVAL', /at most 16 bytes/, /got 17/);
  });

  it('decodePing: context > 16 bytes → EPROTO', () => {
    expectZmqError(() => decodePing(Buffer.alloc(19)), 'EPROTO', /expected 2-18 bytes/, /got 19/);
  });

  it('decodePing: missing ttl → EPROTO', () => {
    expectZmqError(() => decodePing(Buffer.alloc(0)), 'EPROTO', /got 0/);
    expectZmqError(() => decodePing(Buffer.from([1])), 'EPROTO', /got 1/);
  });
});

describe('PONG', () => {
  it('echoes the context byte for byte', () => {
    const ctx = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
    expect([...encodePong(ctx)]).toEqual([FLAG_COMMAND, 1 + 4 + 4, 4, ...latin1('PONG'), 0xde, 0xad, 0xbe, 0xef]);
  });

  it('with an empty context is just the name', () => {
    expect([...encodePong(new Uint8Array(0))]).toEqual([FLAG_COMMAND, 5, 4, ...latin1('PONG')]);
  });
});

describe('SUBSCRIBE / CANCEL', () => {
  it('SUBSCRIBE carries the topic prefix as its data', () => {
    expect([...encodeSubscribe(latin1('weather'))]).toEqual([FLAG_COMMAND, 1 + 9 + 7, 9, ...latin1('SUBSCRIBE'), ...latin1('weather')]);
  });

  it('CANCEL carries the topic prefix as its data', () => {
    expect([...encodeCancel(latin1('w'))]).toEqual([FLAG_COMMAND, 1 + 6 + 1, 6, ...latin1('CANCEL'), 0x77]);
  });

  it('an empty prefix (subscribe to everything) and a binary prefix roundtrip', () => {
    expect(decodeCommand(body(encodeSubscribe(new Uint8Array(0))))).toEqual({ name: 'SUBSCRIBE', data: Buffer.alloc(0) });
    const bin = Uint8Array.of(0, 1, 0xff, 0);
    const c = decodeCommand(body(encodeCancel(bin)));
    expect(c.name).toBe('CANCEL');
    expect([...c.data]).toEqual([0, 1, 0xff, 0]);
  });

  it('a 300-byte prefix uses a long frame that decodes back', () => {
    const prefix = Buffer.alloc(300, 0x61);
    const f = encodeSubscribe(prefix);
    expect(f[0]).toBe(FLAG_COMMAND | 0x02);
    expect(f.readBigUInt64BE(1)).toBe(BigInt(1 + 9 + 300));
    expect(decodeCommand(f.subarray(9)).data.equals(prefix)).toBe(true);
  });
});
