/**
 * @monocoque/zeromq — zeromq.js v6's API on Monocoque. Switching is a change of import:
 *
 * ```ts
 * // import * as zmq from 'zeromq';
 * import * as zmq from '@monocoque/zeromq';
 *
 * const sock = new zmq.Push();
 * await sock.bind('tcp://127.0.0.1:3000');
 * await sock.send('some work');
 * ```
 *
 * Every socket class, `Socket`, `Context`/`context`, `Observer`, `Proxy`, `curveKeyPair`,
 * `version` and `capability` are here under zeromq.js's names; draft sockets are in
 * `@monocoque/zeromq/draft` and the v5 API in `@monocoque/zeromq/v5-compat`. The README
 * lists where behaviour differs (each difference keeps code written for zeromq.js working).
 *
 * This entry loads every standard socket type and CURVE (as zeromq.js does); an application
 * that wants only some of them imports the Monocoque pattern packages directly.
 */
import '@monocoque/curve/register';
import { Socket as CoreSocket, ZmqError } from '@monocoque/core';
import { Dealer as MDealer, type DealerOptions } from '@monocoque/dealer';
import { Pair as MPair, type PairOptions } from '@monocoque/pair';
import { Pull as MPull, type PullOptions, Push as MPush, type PushOptions } from '@monocoque/pipeline';
import {
  Publisher as MPublisher,
  type PublisherOptions,
  Subscriber as MSubscriber,
  type SubscriberOptions,
  XPublisher as MXPublisher,
  type XPublisherOptions,
  XSubscriber as MXSubscriber,
} from '@monocoque/pubsub';
import { Reply as MReply, type ReplyOptions, Request as MRequest, type RequestOptions } from '@monocoque/reqrep';
import { Router as MRouter, type RouterOptions } from '@monocoque/router';
import { Stream as MStream, type StreamOptions } from '@monocoque/stream';
import type { Context } from './context.js';
import { CLASSES, zeromqSocket } from './socket.js';

export { Context, type ContextOptions, context } from './context.js';
export { Observer } from './observer.js';
export { Proxy } from './proxy.js';
export { curveKeyPair } from '@monocoque/curve';
export { ZmqError, isZmqError, type ErrorCode, type SocketEvent as Event, type SocketEventType as EventType, type SocketEventOf as EventOfType } from '@monocoque/core';
export { SOCKET_OPTION_IDS, CONTEXT_OPTION_IDS } from './option-ids.js';
export { toZeromqError, zeromqMessage } from './errors.js';

/** A received message frame (zeromq.js's `Message`). */
export type Message = Buffer;
/** What `send()` accepts per frame (zeromq.js's `MessageLike`); other values are stringified. */
export type MessageLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null;

/**
 * The libzmq version whose behaviour this package reproduces (zeromq.js reports the
 * bundled libzmq's). Monocoque speaks ZMTP 3.1 and interoperates with libzmq 4.x.
 */
export const version = '4.3.5';

/**
 * What this build supports, in zeromq.js's shape: IPC, CURVE and the draft socket types
 * yes; PGM, TIPC, NORM and GSSAPI no.
 */
export const capability: Readonly<Partial<Record<'ipc' | 'pgm' | 'tipc' | 'norm' | 'curve' | 'gssapi' | 'draft', boolean>>> = Object.freeze({
  ipc: true,
  pgm: false,
  tipc: false,
  norm: false,
  curve: true,
  gssapi: false,
  draft: true,
});

/** libzmq's socket type numbers (zeromq.js's `SocketType`, a const enum there). */
export const SocketType = Object.freeze({
  Pair: 0,
  Publisher: 1,
  Subscriber: 2,
  Request: 3,
  Reply: 4,
  Dealer: 5,
  Router: 6,
  Pull: 7,
  Push: 8,
  XPublisher: 9,
  XSubscriber: 10,
  Stream: 11,
  Server: 12,
  Client: 13,
  Radio: 14,
  Dish: 15,
  Gather: 16,
  Scatter: 17,
  Datagram: 18,
} as const);

// ---------------------------------------------------------------------------- typings

/** What every socket of this package has beyond (or instead of) the Monocoque socket's. */
export interface ZeromqSocketMembers<T extends number> {
  /** libzmq's socket type number (`ZMQ_TYPE`). */
  readonly type: T;
  /** The context the socket was created in. */
  readonly context: Context;
  /** Start binding (Node.js cannot listen synchronously: see the README). */
  bindSync(address: string): void;
  /** Start unbinding (see {@link ZeromqSocketMembers.bindSync}). */
  unbindSync(address: string): void;
}

/** Members a send-only socket type lacks in zeromq.js's typings. */
export type ReceiveMembers = 'receive' | 'receiveMany' | typeof Symbol.asyncIterator | 'readable';
/** Members a receive-only socket type lacks in zeromq.js's typings. */
export type SendMembers = 'send' | 'write' | 'flush' | 'writable';

/** A facade socket type: the Monocoque socket `S` with zeromq.js's `type` and without the members its kind lacks. */
export type ZeromqSocket<S, T extends number, Without extends PropertyKey = never> = Omit<S, 'type' | Without> & ZeromqSocketMembers<T>;
/** Constructor options: the Monocoque socket's options plus zeromq.js's `context`. */
export type ZeromqSocketOptions<O> = O & { context?: Context };
/** A facade socket class (for draft.ts and the v5 API). */
export type Ctor<S, O> = new (options?: ZeromqSocketOptions<O>) => S;

/** A PAIR socket (zeromq.js `Pair`). */
export type Pair = ZeromqSocket<MPair, 0>;
/** A PUB socket (zeromq.js `Publisher`): send only. */
export type Publisher = ZeromqSocket<MPublisher, 1, ReceiveMembers>;
/** A SUB socket (zeromq.js `Subscriber`): receive only. */
export type Subscriber = ZeromqSocket<MSubscriber, 2, SendMembers>;
/** A REQ socket (zeromq.js `Request`). */
export type Request = ZeromqSocket<MRequest, 3>;
/** A REP socket (zeromq.js `Reply`). */
export type Reply = ZeromqSocket<MReply, 4>;
/** A DEALER socket (zeromq.js `Dealer`). */
export type Dealer = ZeromqSocket<MDealer, 5>;
/** A ROUTER socket (zeromq.js `Router`). */
export type Router = ZeromqSocket<MRouter, 6>;
/** A PULL socket (zeromq.js `Pull`): receive only. */
export type Pull = ZeromqSocket<MPull, 7, SendMembers>;
/** A PUSH socket (zeromq.js `Push`): send only. */
export type Push = ZeromqSocket<MPush, 8, ReceiveMembers>;
/** An XPUB socket (zeromq.js `XPublisher`). */
export type XPublisher = ZeromqSocket<MXPublisher, 9>;
/** An XSUB socket (zeromq.js `XSubscriber`). */
export type XSubscriber = ZeromqSocket<MXSubscriber, 10>;
/** A STREAM socket (zeromq.js `Stream`): raw TCP/IPC peers. */
export type Stream = ZeromqSocket<MStream, 11>;

// ---------------------------------------------------------------------------- classes

/** A PAIR socket (zeromq.js `Pair`). */
export const Pair: Ctor<Pair, PairOptions> = zeromqSocket(MPair, 0, 'Pair') as never;
/** A PUB socket (zeromq.js `Publisher`). */
export const Publisher: Ctor<Publisher, PublisherOptions> = zeromqSocket(MPublisher, 1, 'Publisher') as never;
/** A SUB socket (zeromq.js `Subscriber`). */
export const Subscriber: Ctor<Subscriber, SubscriberOptions> = zeromqSocket(MSubscriber, 2, 'Subscriber') as never;
/** A REQ socket (zeromq.js `Request`). */
export const Request: Ctor<Request, RequestOptions> = zeromqSocket(MRequest, 3, 'Request') as never;
/** A REP socket (zeromq.js `Reply`). */
export const Reply: Ctor<Reply, ReplyOptions> = zeromqSocket(MReply, 4, 'Reply') as never;
/** A DEALER socket (zeromq.js `Dealer`). */
export const Dealer: Ctor<Dealer, DealerOptions> = zeromqSocket(MDealer, 5, 'Dealer') as never;
/** A ROUTER socket (zeromq.js `Router`). */
export const Router: Ctor<Router, RouterOptions> = zeromqSocket(MRouter, 6, 'Router') as never;
/** A PULL socket (zeromq.js `Pull`). */
export const Pull: Ctor<Pull, PullOptions> = zeromqSocket(MPull, 7, 'Pull') as never;
/** A PUSH socket (zeromq.js `Push`). */
export const Push: Ctor<Push, PushOptions> = zeromqSocket(MPush, 8, 'Push') as never;
/** An XPUB socket (zeromq.js `XPublisher`). */
export const XPublisher: Ctor<XPublisher, XPublisherOptions> = zeromqSocket(MXPublisher, 9, 'XPublisher') as never;
/** An XSUB socket (zeromq.js `XSubscriber`). */
export const XSubscriber: Ctor<XSubscriber, SubscriberOptions> = zeromqSocket(MXSubscriber, 10, 'XSubscriber') as never;
/** A STREAM socket (zeromq.js `Stream`). */
export const Stream: Ctor<Stream, StreamOptions> = zeromqSocket(MStream, 11, 'Stream') as never;

/** Any socket of this package (zeromq.js's abstract `Socket`). */
export type Socket = ZeromqSocket<CoreSocket<unknown, unknown[]>, number>;

/**
 * zeromq.js's `Socket`: `x instanceof Socket` holds for every socket (of this package and
 * of Monocoque's pattern packages), and `new Socket(type, options)` creates a socket of
 * libzmq type number `type` (an instance of the matching class here, e.g. `Dealer` for 5).
 */
export const Socket: {
  new (type: number, options?: ZeromqSocketOptions<Record<string, unknown>>): Socket;
  readonly prototype: Socket;
} = function Socket(this: unknown, type: number, options?: Record<string, unknown>): Socket {
  if (new.target === undefined) throw new TypeError("Class constructor Socket cannot be invoked without 'new'");
  const cls = CLASSES.get(type);
  if (cls === undefined) throw new ZmqError('EINVAL', `unknown socket type ${String(type)}: expected a libzmq socket type number this package provides`);
  return new cls(options) as unknown as Socket;
} as never;
Object.defineProperty(Socket, Symbol.hasInstance, { value: (value: unknown) => value instanceof CoreSocket });
Object.defineProperty(Socket, 'prototype', { value: CoreSocket.prototype });
