import { describe, expect, it } from 'vitest';
import { AddResult, RemoveResult, SubscriptionIndex } from '../src/trie.js';

const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s) : Buffer.from(s));

function matchAll<V>(index: SubscriptionIndex<V>, topic: Buffer): V[] {
  const out: V[] = [];
  index.match(topic, (v) => out.push(v));
  return out;
}

/** Reference matcher: linear scan over (prefix, holder) pairs. */
function naive(pairs: Array<[Buffer, string]>, topic: Buffer): string[] {
  const out = new Set<string>();
  for (const [p, h] of pairs) if (topic.length >= p.length && topic.subarray(0, p.length).equals(p)) out.add(h);
  return [...out].sort();
}

describe('SubscriptionIndex', () => {
  it('matches by prefix on bytes; the empty prefix matches everything', () => {
    const ix = new SubscriptionIndex<string>();
    expect(ix.add(b('A'), 'x')).toBe(AddResult.NewPrefix);
    expect(ix.add(b('AB'), 'y')).toBe(AddResult.NewPrefix);
    expect(ix.add(b(''), 'z')).toBe(AddResult.NewPrefix);
    expect(matchAll(ix, b('ABC')).sort()).toEqual(['x', 'y', 'z']);
    expect(matchAll(ix, b('A')).sort()).toEqual(['x', 'z']);
    expect(matchAll(ix, b('B'))).toEqual(['z']);
    expect(matchAll(ix, b(''))).toEqual(['z']);
    expect(ix.size).toBe(3);
  });

  it('handles binary prefixes with 0x00 and 0xff bytes', () => {
    const ix = new SubscriptionIndex<string>();
    ix.add(b([0x00]), 'zero');
    ix.add(b([0xff, 0x00, 0x01]), 'ff');
    expect(matchAll(ix, b([0x00, 0x42]))).toEqual(['zero']);
    expect(matchAll(ix, b([0xff, 0x00]))).toEqual([]);
    expect(matchAll(ix, b([0xff, 0x00, 0x01, 0x02]))).toEqual(['ff']);
    expect(ix.matches(b([0x01]))).toBe(false);
    expect(ix.prefixList().map((p) => p.toString('hex')).sort()).toEqual(['00', 'ff0001']);
  });

  it('counts per holder in counted mode: two adds need two removes', () => {
    const ix = new SubscriptionIndex<string>();
    expect(ix.add(b('A'), 's')).toBe(AddResult.NewPrefix);
    expect(ix.add(b('A'), 's')).toBe(AddResult.Duplicate);
    expect(ix.count(b('A'), 's')).toBe(2);
    expect(ix.remove(b('A'), 's')).toBe(RemoveResult.StillHeld);
    expect(ix.matches(b('A1'))).toBe(true);
    expect(ix.remove(b('A'), 's')).toBe(RemoveResult.Last);
    expect(ix.matches(b('A1'))).toBe(false);
    expect(ix.remove(b('A'), 's')).toBe(RemoveResult.NotFound);
    expect(ix.size).toBe(0);
  });

  it('is a set per holder when not counted (libzmq mtrie semantics)', () => {
    const ix = new SubscriptionIndex<string>();
    expect(ix.add(b('A'), 'p', false)).toBe(AddResult.NewPrefix);
    expect(ix.add(b('A'), 'p', false)).toBe(AddResult.Duplicate);
    expect(ix.add(b('A'), 'q', false)).toBe(AddResult.NewHolder);
    expect(ix.remove(b('A'), 'p', false)).toBe(RemoveResult.HolderRemoved);
    expect(ix.remove(b('A'), 'p', false)).toBe(RemoveResult.NotFound);
    expect(ix.remove(b('A'), 'q', false)).toBe(RemoveResult.Last);
    expect(ix.size).toBe(0);
  });

  it('removeHolder reports each prefix and whether it was the last holder', () => {
    const ix = new SubscriptionIndex<string>();
    ix.add(b('A'), 'p');
    ix.add(b('AB'), 'p');
    ix.add(b('AB'), 'q');
    const seen: string[] = [];
    ix.removeHolder('p', (prefix, last) => seen.push(`${prefix.toString()}:${last}`));
    expect(seen.sort()).toEqual(['A:true', 'AB:false']);
    expect(matchAll(ix, b('ABC'))).toEqual(['q']);
    expect(ix.prefixesOf('p')).toEqual([]);
    expect(ix.holderCount).toBe(1);
    ix.removeHolder('q');
    expect(ix.size).toBe(0);
    expect(ix.matches(b('ABC'))).toBe(false);
  });

  it('prunes nodes so removed prefixes leave nothing behind', () => {
    const ix = new SubscriptionIndex<number>();
    ix.add(b('abcdef'), 1);
    ix.add(b('abc'), 2);
    ix.remove(b('abcdef'), 1);
    expect(ix.has(b('abcdef'))).toBe(false);
    expect(ix.has(b('abc'))).toBe(true);
    expect(ix.prefixList().map(String)).toEqual(['abc']);
    ix.remove(b('abc'), 2);
    expect(ix.prefixList()).toEqual([]);
  });

  it('agrees with a linear scan on 10,000 random binary subscriptions across 100 holders', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = [0x00, 0x01, 0x41, 0x42, 0xff];
    const randBytes = (len: number) => Buffer.from(Array.from({ length: len }, () => alphabet[rand(alphabet.length)]!));
    const ix = new SubscriptionIndex<string>();
    const pairs: Array<[Buffer, string]> = [];
    for (let i = 0; i < 10_000; i++) {
      const prefix = randBytes(rand(7));
      const holder = `h${rand(100)}`;
      ix.add(prefix, holder, false);
      if (!pairs.some(([p, h]) => h === holder && p.equals(prefix))) pairs.push([prefix, holder]);
    }
    // Remove a third of them.
    for (let i = 0; i < pairs.length; i += 3) {
      expect(ix.remove(pairs[i]![0], pairs[i]![1], false)).not.toBe(RemoveResult.NotFound);
    }
    const kept = pairs.filter((_, i) => i % 3 !== 0);
    for (let t = 0; t < 500; t++) {
      const topic = randBytes(rand(10));
      const got = [...new Set(matchAll(ix, topic))].sort();
      expect(got).toEqual(naive(kept, topic));
    }
    expect(ix.size).toBe(new Set(kept.map(([p]) => p.toString('hex'))).size);
  });
});
