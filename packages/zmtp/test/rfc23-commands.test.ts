// RFC 23/ZMTP §"Commands", §"The NULL Security Mechanism" (READY metadata) and the ERROR command.
import { describe, expect, it } from 'vitest';
import {
  FLAG_COMMAND,
  decodeCommand,
  decodeErrorReason,
  decodeMetadata,
  encodeCommand,
  encodeError,
  encodeMetadata,
  encodeReady,
} from '../src/index.js';
import { commandBody, expectZmqError, latin1, metadataBytes } from './helpers.js';

describe('command frames', () => {
  it('encodeCommand: COMMAND flag, size, name-size, name, data', () => {
    const f = encodeCommand('HELLO', latin1('ab'));
    expect([...f]).toEqual([FLAG_COMMAND, 8, 5, ...latin1('HELLO'), 0x61, 0x62]);
  });

  it('encodeCommand concatenates data parts and accepts none', () => {
    expect([...encodeCommand('X', [Uint8Array.of(1), Uint8Array.of(2, 3)])]).toEqual([FLAG_COMMAND, 5, 1, 0x58, 1, 2, 3]);
    expect([...encodeCommand('X')]).toEqual([FLAG_COMMAND, 2, 1, 0x58]);
  });

  it('decodeCommand splits name and data; data is a view of the body', () => {
    const body = commandBody('READY', latin1('xyz'));
    const c = decodeCommand(body);
    expect(c.name).toBe('READY');
    expect(c.data.toString('latin1')).toBe('xyz');
    expect(c.data.buffer).toBe(body.buffer);
    expect(c.data.byteOffset).toBe(body.byteOffset + 6);
  });

  it('decodeCommand keeps the name as sent (no case folding) and allows empty data', () => {
    expect(decodeCommand(commandBody('ready'))).toEqual({ name: 'ready', data: Buffer.alloc(0) });
  });

  it('an empty command frame → EPROTO', () => {
    expectZmqError(() => decodeCommand(Buffer.alloc(0)), 'EPROTO', /expected a name-size byte/, /empty/);
  });

  it('name-size 0 → EPROTO', () => {
    expectZmqError(() => decodeCommand(Buffer.from([0, 0x41])), 'EPROTO', /name-size is 0/);
  });

  it('name-size beyond the frame → EPROTO saying how many bytes there are', () => {
    expectZmqError(() => decodeCommand(Buffer.from([6, ...latin1('READY')])), 'EPROTO', /name-size is 6/, /5 bytes after it/);
    expectZmqError(() => decodeCommand(Buffer.from([0xff])), 'EPROTO', /name-size is 255/, /0 bytes/);
  });
});

describe('READY metadata', () => {
  it('encodeMetadata layout: name-size, name, 4-byte big-endian value-size, value', () => {
    const md = encodeMetadata([
      ['Socket-Type', latin1('DEALER')],
      ['Identity', Uint8Array.of()],
    ]);
    expect(md.equals(metadataBytes([['Socket-Type', 'DEALER'], ['Identity', '']]))).toBe(true);
    expect([...md.subarray(0, 20)]).toEqual([11, ...latin1('Socket-Type'), 0, 0, 0, 6, ...latin1('DEAL')]);
  });

  it('uses all 4 value-size bytes for a large value', () => {
    const value = Buffer.alloc(0x01_02_03, 7);
    const md = encodeMetadata([['X', value]]);
    expect([...md.subarray(0, 6)]).toEqual([1, 0x58, 0x00, 0x01, 0x02, 0x03]);
    expect(decodeMetadata(md).get('x')?.equals(value)).toBe(true);
  });

  it('encodeReady → decodeCommand → decodeMetadata roundtrips, with lower-case keys', () => {
    const identity = Uint8Array.of(0x00, 0xff, 0x10);
    const frame = encodeReady([
      ['Socket-Type', latin1('ROUTER')],
      ['Identity', identity],
      ['X-Custom', latin1('hello')],
    ]);
    expect(frame[0]).toBe(FLAG_COMMAND);
    const cmd = decodeCommand(frame.subarray(2));
    expect(cmd.name).toBe('READY');
    const md = decodeMetadata(cmd.data);
    expect([...md.keys()]).toEqual(['socket-type', 'identity', 'x-custom']);
    expect(md.get('socket-type')?.toString()).toBe('ROUTER');
    expect([...md.get('identity')!]).toEqual([0x00, 0xff, 0x10]);
    expect(md.get('x-custom')?.toString()).toBe('hello');
  });

  it.each(['SOCKET-TYPE', 'socket-type', 'Socket-Type', 'sOcKeT-tYpE'])('property name %j is read case-insensitively', (name) => {
    expect(decodeMetadata(metadataBytes([[name, 'PUB']])).get('socket-type')?.toString()).toBe('PUB');
  });

  it('keeps unknown properties and empty values', () => {
    const md = decodeMetadata(metadataBytes([['Resource', 'r1'], ['X-Nothing', ''], ['Socket-Type', 'SUB']]));
    expect(md.get('resource')?.toString()).toBe('r1');
    expect(md.get('x-nothing')?.length).toBe(0);
    expect(md.get('socket-type')?.toString()).toBe('SUB');
  });

  it('a later duplicate (in any case) wins', () => {
    const md = decodeMetadata(metadataBytes([['Socket-Type', 'PUB'], ['SOCKET-TYPE', 'XPUB']]));
    expect(md.size).toBe(1);
    expect(md.get('socket-type')?.toString()).toBe('XPUB');
  });

  it('empty metadata decodes to an empty map', () => {
    expect(decodeMetadata(Buffer.alloc(0)).size).toBe(0);
  });

  it('values are views of the command data (no copy)', () => {
    const data = metadataBytes([['Identity', 'abc']]);
    const v = decodeMetadata(data).get('identity')!;
    expect(v.buffer).toBe(data.buffer);
    expect(v.byteOffset).toBe(data.byteOffset + 1 + 8 + 4);
  });

  it('name-size 0 → EPROTO', () => {
    expectZmqError(() => decodeMetadata(Buffer.from([0, 0, 0, 0, 0])), 'EPROTO', /malformed metadata/, /offset 0/);
  });

  it('name-size beyond the data → EPROTO', () => {
    const ok = metadataBytes([['A', 'b']]);
    expectZmqError(() => decodeMetadata(Buffer.concat([ok, Buffer.from([20, ...latin1('Socket')])])), 'EPROTO', /20-byte name/, `offset ${ok.length}`);
  });

  it('value-size field cut short → EPROTO', () => {
    const full = metadataBytes([['Socket-Type', 'DEALER']]);
    for (let cut = 1 + 11; cut < 1 + 11 + 4; cut++) {
      expectZmqError(() => decodeMetadata(full.subarray(0, cut)), 'EPROTO', /malformed metadata/);
    }
  });

  it('value-size beyond the data → EPROTO, naming the property', () => {
    const full = metadataBytes([['Socket-Type', 'DEALER']]);
    expectZmqError(() => decodeMetadata(full.subarray(0, full.length - 1)), 'EPROTO', /"socket-type"/, /6-byte value/, /only 5 bytes remain/);
    const huge = Buffer.from(full);
    huge.writeUInt32BE(0xffffffff, 12);
    expectZmqError(() => decodeMetadata(huge), 'EPROTO', /4294967295-byte value/);
  });

  it('encodeMetadata rejects empty and over-long names with EINVAL', () => {
    expectZmqError(() => encodeMetadata([['', latin1('x')]]), 'EINVAL', /1-255/, /got 0/);
    expectZmqError(() => encodeMetadata([['N'.repeat(256), latin1('x')]]), 'EINVAL', /got 256/);
  });
});

describe('ERROR', () => {
  it('layout: reason-size then reason', () => {
    const f = encodeError('Invalid socket type');
    expect([...f.subarray(0, 9)]).toEqual([FLAG_COMMAND, 1 + 5 + 1 + 19, 5, ...latin1('ERROR'), 19]);
    const cmd = decodeCommand(f.subarray(2));
    expect(cmd.name).toBe('ERROR');
    expect(decodeErrorReason(cmd.data)).toBe('Invalid socket type');
  });

  it('an empty reason roundtrips', () => {
    expect(decodeErrorReason(decodeCommand(encodeError('').subarray(2)).data)).toBe('');
  });

  it('truncates the reason to 255 bytes', () => {
    const f = encodeError('r'.repeat(400));
    const cmd = decodeCommand(f.subarray(f[0]! & 0x02 ? 9 : 2));
    expect(cmd.data[0]).toBe(255);
    expect(decodeErrorReason(cmd.data)).toBe('r'.repeat(255));
  });

  it('ignores bytes after the reason', () => {
    expect(decodeErrorReason(Buffer.from([2, 0x6f, 0x6b, 0x21]))).toBe('ok');
  });

  it('empty data → EPROTO', () => {
    expectZmqError(() => decodeErrorReason(Buffer.alloc(0)), 'EPROTO', /malformed ERROR/);
  });

  it('reason-size beyond the data → EPROTO', () => {
    expectZmqError(() => decodeErrorReason(Buffer.from([10, 0x61, 0x62])), 'EPROTO', /reason-size is 10/, /2 bytes follow/);
  });
});
