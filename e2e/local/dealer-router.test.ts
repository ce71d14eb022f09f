import { describe, expect, it } from 'vitest';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';

describe('Monocoque Dealer <-> Router (tcp, ipc, inproc)', () => {
  for (const ep of ['tcp://127.0.0.1:*', `ipc:///tmp/mq-smoke-${process.pid}.sock`, `inproc://smoke-${process.pid}`]) {
    it(`round trip over ${ep.split(':')[0]}`, async () => {
      const router = new Router();
      await router.bind(ep);
      const dealer = new Dealer({ routingId: 'd1' });
      dealer.connect(router.lastEndpoint!);
      await dealer.send(['hello', 'world']);
      const [id, a, b] = await router.receive();
      expect(id?.toString()).toBe('d1');
      expect(a?.toString()).toBe('hello');
      expect(b?.toString()).toBe('world');
      await router.send([id!, 'reply']);
      const [r] = await dealer.receive();
      expect(r?.toString()).toBe('reply');
      dealer.close();
      router.close();
    });
  }
});

describe('Router.connect(address, { routingId }) names the peer before it speaks', () => {
  for (const connectFirst of [false, true]) {
    it(`over inproc, ${connectFirst ? 'connecting before' : 'after'} the bind`, async () => {
      const address = `inproc://router-names-peer-${process.pid}-${connectFirst}`;
      const dealer = new Dealer();
      const router = new Router({ mandatory: true });
      try {
        if (!connectFirst) await dealer.bind(address);
        router.connect(address, { routingId: 'worker-1' });
        const sent = router.send(['worker-1', 'job']); // queued on the named pipe at once
        if (connectFirst) await dealer.bind(address);
        await sent;
        expect((await dealer.receive()).map(String)).toEqual(['job']);
        await dealer.send('done');
        expect((await router.receive()).map(String)).toEqual(['worker-1', 'done']);
      } finally {
        dealer.close();
        router.close();
      }
    });
  }
});
