/**
 * Side-effect entry: `import '@monocoque/uring/register'` makes the io_uring transport
 * selectable by name (`MONOCOQUE_TRANSPORT=uring`, `setDefaultTransport('uring')`).
 *
 * The addon is loaded and probed here (this entry is the explicit opt-in). When it
 * cannot load, nothing is registered, node:net stays in place, and one line explaining
 * why is printed to stderr only if `NODE_DEBUG` contains `monocoque` or
 * `MONOCOQUE_DEBUG` is set.
 */
import { debugLog, registerTransport } from '@monocoque/core';
import { loadUring } from './index.js';

const loaded = loadUring();
if (loaded.ok) {
  const transport = loaded.transport;
  registerTransport('uring', () => transport);
} else {
  debugLog(`io_uring transport not registered (${loaded.reason}); using node:net`);
}
