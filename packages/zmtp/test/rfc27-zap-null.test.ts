// RFC 27/ZAP with the NULL mechanism: a socket with a ZAP domain asks before sending READY.
import { describe, expect, it } from 'vitest';
import type { ZapQuestion, ZapVerdict } from '../src/index.js';
import { commandBody, greetingBytes, harness, latin1, parseOutput, readyFrame } from './helpers.js';

function asking(domain: string) {
  const asked: ZapQuestion[] = [];
  let done: ((v: ZapVerdict | undefined) => void) | undefined;
  const h = harness({
    socketType: 'ROUTER',
    zapDomain: domain,
    peerAddress: '::1',
    authenticate: (q, d) => {
      asked.push(q);
      done = d;
    },
  });
  h.session.start();
  h.session.feed(Buffer.concat([greetingBytes(), readyFrame([['Socket-Type', 'DEALER']])]));
  return { h, asked, answer: (v: ZapVerdict | undefined) => done!(v) };
}

describe('RFC 27 ZAP for NULL', () => {
  it('without a domain, ZAP is not asked and READY goes out at once', () => {
    const { h, asked } = asking('');
    expect(asked).toHaveLength(0);
    expect(h.readies()).toHaveLength(1);
  });

  it('with a domain, READY waits for the verdict; 200 lets the peer in with its user id', () => {
    const { h, asked, answer } = asking('dmz');
    expect(asked[0]).toMatchObject({ domain: 'dmz', address: '::1', mechanism: 'NULL', credentials: [] });
    expect(parseOutput(h.written()).frames).toHaveLength(0);
    expect(h.readies()).toHaveLength(0);
    answer({ status: 200, statusText: '', userId: 'anon', metadata: new Map() });
    expect(parseOutput(h.written()).frames).toHaveLength(1);
    expect(h.readies()[0]?.userId).toBe('anon');
  });

  it('no handler installed: the peer gets in (libzmq asks only a handler that exists)', () => {
    const { h, answer } = asking('dmz');
    answer(undefined);
    expect(h.readies()).toHaveLength(1);
  });

  it('400: ERROR "400" in the spec spelling, EACCES status 400, never ready', () => {
    const { h, answer } = asking('dmz');
    answer({ status: 400, statusText: 'denied', userId: '', metadata: new Map() });
    const frames = parseOutput(h.written()).frames;
    expect(frames.at(-1)?.body).toEqual(commandBody('ERROR', Buffer.concat([Buffer.from([3]), latin1('400')])));
    expect(h.errors()[0]).toMatchObject({ code: 'EACCES', status: 400 });
    expect(h.readies()).toHaveLength(0);
  });
});
