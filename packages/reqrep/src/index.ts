/**
 * @monocoque/reqrep — the REQ and REP sockets (RFC 28/REQREP): `Request` sends requests
 * round-robin and takes each reply from the peer it asked; `Reply` answers requests
 * fair-queued from its peers, restoring each request's envelope (proxy hops included).
 * Both enforce strict send/receive alternation (`EFSM`).
 *
 * ```ts
 * import { Reply, Request } from '@monocoque/reqrep';
 * const rep = new Reply();
 * await rep.bind('tcp://127.0.0.1:5555');
 * const req = new Request();
 * req.connect('tcp://127.0.0.1:5555');
 * await req.send('ping');
 * const [ping] = await rep.receive();
 * await rep.send('pong');
 * const [pong] = await req.receive();
 * ```
 */
export { Request, type RequestOptions } from './request.js';
export { Reply, type ReplyOptions } from './reply.js';
