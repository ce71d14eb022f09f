/**
 * The JS ↔ addon contract version: the loader refuses an addon built from other sources
 * (a stale build/ or prebuilds/ after the receive path changed), and the install script
 * rebuilds a prebuilt addon of another version instead of using it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADDON_PROTOCOL, loadNative } from '../src/native.js';

describe('addon protocol', () => {
  it('install.mjs expects the same protocol as the loader', () => {
    const script = readFileSync(new URL('../scripts/install.mjs', import.meta.url), 'utf8');
    const found = /const ADDON_PROTOCOL = (\d+);/.exec(script);
    expect(found, 'ADDON_PROTOCOL in scripts/install.mjs').not.toBeNull();
    expect(Number(found![1])).toBe(ADDON_PROTOCOL);
  });

  it('the addon that loads speaks that protocol and says how its receive region is laid out', () => {
    const loaded = loadNative();
    if (!loaded.ok) {
      console.warn(`[@monocoque/uring] addon unavailable, protocol not checked: ${loaded.reason}`);
      return;
    }
    expect(loaded.binding.PROTOCOL).toBe(ADDON_PROTOCOL);
    expect(loaded.binding.RECV_BUFFER_COUNT).toBeGreaterThan(0);
    expect(loaded.binding.RECV_BUFFER_SIZE).toBeGreaterThan(0);
  });
});
