/**
 * RADIO/DISH under CURVE against libzmq 4.3.5: JOIN/LEAVE are commands, so under CURVE they
 * travel inside MESSAGE boxes with the command flag (libzmq's encoding); the group frame's
 * MORE flag travels inside its box too. Both ways round, our side as CURVE client and server.
 */
import '@monocoque/curve/register';
import { curveKeyPair } from '@monocoque/curve';
import { Dish, Radio } from '@monocoque/radiodish';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnZmqPeer } from './helpers/peer.js';
import { Scope, sleep, withTimeout } from './helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

describe('RADIO/DISH over CURVE with libzmq', () => {
  it('libzmq DISH (CURVE server) binds, our Radio (CURVE client) connects: JOIN and LEAVE in CURVE boxes', async () => {
    const peer = await spawnZmqPeer();
    const server = await peer.curveKeyPair();
    const client = curveKeyPair();
    const dish = await peer.socket('DISH', { linger: 0, curveServer: true, curveSecretKey: server.secretKey });
    const ep = await dish.bind('tcp://127.0.0.1:*');
    await dish.join('secret', 'other');
    const receiving = dish.receiveGroup(1, 8000); // libzmq's thread-safe DISH attaches peers while receiving
    const radio = scope.track(
      new Radio({ linger: 0, curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }),
    );
    radio.connect(ep);
    await until(() => radio.groupCount === 2, 'the JOINs through CURVE');
    await radio.send('nope', { group: 'secre' });
    await radio.send('classified', { group: 'secret' });
    const [m] = await receiving;
    expect([m!.group.toString(), m!.body.toString()]).toEqual(['secret', 'classified']);
    await dish.leave('other');
    await until(() => radio.groupCount === 1, 'the LEAVE through CURVE');
  });

  it('our Dish (CURVE server) binds, libzmq RADIO (CURVE client) connects', async () => {
    const peer = await spawnZmqPeer();
    const server = curveKeyPair();
    const client = await peer.curveKeyPair();
    const dish = scope.track(new Dish({ curveServer: true, curveSecretKey: server.secretKey }));
    await dish.bind('tcp://127.0.0.1:*');
    dish.join('secret');
    const radio = await peer.socket('RADIO', {
      linger: 0,
      curveServerKey: server.publicKey,
      curvePublicKey: client.publicKey,
      curveSecretKey: client.secretKey,
    });
    await radio.connect(dish.lastEndpoint!);
    const end = Date.now() + 5000;
    while (!dish.readable) {
      if (Date.now() > end) throw new Error('no message reached our dish within 5 s: our JOIN did not reach libzmq through CURVE');
      await radio.sendGroup('classified', 'secret');
      await radio.sendGroup('nope', 'secre');
      await sleep(20);
    }
    const [body, { group }] = await withTimeout(dish.receive(), 2000, 'our dish');
    expect([group.toString(), body.toString()]).toEqual(['secret', 'classified']);
  });
});
