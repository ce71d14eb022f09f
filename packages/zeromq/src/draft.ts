/**
 * @monocoque/zeromq/draft — zeromq.js's `zeromq/draft` entry: libzmq 4.3's draft socket
 * types over Monocoque's packages (`@monocoque/clientserver`, `@monocoque/radiodish`,
 * `@monocoque/scattergather`), with zeromq.js's names, numeric types and API
 * (`server.send(msg, { routingId })`, `radio.send(msg, { group })`, `dish.join(...)`,
 * `receive()` → `[payload, metadata]`).
 *
 * `Datagram` (DGRAM) needs the UDP transport, which Monocoque does not implement: its
 * constructor throws `EPROTONOSUPPORT` rather than giving a socket that can never work.
 */
import { Client as MClient, type ClientOptions, Server as MServer, type ServerOptions } from '@monocoque/clientserver';
import { ZmqError } from '@monocoque/core';
import { Dish as MDish, type DishOptions, Radio as MRadio, type RadioOptions } from '@monocoque/radiodish';
import { Gather as MGather, type GatherOptions, Scatter as MScatter, type ScatterOptions } from '@monocoque/scattergather';
import type { Ctor, ReceiveMembers, SendMembers, ZeromqSocket } from './index.js';
import { zeromqSocket } from './socket.js';

/** A SERVER socket (zeromq.js `Server`): `receive()` → `[payload, { routingId }]`, `send(msg, { routingId })`. */
export type Server = ZeromqSocket<MServer, 12>;
/** A CLIENT socket (zeromq.js `Client`). */
export type Client = ZeromqSocket<MClient, 13>;
/** A GATHER socket (zeromq.js `Gather`): receive only. */
export type Gather = ZeromqSocket<MGather, 16, SendMembers>;
/** A SCATTER socket (zeromq.js `Scatter`): send only. */
export type Scatter = ZeromqSocket<MScatter, 17, ReceiveMembers>;
/** A RADIO socket (zeromq.js `Radio`): sends to groups. */
export type Radio = ZeromqSocket<MRadio, 14, ReceiveMembers>;
/** A DISH socket (zeromq.js `Dish`): receives the groups it joined. */
export type Dish = ZeromqSocket<MDish, 15, SendMembers>;

/** A SERVER socket (zeromq.js `Server`). */
export const Server: Ctor<Server, ServerOptions> = zeromqSocket(MServer, 12, 'Server') as never;
/** A CLIENT socket (zeromq.js `Client`). */
export const Client: Ctor<Client, ClientOptions> = zeromqSocket(MClient, 13, 'Client') as never;
/** A GATHER socket (zeromq.js `Gather`). */
export const Gather: Ctor<Gather, GatherOptions> = zeromqSocket(MGather, 16, 'Gather') as never;
/** A SCATTER socket (zeromq.js `Scatter`). */
export const Scatter: Ctor<Scatter, ScatterOptions> = zeromqSocket(MScatter, 17, 'Scatter') as never;
/** A RADIO socket (zeromq.js `Radio`). */
export const Radio: Ctor<Radio, RadioOptions> = zeromqSocket(MRadio, 14, 'Radio') as never;
/** A DISH socket (zeromq.js `Dish`). */
export const Dish: Ctor<Dish, DishOptions> = zeromqSocket(MDish, 15, 'Dish') as never;

/**
 * zeromq.js's `Datagram` (DGRAM, type 18). It runs only over UDP, which is not implemented:
 * constructing one throws `EPROTONOSUPPORT`.
 */
export class Datagram {
  constructor() {
    throw new ZmqError('EPROTONOSUPPORT', 'Datagram (DGRAM) sockets need the udp:// transport, which Monocoque does not implement');
  }
}
