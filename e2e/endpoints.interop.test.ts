/**
 * Endpoint flavours against libzmq in a separate process: IPv6 loopback TCP
 * (`tcp://[::1]:*`, skipped with a printed reason when ::1 is not configured) and Linux
 * abstract IPC (`ipc://@name`).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { getDefaultTransport } from '@monocoque/core';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { spawnZmqPeer } from './helpers/peer.js';
import { abstractIpcEndpoint, ipv6LoopbackAvailable, TCP6_ANY } from './helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope, withTimeout } from './helpers/util.js';
import { recv } from './helpers/ours.js';

const B = (s: string) => Buffer.from(s, 'utf8');
const scope = new Scope();
afterEach(() => scope.cleanup());

/**
 * The names bound in the abstract namespace that start with `name`, as the kernel shows
 * them in /proc/net/unix (`@name`; NUL bytes are shown as `@` too, so a name padded to the
 * full sun_path length shows up as `@name@@@@...`).
 */
function abstractBindings(name: string): string[] {
  return readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[7])
    .filter((p): p is string => typeof p === 'string' && p.startsWith(`@${name}`));
}

const v6 = await ipv6LoopbackAvailable();
if (!v6.ok) console.warn(`[e2e] skipping IPv6 interop tests: ${v6.reason}`);

describe.skipIf(!v6.ok)('IPv6 loopback tcp://[::1]', () => {
  it('our Dealer binds [::1]:*, libzmq ROUTER (ipv6) connects; round trip', async () => {
    const dealer = scope.track(new Dealer({ routingId: 'v6', linger: 0 }));
    await withTimeout(dealer.bind(TCP6_ANY), 5000, 'Dealer.bind [::1]');
    const ep = dealer.lastEndpoint as string;
    expect(ep).toMatch(/^tcp:\/\/\[::1\]:[1-9]\d*$/);

    const peer = await spawnZmqPeer();
    const router = await peer.socket('ROUTER', { ipv6: true, linger: 0 });
    await router.connect(ep);
    const payload = frameOf(256);
    await withTimeout(dealer.send(['six', payload]), 5000, 'Dealer.send');
    assertFramesEqual((await router.receive(1, 5000))[0]!, [B('v6'), B('six'), payload]);
    await router.send(['v6', 'back']);
    assertFramesEqual(await recv(dealer), [B('back')]);
  });

  it('our Router connects to libzmq DEALER bound on [::1]:*; round trip', async () => {
    const peer = await spawnZmqPeer();
    const dealer = await peer.socket('DEALER', { ipv6: true, routingId: 'p6', linger: 0 });
    const ep = await dealer.bind(TCP6_ANY);
    expect(ep).toMatch(/^tcp:\/\/\[::1\]:[1-9]\d*$/);

    const router = scope.track(new Router({ linger: 0 }));
    router.connect(ep);
    await dealer.send(['over v6']);
    assertFramesEqual(await recv(router), [B('p6'), B('over v6')]);
    await withTimeout(router.send(['p6', 'ack']), 5000, 'Router.send');
    assertFramesEqual((await dealer.receive(1, 5000))[0]!, [B('ack')]);
  });
});

// node:net (libuv 1.46 in Node 20) pads abstract names with NULs to the full 108-byte
// sun_path, so libzmq (exact-length names) can never meet it; the io_uring transport creates
// its own sockets with exact lengths. See packages/core/README.md.
const abstractSkip =
  process.platform !== 'linux'
    ? 'abstract sockets are Linux-only'
    : getDefaultTransport().name === 'net'
      ? 'the node:net transport cannot use exact-length abstract names (Node 20 pads them to 108 bytes); run with MONOCOQUE_TRANSPORT=uring'
      : undefined;
if (abstractSkip) console.warn(`[e2e] skipping libzmq abstract-IPC interop: ${abstractSkip}`);

describe.skipIf(abstractSkip !== undefined)('Linux abstract IPC ipc://@name', () => {
  it('our Router binds an abstract name, libzmq DEALER connects; round trip', async () => {
    const ep = abstractIpcEndpoint();
    const router = scope.track(new Router({ linger: 0 }));
    await withTimeout(router.bind(ep), 5000, 'Router.bind abstract');
    expect(router.lastEndpoint).toBe(ep);
    // libzmq binds/connects abstract names with their exact length; a listener bound with
    // the name NUL-padded to 108 bytes is a different address that libzmq cannot reach.
    const name = ep.slice('ipc://@'.length);
    expect(abstractBindings(name), 'kernel view of our abstract listener (/proc/net/unix)').toEqual([`@${name}`]);

    const peer = await spawnZmqPeer();
    const dealer = await peer.socket('DEALER', { routingId: 'abs', linger: 0 });
    await dealer.connect(ep);
    const big = frameOf(1 << 20);
    await dealer.send(['abstract', big]);
    assertFramesEqual(await recv(router, 10_000), [B('abs'), B('abstract'), big]);
    await withTimeout(router.send(['abs', 'ok']), 5000, 'Router.send');
    assertFramesEqual((await dealer.receive(1, 5000))[0]!, [B('ok')]);
  });

  it('our Dealer connects to libzmq ROUTER bound on an abstract name; round trip', async () => {
    const peer = await spawnZmqPeer();
    const router = await peer.socket('ROUTER', { linger: 0 });
    const ep = await router.bind(abstractIpcEndpoint());
    expect(ep).toMatch(/^ipc:\/\/@monocoque-e2e-/);

    const dealer = scope.track(new Dealer({ routingId: 'abs-d', linger: 0 }));
    const retries: string[] = [];
    dealer.events.on('connect:retry', (e: { address: string }) => retries.push(e.address));
    dealer.connect(ep);
    await withTimeout(dealer.send(['to abstract']), 5000, 'Dealer.send').catch((e: Error) => {
      throw new Error(`${e.message}; our Dealer retried connecting ${retries.length} time(s) to ${ep}`);
    });
    assertFramesEqual((await router.receive(1, 5000))[0]!, [B('abs-d'), B('to abstract')]);
    await router.send(['abs-d', 'from abstract']);
    assertFramesEqual(await recv(dealer), [B('from abstract')]);
  });
});
