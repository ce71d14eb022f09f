/**
 * Compile-time shape of the facade, checked by `pnpm typecheck` (the root tsconfig includes
 * this file): what zeromq.js's typings refuse, ours refuse too (`@ts-expect-error` fails
 * the type check if the line compiles), and what they accept, ours accept.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as zmq from '@monocoque/zeromq';

function compileOnly(): void {
  const pub = new zmq.Publisher();
  // @ts-expect-error -- a PUB socket cannot receive (zeromq.js: Publisher is only Writable)
  void pub.receive();
  const sub = new zmq.Subscriber();
  // @ts-expect-error -- a SUB socket cannot send
  void sub.send('x');
  const push = new zmq.Push();
  // @ts-expect-error -- a PUSH socket cannot receive
  void push.receive();
  const pull = new zmq.Pull();
  // @ts-expect-error -- a PULL socket cannot send
  void pull.send('x');
  const dealer = new zmq.Dealer({ linger: 0, context: zmq.context });
  // @ts-expect-error -- type is read-only
  dealer.type = 3;
  // @ts-expect-error -- unknown options are refused
  void new zmq.Dealer({ lingr: 0 });
  const router = new zmq.Router();
  router.connect('tcp://127.0.0.1:1', { routingId: 'peer' });
  void router.send(['peer', 'x', Buffer.alloc(1), 42, null]);
  expectTypeOf(dealer.type).toEqualTypeOf<5>();
  expectTypeOf(dealer.lastEndpoint).toEqualTypeOf<string | null>();
  expectTypeOf(dealer.routingId).toEqualTypeOf<string | null>();
  expectTypeOf(dealer.receive()).resolves.toEqualTypeOf<Buffer[]>();
  expectTypeOf(dealer.context).toEqualTypeOf<zmq.Context>();
  expectTypeOf(zmq.curveKeyPair()).toMatchTypeOf<{ publicKey: string; secretKey: string }>();
  expectTypeOf(new zmq.Socket(zmq.SocketType.Dealer)).toMatchTypeOf<zmq.Socket>();
  class Mine extends zmq.Dealer {
    hello(): string {
      return 'hello';
    }
  }
  expectTypeOf(new Mine().hello()).toEqualTypeOf<string>();
}

describe('typings', () => {
  it('are checked by tsc (this file is part of pnpm typecheck)', () => {
    expect(typeof compileOnly).toBe('function');
  });
});
