/**
 * `@monocoque/zeromq/draft` next to npm `zeromq/draft` (libzmq 4.3.5 with draft sockets),
 * in one process over loopback TCP.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as ours from '@monocoque/zeromq/draft';
import * as oursV6 from '@monocoque/zeromq';

const require = createRequire(import.meta.url);
const theirs = require('zeromq/draft') as typeof ours;

describe('zeromq/draft', () => {
  it('Radio and Dish have the same types and refuse the same calls', () => {
    const shape = (zmq: typeof ours) => {
      const radio = new zmq.Radio();
      const dish = new zmq.Dish();
      try {
        return { types: [radio.type, dish.type], dishJoin: typeof dish.join, radioReceive: typeof (radio as unknown as { receive?: unknown }).receive === 'function' };
      } finally {
        radio.close();
        dish.close();
      }
    };
    const a = shape(ours);
    expect(a.types).toEqual(shape(theirs).types);
    expect(a.dishJoin).toBe('function');
  });

  it('our Radio reaches a libzmq Dish that joined the group, and only that group', async () => {
    const radio = new ours.Radio();
    const dish = new theirs.Dish({ receiveTimeout: 5000 });
    try {
      await radio.bind('tcp://127.0.0.1:*');
      dish.join('weather');
      dish.connect(radio.lastEndpoint!);
      const got = dish.receive(); // libzmq's DISH attaches peers while a receive is pending
      // A RADIO drops what no joined dish wants: wait until the JOIN has arrived (checked on
      // each event-loop turn, bounded), then send one message per group.
      const deadline = Date.now() + 5000;
      while (radio.groupCount === 0) {
        if (Date.now() > deadline) throw new Error('timed out after 5000 ms waiting for the libzmq DISH to join "weather"');
        await new Promise((r) => setImmediate(r));
      }
      await radio.send('other', { group: 'traffic' });
      await radio.send('sunny', { group: 'weather' });
      const [payload, { group }] = await got;
      expect([String(payload), String(group)]).toEqual(['sunny', 'weather']);
    } finally {
      radio.close();
      dish.close();
    }
  });

  it('Datagram needs UDP, which is not implemented: EPROTONOSUPPORT', () => {
    expect(() => new ours.Datagram()).toThrow(expect.objectContaining({ code: 'EPROTONOSUPPORT' }));
  });

  it('new Socket(14) makes a Radio once the draft entry is loaded', () => {
    const s = new oursV6.Socket(14);
    try {
      expect(s.type).toBe(14);
      expect(s).toBeInstanceOf(ours.Radio);
    } finally {
      s.close();
    }
  });
});

describe('Stream through the facade', () => {
  it('has type 11 and talks to a libzmq STREAM peer', async () => {
    const zmq = require('zeromq') as typeof oursV6;
    const server = new oursV6.Stream();
    const client = new zmq.Stream();
    try {
      expect(server.type).toBe(11);
      await server.bind('tcp://127.0.0.1:*');
      client.connect(server.lastEndpoint!, { routingId: 'c' });
      const [id, hello] = await server.receive(); // connect notification
      expect(hello!.length).toBe(0);
      await client.send(['c', 'ping']);
      const [id2, data] = await server.receive();
      expect([id2!.equals(id!), String(data)]).toEqual([true, 'ping']);
    } finally {
      server.close();
      client.close();
    }
  });
});

describe('Server/Client and Scatter/Gather through the facade', () => {
  it('a libzmq Client talks to our Server, replies addressed by routing id', async () => {
    const server = new ours.Server();
    const client = new theirs.Client({ receiveTimeout: 5000 });
    try {
      expect(server.type).toBe(12);
      await server.bind('tcp://127.0.0.1:*');
      client.connect(server.lastEndpoint!);
      await client.send('hello');
      const [payload, { routingId }] = await server.receive();
      expect(String(payload)).toBe('hello');
      expect(typeof routingId).toBe('number');
      await server.send('hi', { routingId });
      const [reply] = await client.receive();
      expect(String(reply)).toBe('hi');
    } finally {
      server.close();
      client.close();
    }
  });

  it('our Scatter feeds a libzmq Gather', async () => {
    const gather = new theirs.Gather({ receiveTimeout: 5000 });
    const scatter = new ours.Scatter();
    try {
      const ourGather = new ours.Gather();
      expect([scatter.type, ourGather.type]).toEqual([17, 16]);
      ourGather.close();
      await gather.bind('tcp://127.0.0.1:*');
      scatter.connect(gather.lastEndpoint!);
      await scatter.send('job');
      const [m] = await gather.receive();
      expect(String(m)).toBe('job');
    } finally {
      gather.close();
      scatter.close();
    }
  });
});
