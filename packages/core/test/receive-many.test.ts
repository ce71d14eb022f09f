// receiveMany(): the batch is sized from what the fair queue holds; patterns that drop
// messages or queue their own must still get a dense array of exactly what they return.
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../src/index.js';
import { TestSocket, tracker } from './helpers.js';

const t = tracker();
afterEach(() => t.closeAll());

/** Drops messages starting with `x` (as SUB drops unsubscribed topics); `extra` are handed out first (as XPUB's own queue). */
class Filtering extends TestSocket {
  readonly extra: Message[] = [];
  protected override receiveMessage(): Message | undefined {
    const own = this.extra.shift();
    if (own !== undefined) return own;
    for (;;) {
      const message = super.receiveMessage();
      if (message === undefined || !message[0]!.toString().startsWith('x')) return message;
    }
  }
  protected override hasIncoming(): boolean {
    return this.extra.length > 0 || super.hasIncoming();
  }
}

async function pair(): Promise<{ server: Filtering; client: TestSocket }> {
  const server = t.add(new Filtering());
  const ep = `inproc://receive-many-${Math.random()}`;
  await server.bind(ep);
  const client = t.add(new TestSocket());
  client.connect(ep);
  return { server, client };
}

const bodies = (batch: Message[]) => {
  expect(Object.keys(batch), 'a dense array (no holes)').toHaveLength(batch.length);
  return batch.map((m) => m[0]!.toString());
};

describe('receiveMany', () => {
  it('returns only what the pattern gives when it drops queued messages', async () => {
    const { server, client } = await pair();
    for (const m of ['a0', 'x', 'a1', 'x', 'x', 'a2', 'x']) await client.send(m);
    expect(bodies(await server.receiveMany())).toEqual(['a0', 'a1', 'a2']);
  });

  it('returns every message of a pattern with a queue of its own, beyond what the fair queue holds', async () => {
    const { server, client } = await pair();
    await client.send('q0');
    server.extra.push([Buffer.from('own0')], [Buffer.from('own1')], [Buffer.from('own2')]);
    expect(bodies(await server.receiveMany())).toEqual(['own0', 'own1', 'own2', 'q0']);
  });

  it('stops at max and leaves the rest queued', async () => {
    const { server, client } = await pair();
    for (let i = 0; i < 5; i++) await client.send(`m${i}`);
    expect(bodies(await server.receiveMany(2))).toEqual(['m0', 'm1']);
    expect(bodies(await server.receiveMany(10))).toEqual(['m2', 'm3', 'm4']);
  });
});
