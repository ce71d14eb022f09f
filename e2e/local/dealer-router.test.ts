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
