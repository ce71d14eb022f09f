// RFC 48/RADIO-DISH over ZMTP: a DISH announces groups with JOIN/LEAVE commands whose data is
// the group's bytes (libzmq 4.3: dish_session_t writes "\4JOIN"/"\5LEAVE" + group as a command
// frame to 3.0 and 3.1 peers alike; radio_session_t matches those exact name bytes).
import { describe, expect, it } from 'vitest';
import { FLAG_COMMAND, FLAG_LONG, GROUP_MAX_LENGTH, decodeCommand, encodeJoin, encodeLeave } from '../src/index.js';
import { latin1 } from './helpers.js';

describe('JOIN / LEAVE', () => {
  it('JOIN layout: command flag, size, \\x04JOIN, group bytes', () => {
    expect([...encodeJoin(latin1('weather'))]).toEqual([FLAG_COMMAND, 5 + 7, 4, ...latin1('JOIN'), ...latin1('weather')]);
  });

  it('LEAVE layout: command flag, size, \\x05LEAVE, group bytes', () => {
    expect([...encodeLeave(latin1('tv'))]).toEqual([FLAG_COMMAND, 6 + 2, 5, ...latin1('LEAVE'), ...latin1('tv')]);
  });

  it('the empty group is a bare JOIN', () => {
    expect([...encodeJoin(new Uint8Array(0))]).toEqual([FLAG_COMMAND, 5, 4, ...latin1('JOIN')]);
  });

  it('a group of the longest length (255) needs a long frame header', () => {
    expect(GROUP_MAX_LENGTH).toBe(255);
    const f = encodeLeave(Buffer.alloc(GROUP_MAX_LENGTH, 0x67));
    expect(f[0]).toBe(FLAG_COMMAND | FLAG_LONG);
    expect(f.readBigUInt64BE(1)).toBe(BigInt(6 + 255));
    const cmd = decodeCommand(f.subarray(9));
    expect(cmd.name).toBe('LEAVE');
    expect(cmd.data.equals(Buffer.alloc(255, 0x67))).toBe(true);
  });

  it('decodes back to name and group, binary bytes kept', () => {
    const group = Buffer.from([0, 1, 0xff, 0x80]);
    const cmd = decodeCommand(encodeJoin(group).subarray(2));
    expect(cmd.name).toBe('JOIN');
    expect(cmd.data.equals(group)).toBe(true);
  });
});
