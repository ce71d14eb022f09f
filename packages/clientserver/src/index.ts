/**
 * @monocoque/clientserver — the draft CLIENT and SERVER sockets of RFC 41/CLIENTSERVER
 * (libzmq 4.3's `ZMQ_CLIENT`/`ZMQ_SERVER`, zeromq.js's `zeromq/draft` `Client`/`Server`).
 * Single-part messages; the SERVER knows each CLIENT by a numeric routing id.
 *
 * ```ts
 * import { Client, Server } from '@monocoque/clientserver';
 * const server = new Server();
 * await server.bind('inproc://cs-demo');
 * const client = new Client();
 * client.connect('inproc://cs-demo');
 * await client.send('ping');
 * const [ping, { routingId }] = await server.receive();
 * await server.send('pong', { routingId });
 * const [pong] = await client.receive();
 * ```
 */
export { Server, type ServerOptions, type ServerRoutingOptions } from './server.js';
export { Client, type ClientOptions } from './client.js';
