// Endpoint syntax as libzmq's zmq_bind/zmq_connect accept it.
import { describe, expect, it } from 'vitest';
import { formatEndpoint, parseEndpoint } from '../src/index.js';

describe('parseEndpoint', () => {
  it.each([
    ['tcp://127.0.0.1:5555', true, { protocol: 'tcp', host: '127.0.0.1', port: 5555 }],
    ['tcp://[::1]:5555', false, { protocol: 'tcp', host: '::1', port: 5555 }],
    ['tcp://localhost:1', false, { protocol: 'tcp', host: 'localhost', port: 1 }],
    ['tcp://*:5555', true, { protocol: 'tcp', host: '*', port: 5555 }],
    ['tcp://127.0.0.1:*', true, { protocol: 'tcp', host: '127.0.0.1', port: 0 }],
    ['ipc:///tmp/x.sock', false, { protocol: 'ipc', path: '/tmp/x.sock' }],
    ['ipc://@abstract', false, { protocol: 'ipc', path: '\0abstract' }],
    ['inproc://name', false, { protocol: 'inproc', name: 'name' }],
  ])('%s', (address, forBind, expected) => {
    expect(parseEndpoint(address, forBind)).toEqual(expected);
  });

  it('ipc://* picks a fresh temp path', () => {
    const a = parseEndpoint('ipc://*', true);
    const b = parseEndpoint('ipc://*', true);
    expect(a.protocol).toBe('ipc');
    expect(a).not.toEqual(b);
  });

  it.each([
    ['tcp://127.0.0.1', 'EINVAL', /expected "tcp:\/\/host:port"/],
    ['tcp://127.0.0.1:70000', 'EINVAL', /port 1-65535/],
    ['tcp://*:5555', 'EINVAL', /only valid for bind/],
    ['tcp://127.0.0.1:*', 'EINVAL', /wildcard port is only valid for bind/],
    ['tcp://[::1:5', 'EINVAL', /\[ipv6\]:port/],
    ['udp://127.0.0.1:5', 'EPROTONOSUPPORT', /expected tcp, ipc or inproc/],
    ['nonsense', 'EINVAL', /protocol:\/\/address/],
    ['inproc://', 'EINVAL', /empty/],
    ['ipc://', 'EINVAL', /empty IPC path/],
  ])('rejects %s for connect', (address, code, message) => {
    expect(() => parseEndpoint(address, false)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  it('formats back', () => {
    for (const s of ['tcp://127.0.0.1:5555', 'tcp://[::1]:5555', 'ipc:///tmp/x.sock', 'ipc://@abs', 'inproc://x', 'tcp://*:*']) {
      expect(formatEndpoint(parseEndpoint(s, true))).toBe(s);
    }
  });
});
