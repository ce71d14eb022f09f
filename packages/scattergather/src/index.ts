/**
 * @monocoque/scattergather — the draft SCATTER and GATHER sockets of RFC 49/SCATTERGATHER
 * (libzmq 4.3's `ZMQ_SCATTER`/`ZMQ_GATHER`, zeromq.js's `zeromq/draft` `Scatter`/`Gather`):
 * PUSH/PULL for single-part messages.
 *
 * ```ts
 * import { Gather, Scatter } from '@monocoque/scattergather';
 * const gather = new Gather();
 * await gather.bind('inproc://sg-demo');
 * const scatter = new Scatter();
 * scatter.connect('inproc://sg-demo');
 * await scatter.send('task');
 * const [task] = await gather.receive();
 * ```
 */
export { Scatter, type ScatterOptions } from './scatter.js';
export { Gather, type GatherOptions } from './gather.js';
