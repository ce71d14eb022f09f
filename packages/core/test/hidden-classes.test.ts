// The objects the receive path reads per message keep V8's fast (hidden-class) properties:
// an object literal with an accessor is created in dictionary mode, and a property load
// from it in optimised code is a generic lookup (~4 % of a batched receiver's samples, when
// the socket's host object had a `get isClosed()`).
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { TestSocket, tracker } from './helpers.js';

setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const t = tracker();
afterEach(() => t.closeAll());

describe('hidden classes on the per-message path', () => {
  it('the check itself tells the two modes apart', () => {
    expect(hasFastProperties({ a: 1 })).toBe(true);
    expect(hasFastProperties({ get a() { return 1; }, b: 2 })).toBe(false);
  });

  it("a socket's host (every pipe's owner) has fast properties, one shape for every socket", () => {
    const a = t.add(new TestSocket());
    const b = t.add(new TestSocket({}, 'ROUTER'));
    const hostOf = (s: TestSocket) => (s as unknown as { host: object }).host;
    expect(hasFastProperties(hostOf(a))).toBe(true);
    expect(haveSameMap(hostOf(a), hostOf(b))).toBe(true);
  });
});
