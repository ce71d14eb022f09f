/**
 * @monocoque/pipeline — the PUSH and PULL sockets (RFC 30/PIPELINE): `Push` distributes
 * messages round-robin over peers that have room and waits (never drops) when none has;
 * `Pull` fair-queues messages from all its peers.
 *
 * ```ts
 * import { Pull, Push } from '@monocoque/pipeline';
 * const pull = new Pull();
 * await pull.bind('tcp://127.0.0.1:5557');
 * const push = new Push();
 * push.connect('tcp://127.0.0.1:5557');
 * await push.send(['job', '1']);
 * const [job, id] = await pull.receive();
 * ```
 */
export { Push, type PushOptions } from './push.js';
export { Pull, type PullOptions } from './pull.js';
