// RFC 23/ZMTP §"The Greeting" (signature, version, mechanism, as-server, filler) and §"Backwards Interoperability".
import { describe, expect, it } from 'vitest';
import { GREETING_SIZE, GREETING_VERSION_SIZE, ZmqError, checkGreeting, encodeGreeting } from '../src/index.js';
import { expectZmqError, greetingBytes, harness } from './helpers.js';

describe('encodeGreeting layout', () => {
  it('is 64 bytes: signature, version 3.1, NUL-padded mechanism, as-server, zero filler', () => {
    const g = encodeGreeting({ mechanism: 'NULL', asServer: false });
    expect(GREETING_SIZE).toBe(64);
    expect(g.length).toBe(64);
    // signature: 0xFF, 8 padding bytes, 0x7F
    expect(g[0]).toBe(0xff);
    for (let i = 1; i <= 8; i++) expect(g[i], `padding byte ${i}`).toBe(0x00);
    expect(g[9]).toBe(0x7f);
    // version
    expect(g[10]).toBe(3);
    expect(g[11]).toBe(1);
    // mechanism: "NULL" then 16 NULs
    expect(g.subarray(12, 16).toString('latin1')).toBe('NULL');
    for (let i = 16; i < 32; i++) expect(g[i], `mechanism padding byte ${i}`).toBe(0x00);
    // as-server and filler
    expect(g[32]).toBe(0);
    for (let i = 33; i < 64; i++) expect(g[i], `filler byte ${i}`).toBe(0x00);
  });

  it('equals the hand-built reference byte for byte', () => {
    expect(encodeGreeting({ mechanism: 'NULL', asServer: false }).equals(greetingBytes())).toBe(true);
    expect(encodeGreeting({ mechanism: 'PLAIN', asServer: true }).equals(greetingBytes({ mechanism: 'PLAIN', asServer: 1 }))).toBe(true);
  });

  it('sets as-server to exactly 1 for a server', () => {
    expect(encodeGreeting({ mechanism: 'CURVE', asServer: true })[32]).toBe(1);
  });

  it('fills all 20 mechanism bytes for a 20-character name', () => {
    const name = 'ABCDEFGHIJKLMNOPQRST';
    const g = encodeGreeting({ mechanism: name, asServer: false });
    expect(g.subarray(12, 32).toString('latin1')).toBe(name);
    expect(g[32]).toBe(0);
  });

  it.each(['', 'ABCDEFGHIJKLMNOPQRSTU', 'NU LL', 'NULL\u0000', 'NUL\u00e9'])('rejects mechanism name %j with EINVAL', (mechanism) => {
    expectZmqError(() => encodeGreeting({ mechanism, asServer: false }), 'EINVAL', /mechanism/, JSON.stringify(mechanism));
  });
});

describe('checkGreeting on a valid greeting, prefix by prefix', () => {
  const full = greetingBytes();

  it('returns undefined for every prefix of 1..63 bytes and the parsed greeting at 64', () => {
    for (let n = 1; n < 64; n++) {
      expect(checkGreeting(full.subarray(0, n), 'NULL'), `prefix of ${n} bytes`).toBeUndefined();
    }
    expect(checkGreeting(full, 'NULL')).toEqual({ major: 3, minor: 1, mechanism: 'NULL', asServer: false });
  });

  it('ignores the signature padding bytes 1..8 and the filler 33..63', () => {
    const g = greetingBytes();
    g.fill(0xaa, 1, 9);
    g.fill(0x55, 33, 64);
    expect(checkGreeting(g, 'NULL')).toEqual({ major: 3, minor: 1, mechanism: 'NULL', asServer: false });
  });

  it('reports the as-server flag', () => {
    expect(checkGreeting(greetingBytes({ mechanism: 'PLAIN', asServer: 1 }), 'PLAIN')?.asServer).toBe(true);
  });

  it('parses a greeting that sits at an offset inside a larger buffer', () => {
    const outer = Buffer.concat([Buffer.from('xyz'), greetingBytes({ mechanism: 'CURVE' })]);
    expect(checkGreeting(outer.subarray(3), 'CURVE')?.mechanism).toBe('CURVE');
  });

  it('never completes on a truncated greeting', () => {
    expect(checkGreeting(full.subarray(0, 63), 'NULL')).toBeUndefined();
    const s = harness({ socketType: 'DEALER' });
    s.session.start();
    s.session.feed(full.subarray(0, 63));
    expect(s.events).toEqual([]);
    expect(s.writes.length).toBe(1); // only our greeting, no READY
    expect(s.session.peerGreeting).toBeUndefined();
  });
});

describe('checkGreeting rejects malformed greetings early', () => {
  it('wrong first byte: rejected with 1 byte (ZMTP 1.0 or not ZMTP at all)', () => {
    for (const first of [0x00, 0x01, 0x7f, 0xfe, 0x47 /* 'G' of "GET" */]) {
      const err = expectZmqError(() => checkGreeting(Uint8Array.of(first), 'NULL'), 'EPROTO', /expected/, /0xff/, `0x${first.toString(16).padStart(2, '0')}`);
      expect(err).toBeInstanceOf(ZmqError);
    }
  });

  it('ZMTP 1.0 (byte 9 bit 0 clear): rejected with 10 bytes', () => {
    // A 1.0 peer with a long identity: 0xFF, 8-byte length, then flags byte 0x00.
    const g = Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x00]);
    expect(checkGreeting(g.subarray(0, 9), 'NULL')).toBeUndefined();
    expectZmqError(() => checkGreeting(g, 'NULL'), 'EPROTO', /expected 0x7f at offset 9/, /got 0x00/, /1\.0/);
    for (const b9 of [0x7e, 0x02, 0xfe]) {
      const h = greetingBytes().subarray(0, 10);
      h[9] = b9;
      expectZmqError(() => checkGreeting(h, 'NULL'), 'EPROTO', /offset 9/, `got 0x${b9.toString(16).padStart(2, '0')}`);
    }
  });

  it('bad signature byte 9 with bit 0 set: rejected with 10 bytes', () => {
    for (const b9 of [0x01, 0xff, 0x7d]) {
      const h = greetingBytes().subarray(0, 10);
      h[9] = b9;
      expectZmqError(() => checkGreeting(h, 'NULL'), 'EPROTO', /expected/, /0x7f/, `0x${b9.toString(16).padStart(2, '0')}`);
    }
  });

  it.each([
    [0x01, '2.0'],
    [0x00, '1.0'],
  ])('major version %i (ZMTP %s) is rejected as soon as 11 bytes are present', (major, name) => {
    const g = greetingBytes({ major });
    expect(GREETING_VERSION_SIZE).toBe(11);
    expect(checkGreeting(g.subarray(0, 10), 'NULL')).toBeUndefined();
    expectZmqError(() => checkGreeting(g.subarray(0, 11), 'NULL'), 'EPROTO', /expected major version 3/, `got ${major}`, name);
  });

  it('a ZMTP 2.0 peer that sends only its 11-byte signature+revision gets a session error at once', () => {
    const s = harness({ socketType: 'DEALER' });
    s.session.start();
    s.session.feed(greetingBytes({ major: 1 }).subarray(0, 11));
    expect(s.errors().map((e) => e.code)).toEqual(['EPROTO']);
    expect(s.writes.length).toBe(1); // our greeting only
  });

  it.each(['PLAIN', 'CURVE', 'GSSAPI', 'NULLX', 'null', 'NUL'])('mechanism %j when NULL is expected → ENOCOMPATPROTO', (mech) => {
    const g = greetingBytes({ mechanism: mech });
    expectZmqError(() => checkGreeting(g, 'NULL'), 'ENOCOMPATPROTO', /expected NULL/, JSON.stringify(mech));
    // detected once the 20 mechanism bytes are in, before as-server and filler
    expectZmqError(() => checkGreeting(g.subarray(0, 32), 'NULL'), 'ENOCOMPATPROTO');
  });

  it('an all-NUL (empty) mechanism name → ENOCOMPATPROTO', () => {
    const g = greetingBytes();
    g.fill(0, 12, 32);
    expectZmqError(() => checkGreeting(g, 'NULL'), 'ENOCOMPATPROTO', /expected NULL/, '""');
  });

  it('NULL offered when PLAIN is expected → ENOCOMPATPROTO', () => {
    expectZmqError(() => checkGreeting(greetingBytes(), 'PLAIN'), 'ENOCOMPATPROTO', /expected PLAIN/, '"NULL"');
  });

  it.each([17, 20, 31])('non-NUL byte in the mechanism padding at offset %i → EPROTO', (offset) => {
    const g = greetingBytes();
    g[offset] = 0x58;
    expectZmqError(() => checkGreeting(g, 'NULL'), 'EPROTO', /NUL-padded/, /got 0x58/, `offset ${offset}`);
  });

  it.each([2, 0x80, 0xff])('as-server %i → EPROTO once byte 32 is present', (flag) => {
    const g = greetingBytes({ asServer: flag });
    expect(checkGreeting(g.subarray(0, 32), 'NULL')).toBeUndefined();
    expectZmqError(
      () => checkGreeting(g.subarray(0, 33), 'NULL'),
      'EPROTO',
      /expected as-server flag 0 or 1/,
      `got 0x${flag.toString(16).padStart(2, '0')}`,
    );
  });

  it('a session fed a malformed greeting reports the same error once, through `error`', () => {
    const s = harness({ socketType: 'DEALER' });
    s.session.start();
    s.session.feed(greetingBytes({ mechanism: 'PLAIN' }));
    expect(s.errors().length).toBe(1);
    expect(s.errors()[0]!.code).toBe('ENOCOMPATPROTO');
    expect(s.events.length).toBe(1);
  });
});
