// RFC 37/ZMTP §"Version Negotiation": minor version 0x01 announced, peer's minor recorded per connection.
import { describe, expect, it } from 'vitest';
import { checkGreeting, encodeGreeting } from '../src/index.js';
import { greetingBytes, harness, readyFrame } from './helpers.js';

describe('version negotiation in the greeting', () => {
  it('announces ZMTP 3.1 by default and 3.0 on request', () => {
    expect([...encodeGreeting({ mechanism: 'NULL', asServer: false }).subarray(10, 12)]).toEqual([3, 1]);
    expect([...encodeGreeting({ mechanism: 'NULL', asServer: false, minor: 0 }).subarray(10, 12)]).toEqual([3, 0]);
  });

  it('records minor 0 for a ZMTP 3.0 peer and minor 1 for a ZMTP 3.1 peer', () => {
    expect(checkGreeting(greetingBytes({ minor: 0 }), 'NULL')).toEqual({ major: 3, minor: 0, mechanism: 'NULL', asServer: false });
    expect(checkGreeting(greetingBytes({ minor: 1 }), 'NULL')).toEqual({ major: 3, minor: 1, mechanism: 'NULL', asServer: false });
  });

  it.each([4, 5, 0xff])('treats a peer announcing major %i as a ZMTP 3.1 peer', (major) => {
    for (const minor of [0, 1, 7]) {
      const peer = checkGreeting(greetingBytes({ major, minor }), 'NULL');
      expect(peer, `major ${major} minor ${minor}`).toEqual({ major, minor: 1, mechanism: 'NULL', asServer: false });
    }
  });

  it.each([
    [3, 0, 0],
    [3, 1, 1],
    [4, 0, 1],
  ])('a session whose peer greets %i.%i reports peer minor %i in peerGreeting and ready', (major, minor, expected) => {
    const s = harness({ socketType: 'DEALER' });
    s.session.start();
    s.session.feed(greetingBytes({ major, minor }));
    expect(s.session.peerGreeting?.minor).toBe(expected);
    s.session.feed(readyFrame([['Socket-Type', 'ROUTER']]));
    expect(s.readies().map((p) => p.minor)).toEqual([expected]);
    expect(s.session.peer?.minor).toBe(expected);
  });

  it('a session always greets as ZMTP 3.1 (so a 3.0 peer downgrades, not us)', () => {
    const s = harness({ socketType: 'SUB' });
    s.session.start();
    expect(s.writes.length).toBe(1);
    expect(s.writes[0]!.equals(greetingBytes())).toBe(true);
  });
});
