/**
 * Monocoque Dealer/Router against real libzmq (npm `zeromq` 6, libzmq 4.3.5) running in a
 * separate process, over TCP and IPC. Every case is in ./suites/dealer-router.suite.ts.
 */
import { afterEach, describe } from 'vitest';
import { dealerRouterSuite } from './suites/dealer-router.suite.js';
import type { Transport } from './helpers/endpoints.js';
import { Scope } from './helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

describe.each<Transport>(['tcp', 'ipc'])('DEALER/ROUTER interop with libzmq (npm zeromq) over %s', (transport) => {
  dealerRouterSuite({ kind: 'zeromq', transport, full: true, scope });
});
