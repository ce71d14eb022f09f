/**
 * The core subset of the DEALER/ROUTER interop cases against a second, independent peer:
 * Debian's python3-zmq (pyzmq 24 on the system libzmq 4.3.4). Skipped, with the reason
 * printed, when python3-zmq is not installed (`apt-get install -y python3-zmq`).
 */
import { afterEach, describe } from 'vitest';
import { dealerRouterSuite } from './suites/dealer-router.suite.js';
import { pyzmqAvailability } from './helpers/peer.js';
import type { Transport } from './helpers/endpoints.js';
import { Scope } from './helpers/util.js';

const py = pyzmqAvailability();
if (!py.available) console.warn(`[e2e] skipping pyzmq interop tests: ${py.reason}`);

const scope = new Scope();
afterEach(() => scope.cleanup());

describe.skipIf(!py.available).each<Transport>(['tcp', 'ipc'])(
  'DEALER/ROUTER interop with pyzmq (python3-zmq) over %s',
  (transport) => {
    dealerRouterSuite({ kind: 'pyzmq', transport, full: false, scope });
  },
);
