/**
 * `Router.connect(address, { routingId })` (ZMQ_CONNECT_ROUTING_ID) names the peer, so a
 * message sent to that id before the connection exists is queued and delivered — checked
 * against a libzmq DEALER in another process, and the same scenario against npm zeromq's
 * Router so the claim cannot drift.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { Router } from '@monocoque/router';
import { spawnZmqPeer } from './helpers/peer.js';
import { Scope } from './helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

describe('ROUTER connect with a routing id for the peer', () => {
  it('queues to the named peer before it connects; libzmq agrees', async () => {
    const peer = await spawnZmqPeer();
    const dealer = await peer.socket('DEALER', { linger: 0 });
    const ours = scope.track(new Router({ mandatory: true, linger: 0 }));
    const theirs = new zmq.Router({ mandatory: true, linger: 0 });
    try {
      // Connect to an endpoint that is not bound yet: the id is known at once.
      const ep = await dealer.bind('tcp://127.0.0.1:*');
      await dealer.unbind(ep);
      ours.connect(ep, { routingId: 'srv' });
      theirs.connect(ep, { routingId: 'srv-zmq' });
      await ours.send(['srv', 'from monocoque']);
      await theirs.send(['srv-zmq', 'from zeromq.js']);
      await dealer.bind(ep);
      const got = (await dealer.receive(2, 5000)).map((m) => m.map(String).join('|')).sort();
      expect(got).toEqual(['from monocoque', 'from zeromq.js']);
      // An unknown id is still unroutable with mandatory, on both.
      await expect(ours.send(['nobody', 'x'])).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
      await expect(theirs.send(['nobody', 'x'])).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
    } finally {
      theirs.close();
    }
  });

  it('refuses a routing id on connect for other socket types', async () => {
    const { Dealer } = await import('@monocoque/dealer');
    const d = scope.track(new Dealer());
    expect(() => (d.connect as (a: string, o: object) => void)('tcp://127.0.0.1:5555', { routingId: 'x' })).toThrow(/only supported by ROUTER/);
  });
});
