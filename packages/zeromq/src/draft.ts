/**
 * @monocoque/zeromq/draft — zeromq.js's `zeromq/draft` entry: libzmq 4.3's draft socket
 * types over Monocoque's packages, with zeromq.js's names, numeric types and API
 * (`radio.send(msg, { group })`, `dish.join(...)`, `await dish.receive()` →
 * `[payload, { group }]`).
 *
 * `Datagram` (DGRAM) needs the UDP transport, which Monocoque does not implement: its
 * constructor throws `EPROTONOSUPPORT` rather than giving a socket that can never work.
 */
import { ZmqError } from '@monocoque/core';
import { Dish as MDish, type DishOptions, Radio as MRadio, type RadioOptions } from '@monocoque/radiodish';
import type { Ctor, ReceiveMembers, SendMembers, ZeromqSocket } from './index.js';
import { zeromqSocket } from './socket.js';

/** A RADIO socket (zeromq.js `Radio`): sends to groups. */
export type Radio = ZeromqSocket<MRadio, 14, ReceiveMembers>;
/** A DISH socket (zeromq.js `Dish`): receives the groups it joined. */
export type Dish = ZeromqSocket<MDish, 15, SendMembers>;

/** A RADIO socket (zeromq.js `Radio`). */
export const Radio: Ctor<Radio, RadioOptions> = zeromqSocket(MRadio, 14) as never;
/** A DISH socket (zeromq.js `Dish`). */
export const Dish: Ctor<Dish, DishOptions> = zeromqSocket(MDish, 15) as never;

/**
 * zeromq.js's `Datagram` (DGRAM, type 18). It runs only over UDP, which is not implemented:
 * constructing one throws `EPROTONOSUPPORT`.
 */
export class Datagram {
  constructor() {
    throw new ZmqError('EPROTONOSUPPORT', 'Datagram (DGRAM) sockets need the udp:// transport, which Monocoque does not implement');
  }
}
