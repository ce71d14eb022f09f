/**
 * Strict options, checked against npm `zeromq` (zeromq.js v6) itself: every option
 * property a zeromq.js socket class has exists on ours with the same default, and is
 * either implemented (a new value takes effect) or refused with ENOTSUP — never ignored.
 * Unknown names and wrong types are refused with EINVAL naming the option.
 */
import { describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { Reply, Request } from '@monocoque/reqrep';
import { Publisher, Subscriber, XPublisher, XSubscriber } from '@monocoque/pubsub';
import { Pull, Push } from '@monocoque/pipeline';
import { Pair } from '@monocoque/pair';
import { Stream } from '@monocoque/stream';
import { type Socket, isZmqError } from '@monocoque/core';

type Ctor = new (options?: Record<string, unknown>) => Socket;
const PAIRS: Array<[string, new () => { close(): void }, Ctor]> = [
  ['Dealer', zmq.Dealer, Dealer as unknown as Ctor],
  ['Router', zmq.Router, Router as unknown as Ctor],
  ['Request', zmq.Request, Request as unknown as Ctor],
  ['Reply', zmq.Reply, Reply as unknown as Ctor],
  ['Publisher', zmq.Publisher, Publisher as unknown as Ctor],
  ['Subscriber', zmq.Subscriber, Subscriber as unknown as Ctor],
  ['XPublisher', zmq.XPublisher, XPublisher as unknown as Ctor],
  ['XSubscriber', zmq.XSubscriber, XSubscriber as unknown as Ctor],
  ['Push', zmq.Push, Push as unknown as Ctor],
  ['Pull', zmq.Pull, Pull as unknown as Ctor],
  ['Pair', zmq.Pair, Pair as unknown as Ctor],
  ['Stream', zmq.Stream, Stream as unknown as Ctor],
];

/** Not options: state and objects zeromq.js exposes as accessors too. */
const NOT_OPTIONS = new Set(['events', 'context', 'closed', 'readable', 'writable', 'type', 'lastEndpoint', 'securityMechanism', 'threadSafe']);

/** zeromq.js's option accessors of one socket, with their defaults (undefined: write-only or unreadable). */
function theirOptions(Z: new () => { close(): void }): Map<string, { value: unknown; readable: boolean }> {
  const socket = new Z();
  const out = new Map<string, { value: unknown; readable: boolean }>();
  try {
    for (let p = Object.getPrototypeOf(socket) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
      for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
        if ((d.get === undefined && d.set === undefined) || NOT_OPTIONS.has(name) || out.has(name)) continue;
        let value: unknown;
        let readable = d.get !== undefined;
        try {
          value = readable ? (socket as unknown as Record<string, unknown>)[name] : undefined;
        } catch {
          readable = false; // write-only in libzmq (EINVAL on read)
        }
        out.set(name, { value, readable });
      }
    }
  } finally {
    socket.close();
  }
  return out;
}

function refusal(f: () => unknown): { code: string; message: string } | undefined {
  try {
    f();
    return undefined;
  } catch (error) {
    expect(isZmqError(error)).toBe(true);
    return error as { code: string; message: string };
  }
}

describe.each(PAIRS)('%s options match zeromq.js', (_name, Theirs, Ours) => {
  const theirs = theirOptions(Theirs);

  it('has every zeromq.js option, with zeromq.js default where it can be read', () => {
    const ours = new Ours();
    try {
      expect(theirs.size).toBeGreaterThan(40);
      for (const [name, { value, readable }] of theirs) {
        expect(name in ours, `option ${name}`).toBe(true);
        if (readable && name !== 'verbosity') expect([name, (ours as unknown as Record<string, unknown>)[name]]).toEqual([name, value]);
      }
    } finally {
      ours.close();
    }
  });

  it('accepts each default in the constructor and by assignment; refuses other values only with ENOTSUP', () => {
    for (const [name, { value, readable }] of theirs) {
      if (!readable) continue;
      const ours = new Ours({ [name]: value });
      try {
        (ours as unknown as Record<string, unknown>)[name] = value;
      } finally {
        ours.close();
      }
    }
  });
});

describe('strict options', () => {
  it('refuses unknown constructor options with EINVAL naming them', () => {
    const e = refusal(() => new Dealer({ lingr: 0 } as never));
    expect(e?.code).toBe('EINVAL');
    expect(e?.message).toMatch(/unknown option "lingr" for a DEALER socket/);
  });

  it('refuses wrongly typed values with EINVAL saying what was expected and what came', () => {
    let e = refusal(() => new Router({ mandatory: 'no' } as never));
    expect(e?.code).toBe('EINVAL');
    expect(e?.message).toBe('option mandatory: expected true or false, got "no" (string)');
    e = refusal(() => new Dealer({ linger: 1.5 }));
    expect(e?.message).toMatch(/^option linger: expected an integer from -1 to \d+, got 1\.5 \(number\)$/);
    const dealer = new Dealer();
    try {
      e = refusal(() => {
        (dealer as unknown as Record<string, unknown>).sendHighWaterMark = '10';
      });
      expect(e?.code).toBe('EINVAL');
      expect(dealer.sendHighWaterMark).toBe(1000);
    } finally {
      dealer.close();
    }
  });

  it('sockets are not extensible: a misspelt property assignment throws (as with zeromq.js)', () => {
    const ours = new Dealer();
    const theirs = new zmq.Dealer();
    try {
      expect(() => ((ours as unknown as Record<string, unknown>).heartbeatIntervall = 1)).toThrow(TypeError);
      expect(() => ((theirs as unknown as Record<string, unknown>).heartbeatIntervall = 1)).toThrow(TypeError);
    } finally {
      ours.close();
      theirs.close();
    }
  });

  it('refuses security options without their mechanism package, naming the package (never runs in clear text)', () => {
    for (const [option, value, pkg] of [
      ['curveServer', true, '@monocoque/curve'],
      ['curveSecretKey', 'x'.repeat(40), '@monocoque/curve'],
      ['gssapiServer', true, 'GSSAPI'],
    ] as const) {
      const e = refusal(() => new Dealer({ [option]: value }));
      expect(e?.code, option).toBe('ENOTSUP');
      expect(e?.message).toContain(pkg);
      const d = new Dealer();
      try {
        expect(refusal(() => ((d as unknown as Record<string, unknown>)[option] = value))?.code).toBe('ENOTSUP');
      } finally {
        d.close();
      }
    }
  });

  it('refuses unimplemented options at any value but their default, saying why', () => {
    const e = refusal(() => new Dealer({ rate: 1000 }));
    expect(e?.code).toBe('ENOTSUP');
    expect(e?.message).toMatch(/option rate is not supported .*multicast/);
    expect(refusal(() => new Pull({ conflate: true }))?.code).toBe('ENOTSUP');
  });

  it('refuses assignment to read-only properties', () => {
    const d = new Dealer();
    try {
      expect(() => ((d as unknown as Record<string, unknown>).type = 'ROUTER')).toThrow();
      expect(d.getOption('linger')).toBe(-1);
      expect(refusal(() => d.setOption('lastEndpoint', 'x'))?.message).toMatch(/read-only/);
    } finally {
      d.close();
    }
  });

  it('every setter takes effect: properties, setOption and constructor agree', () => {
    const values: Record<string, unknown> = {
      linger: 250,
      sendHighWaterMark: 7,
      receiveHighWaterMark: 9,
      sendTimeout: 100,
      receiveTimeout: 200,
      maxMessageSize: 4096,
      reconnectInterval: 50,
      reconnectMaxInterval: 400,
      connectTimeout: 300,
      immediate: true,
      handshakeInterval: 1000,
      heartbeatInterval: 100,
      heartbeatTimeout: 300,
      heartbeatTimeToLive: 500,
      ipv6: true,
    };
    const d = new Dealer();
    const fromCtor = new Dealer(values);
    try {
      for (const [name, value] of Object.entries(values)) {
        (d as unknown as Record<string, unknown>)[name] = value;
        expect([name, (d as unknown as Record<string, unknown>)[name]]).toEqual([name, value]);
        expect([name, fromCtor.getOption(name)]).toEqual([name, value]);
      }
      d.routingId = 'abc';
      expect(d.routingId).toBe('abc');
      const router = new Router({ mandatory: true });
      expect(router.mandatory).toBe(true);
      router.handover = true;
      expect(router.getOption('handover')).toBe(true);
      router.close();
    } finally {
      d.close();
      fromCtor.close();
    }
  });

  it('a receive timeout set after construction applies to the next receive()', async () => {
    const d = new Dealer();
    try {
      d.receiveTimeout = 30;
      const started = Date.now();
      await expect(d.receive()).rejects.toMatchObject({ code: 'EAGAIN' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    } finally {
      d.close();
    }
  });

  it('raising sendHighWaterMark after connect reaches the existing pipe (libzmq >= 4.2)', async () => {
    const push = new Push({ sendHighWaterMark: 2, sendTimeout: 0 });
    try {
      push.connect('tcp://127.0.0.1:9'); // nothing listens: messages wait in the pipe
      await push.send('1');
      await push.send('2');
      await expect(push.send('3')).rejects.toMatchObject({ code: 'EAGAIN' });
      push.sendHighWaterMark = 4;
      await push.send('3');
      await push.send('4');
      await expect(push.send('5')).rejects.toMatchObject({ code: 'EAGAIN' });
    } finally {
      push.linger = 0;
      push.close();
    }
  });
});
