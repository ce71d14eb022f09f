// Resource behaviour of Monocoque sockets over real loopback connections:
//  a) connect/disconnect cycles leak no handles, fds or heap;
//  b) a slow consumer in another process cannot make our PUSH buffer without bound;
//  c) a PUB keeps a fast subscriber at full rate while a slow one drops, never waiting.
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { bindEndpoint, type Transport } from '../helpers/endpoints.js';
import { nextEvent } from '../helpers/ours.js';
import { Scope, sleep } from '../helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

/** `global.gc`, or one obtained through `--expose-gc` set at run time; undefined if neither works. */
function findGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const fromContext = runInNewContext('gc') as unknown;
    if (typeof fromContext === 'function') return fromContext as () => void;
  } catch {
    /* fall through */
  }
  return undefined;
}
const gc = findGc();

interface Snapshot {
  resources: Map<string, number>;
  fds: number;
  heap: number;
}

async function snapshot(): Promise<Snapshot> {
  // Let closes and timers of the last cycle run out, then collect twice (weak refs, finalizers).
  await sleep(50);
  if (gc) {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
  }
  const resources = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) resources.set(type, (resources.get(type) ?? 0) + 1);
  return { resources, fds: readdirSync('/proc/self/fd').length, heap: process.memoryUsage().heapUsed };
}

function resourceGrowth(before: Snapshot, after: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of new Set([...before.resources.keys(), ...after.resources.keys()])) {
    const d = (after.resources.get(type) ?? 0) - (before.resources.get(type) ?? 0);
    if (d !== 0) out[type] = d;
  }
  return out;
}

describe('resources', () => {
  for (const transport of ['tcp', 'ipc'] as Transport[]) {
    it(`1,000 connect/disconnect cycles of a Dealer on a bound Router (${transport}) leak nothing`, async () => {
      const router = scope.track(new Router({ linger: 0 }));
      await router.bind(bindEndpoint(transport));
      const endpoint = router.lastEndpoint!;
      const dealer = scope.track(new Dealer({ linger: 0, reconnectInterval: 10 }));

      const cycle = async (): Promise<void> => {
        const handshake = nextEvent(dealer, 'handshake', 5000);
        const gone = nextEvent(router, 'disconnect', 5000);
        dealer.connect(endpoint);
        await handshake;
        dealer.disconnect(endpoint);
        await gone; // the Router saw the connection end too
      };

      for (let i = 0; i < 200; i++) await cycle(); // warm-up: lazy allocations, JIT
      const before = await snapshot();
      const started = Date.now();
      for (let i = 0; i < 1000; i++) await cycle();
      const elapsed = Date.now() - started;
      const after = await snapshot();

      const growth = resourceGrowth(before, after);
      const fdDelta = after.fds - before.fds;
      const heapDelta = after.heap - before.heap;
      console.log(
        `${transport}: 1000 cycles in ${elapsed} ms; active resources delta ${JSON.stringify(growth)}; ` +
          `fds ${before.fds} -> ${after.fds}; heap ${(heapDelta / 1024).toFixed(0)} KiB ` +
          (gc ? '(after gc)' : '(gc unavailable: no --expose-gc, generous bound)'),
      );
      for (const [type, d] of Object.entries(growth)) expect(d, `active ${type} handles`).toBeLessThanOrEqual(2);
      expect(fdDelta).toBeLessThanOrEqual(2);
      // 1000 leaked connections of even 1 KiB each would be ~1 MiB.
      expect(heapDelta).toBeLessThan(gc ? 1024 * 1024 : 32 * 1024 * 1024);
    });
  }
});
