import { describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/core';
import { Reply, Request } from '@monocoque/reqrep';
import { endpoint, expectCode, handshakes, RawSocket, socketTracker, stillPending, str, withTimeout } from '@monocoque/test-support';

const track = socketTracker();

const req = (o: ConstructorParameters<typeof Request>[0] = {}) => track(new Request({ linger: 0, ...o }));
const rep = (o: ConstructorParameters<typeof Reply>[0] = {}) => track(new Reply({ linger: 0, ...o }));
const raw = (type: 'ROUTER' | 'DEALER' | 'REP', o = {}) => track(new RawSocket(type, { linger: 0, ...o }));

/** A bound REP and a REQ connected to it, handshake done. */
async function pair(kind: 'inproc' | 'tcp' | 'ipc', o: ConstructorParameters<typeof Request>[0] = {}) {
  const server = rep();
  await server.bind(endpoint(kind, 'reqrep'));
  const client = req(o);
  const ready = handshakes(client, 1);
  client.connect(server.lastEndpoint!);
  await ready;
  return { server, client };
}

describe('REQ <-> REP', () => {
  for (const kind of ['inproc', 'tcp', 'ipc'] as const) {
    it(`round trips multipart messages over ${kind}, envelope hidden on both sides`, async () => {
      const { server, client } = await pair(kind);
      for (let i = 0; i < 3; i++) {
        await client.send([`q${i}`, '', Buffer.from([0, 255])]);
        const request = await withTimeout(server.receive(), 2000, 'REP receive');
        expect(str(request)).toEqual([`q${i}`, '', '\u0000\ufffd']);
        await server.send([`a${i}`, 'tail']);
        const reply = await withTimeout(client.receive(), 2000, 'REQ receive');
        expect(str(reply)).toEqual([`a${i}`, 'tail']);
      }
    });
  }

  it('REQ: a second send before the reply rejects with EFSM; after the reply it works', async () => {
    const { server, client } = await pair('inproc');
    await client.send('one');
    await expectCode(client.send('two'), 'EFSM', /previous request has not received its reply/);
    expect(() => client.write('two')).toThrow(/EFSM|previous request/);
    expect(str(await server.receive())).toEqual(['one']);
    await server.send('r1');
    expect(str(await client.receive())).toEqual(['r1']);
    await client.send('three');
    expect(str(await server.receive())).toEqual(['three']);
  });

  it('REQ: a send while the previous one still waits for a peer rejects with EFSM at once', async () => {
    const client = req();
    const first = client.send('first');
    expect(await stillPending(first)).toBe(true);
    await expectCode(client.send('second'), 'EFSM', /still waiting for a peer/);
    const server = rep();
    const ep = endpoint('inproc', 'late');
    client.connect(ep);
    await server.bind(ep);
    await withTimeout(first, 2000, 'first send');
    expect(str(await server.receive())).toEqual(['first']);
  });

  it('REQ: a send that timed out no longer counts as outstanding', async () => {
    const client = req({ sendTimeout: 30 });
    await expectCode(client.send('lost'), 'EAGAIN');
    await expectCode(client.receive(), 'EFSM');
    client.sendTimeout = -1;
    const p = client.send('next'); // allowed again
    expect(await stillPending(p)).toBe(true);
  });

  it('REQ: receive before any send, or twice at once, rejects with EFSM', async () => {
    const { server, client } = await pair('inproc');
    await expectCode(client.receive(), 'EFSM', /no request is outstanding/);
    await client.send('q');
    const r1 = client.receive();
    await expectCode(client.receive(), 'EFSM', /another receive/);
    await server.receive();
    await server.send('a');
    expect(str(await r1)).toEqual(['a']);
    await expectCode(client.receive(), 'EFSM');
  });

  it('REQ: receive may be called before the queued request went out', async () => {
    const client = req();
    void client.send('q');
    const reply = client.receive();
    const server = rep();
    const ep = endpoint('inproc', 'early-receive');
    await server.bind(ep);
    client.connect(ep);
    expect(str(await server.receive())).toEqual(['q']);
    await server.send('a');
    expect(str(await withTimeout(reply, 2000, 'reply'))).toEqual(['a']);
  });

  it('REQ: round-robins requests over peers', async () => {
    const a = rep();
    const b = rep();
    await a.bind(endpoint('inproc', 'rr-a'));
    await b.bind(endpoint('inproc', 'rr-b'));
    const client = req();
    client.connect(a.lastEndpoint!);
    client.connect(b.lastEndpoint!);
    const served: string[] = [];
    const serve = async (s: Reply, name: string) => {
      for (;;) {
        const [q] = await s.receive();
        served.push(name);
        await s.send(`${name}:${q}`);
      }
    };
    void serve(a, 'a').catch(() => {});
    void serve(b, 'b').catch(() => {});
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) {
      await client.send(String(i));
      replies.push(str(await withTimeout(client.receive(), 2000, 'reply'))[0]!);
    }
    expect(served).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(replies).toEqual(['a:0', 'b:1', 'a:2', 'b:3', 'a:4', 'b:5']);
  });

  it('REQ: drops replies from the wrong peer, without delimiter, or without body', async () => {
    const r = raw('ROUTER');
    await r.bind(endpoint('tcp', 'wrong'));
    const r2 = raw('ROUTER');
    await r2.bind(endpoint('tcp', 'wrong2'));
    const client = req();
    const ready = handshakes(client, 2);
    client.connect(r.lastEndpoint!);
    client.connect(r2.lastEndpoint!);
    await ready;
    await client.send('q');
    // Whichever router got the request is the right one.
    const [got, right] = await Promise.race([
      r.receiveFrom().then((m) => [m, r] as const),
      r2.receiveFrom().then((m) => [m, r2] as const),
    ]);
    expect(str(got[1])).toEqual(['', 'q']);
    const wrong = right === r ? r2 : r;
    wrong.writeTo(0, ['', 'from the wrong peer']);
    right.writeTo(0, ['no delimiter']);
    right.writeTo(0, ['x', 'non-empty first frame']);
    right.writeTo(0, ['']); // delimiter, no body
    const reply = client.receive();
    expect(await stillPending(reply, 100)).toBe(true);
    right.writeTo(0, ['', 'good', 'two']);
    expect(str(await withTimeout(reply, 2000, 'good reply'))).toEqual(['good', 'two']);
  });

  it('REQ correlate: prefixes a request id, accepts only the matching reply', async () => {
    const r = raw('ROUTER');
    await r.bind(endpoint('inproc', 'corr'));
    const client = req({ correlate: true });
    client.connect(r.lastEndpoint!);
    await client.send(['q', 'x']);
    const [, [id, delim, ...body]] = await r.receiveFrom();
    expect(id!.length).toBe(4);
    expect(delim!.length).toBe(0);
    expect(str(body)).toEqual(['q', 'x']);
    const other = Buffer.from(id!);
    other[3] = other[3]! ^ 0xff;
    r.writeTo(0, [other, '', 'wrong id']);
    r.writeTo(0, ['', 'no id']);
    r.writeTo(0, [id!, 'no delimiter']);
    r.writeTo(0, [id!, '', 'right']);
    expect(str(await withTimeout(client.receive(), 2000, 'reply'))).toEqual(['right']);
    // The next request carries a different id.
    await client.send('q2');
    const [, [id2]] = await r.receiveFrom();
    expect(id2!.equals(id!)).toBe(false);
  });

  it('REQ relaxed + correlate: a new send abandons the outstanding request and its reply', async () => {
    const { server, client } = await pair('tcp', { relaxed: true, correlate: true });
    await client.send('first');
    await client.send('second'); // no EFSM
    expect(str(await server.receive())).toEqual(['first']);
    await server.send('reply to first');
    expect(str(await server.receive())).toEqual(['second']);
    await server.send('reply to second');
    expect(str(await withTimeout(client.receive(), 2000, 'reply'))).toEqual(['reply to second']);
  });

  it('REQ relaxed: queued sends go out in order, the last one is the outstanding request', async () => {
    const client = req({ relaxed: true, correlate: true });
    const sends = [client.send('a'), client.send('b'), client.send('c')];
    const server = rep();
    const ep = endpoint('inproc', 'relaxed-queue');
    await server.bind(ep);
    client.connect(ep);
    await withTimeout(Promise.all(sends), 2000, 'queued sends');
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [q] = await server.receive();
      seen.push(q!.toString());
      await server.send(`re:${q}`);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(str(await withTimeout(client.receive(), 2000, 'reply'))).toEqual(['re:c']);
  });

  it('REQ: readable is false without an outstanding request', async () => {
    const { server, client } = await pair('inproc');
    expect(client.readable).toBe(false);
    await client.send('q');
    await server.receive();
    await server.send('a');
    expect(client.readable).toBe(true);
    await client.receive();
    expect(client.readable).toBe(false);
  });
});

describe('REP', () => {
  it('saves the whole envelope (several routing frames) and restores it on reply', async () => {
    const server = rep();
    await server.bind(endpoint('inproc', 'env'));
    const d = raw('DEALER');
    d.connect(server.lastEndpoint!);
    d.writeTo(0, ['hop2', 'hop1', Buffer.from([0, 1, 2]), '', 'body', 'more']);
    expect(str(await server.receive())).toEqual(['body', 'more']);
    await server.send(['reply']);
    const [, frames] = await d.receiveFrom();
    expect(frames.map((f) => f.toString('hex'))).toEqual(
      [Buffer.from('hop2'), Buffer.from('hop1'), Buffer.from([0, 1, 2]), Buffer.alloc(0), Buffer.from('reply')].map((f) => f.toString('hex')),
    );
  });

  it('discards requests without a delimiter or without a body', async () => {
    const server = rep();
    await server.bind(endpoint('inproc', 'bad'));
    const d = raw('DEALER');
    d.connect(server.lastEndpoint!);
    d.writeTo(0, ['no', 'delimiter']);
    d.writeTo(0, ['id', '']);
    d.writeTo(0, ['', 'ok']);
    expect(str(await withTimeout(server.receive(), 2000, 'request'))).toEqual(['ok']);
    await server.send('r');
    const [, frames] = await d.receiveFrom();
    expect(str(frames)).toEqual(['', 'r']);
  });

  it('send without a request, and receive while a reply is owed, reject with EFSM', async () => {
    const { server, client } = await pair('inproc');
    await expectCode(server.send('x'), 'EFSM', /no request to reply to/);
    expect(() => server.write('x')).toThrow(/no request to reply to/);
    const r1 = server.receive();
    await expectCode(server.receive(), 'EFSM', /another receive/);
    await client.send('q');
    await r1;
    await expectCode(server.receive(), 'EFSM', /has not been sent yet/);
    await server.send('a');
    await expectCode(server.send('again'), 'EFSM');
    expect(str(await client.receive())).toEqual(['a']);
  });

  it('fair-queues requests from several REQ peers and replies to each its own', async () => {
    const server = rep();
    await server.bind(endpoint('tcp', 'fq'));
    const clients = [req(), req(), req()];
    const ready = handshakes(server, 3);
    for (const c of clients) c.connect(server.lastEndpoint!);
    await ready;
    await Promise.all(clients.map((c, i) => c.send(`from ${i}`)));
    await new Promise((r) => setTimeout(r, 50)); // all three requests queued
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [q] = await withTimeout(server.receive(), 2000, 'request');
      order.push(q!.toString());
      await server.send(`to ${q!.toString().slice(5)}`);
    }
    expect(order.sort()).toEqual(['from 0', 'from 1', 'from 2']);
    const replies = await Promise.all(clients.map((c) => withTimeout(c.receive(), 2000, 'reply')));
    expect(replies.map((m) => m[0]!.toString())).toEqual(['to 0', 'to 1', 'to 2']);
  });

  it('discards the reply silently when the requester has gone, then serves the next', async () => {
    const server = rep();
    await server.bind(endpoint('tcp', 'gone'));
    const c1 = req();
    const ready = handshakes(server, 1);
    c1.connect(server.lastEndpoint!);
    await ready;
    await c1.send('q1');
    expect(str(await server.receive())).toEqual(['q1']);
    const gone = server.events.once('disconnect');
    c1.close();
    await withTimeout(gone, 2000, 'disconnect');
    await server.send('nobody listens'); // resolves, dropped
    const c2 = req();
    c2.connect(server.lastEndpoint!);
    await c2.send('q2');
    expect(str(await withTimeout(server.receive(), 2000, 'q2'))).toEqual(['q2']);
    await server.send('a2');
    expect(str(await withTimeout(c2.receive(), 2000, 'a2'))).toEqual(['a2']);
  });

  it('echoes a correlating REQ request id (it is part of the envelope)', async () => {
    const { server, client } = await pair('inproc', { correlate: true });
    for (let i = 0; i < 3; i++) {
      await client.send(`q${i}`);
      expect(str(await server.receive())).toEqual([`q${i}`]);
      await server.send(`a${i}`);
      expect(str(await withTimeout(client.receive(), 2000, 'reply'))).toEqual([`a${i}`]);
    }
  });

  it('refuses incompatible peers in the handshake', async () => {
    const server = rep();
    await server.bind(endpoint('tcp', 'incompat'));
    const r = raw('REP');
    const refused = r.events.once('handshake:error:protocol');
    r.connect(server.lastEndpoint!);
    const e = await withTimeout(refused, 2000, 'handshake:error:protocol');
    expect(e.error?.code).toBe('ENOCOMPATPROTO');
  });
});
