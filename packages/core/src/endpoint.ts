/**
 * Endpoint strings (libzmq's `zmq_bind`/`zmq_connect` syntax):
 *   tcp://127.0.0.1:5555   tcp://[::1]:5555   tcp://host.name:5555
 *   tcp://*:5555 (bind on all IPv4 interfaces)   tcp://127.0.0.1:* (any free port)
 *   ipc:///absolute/path   ipc://relative/path   ipc://@abstract-name (Linux)   ipc://* (temp file)
 *   inproc://name
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZmqError } from '@monocoque/zmtp';
import type { StreamEndpoint } from './transport.js';

/** A parsed endpoint. */
export type Endpoint = StreamEndpoint | { readonly protocol: 'inproc'; readonly name: string };

/** Parse an endpoint; `forBind` allows wildcards. Throws `ZmqError` `EINVAL`/`EPROTONOSUPPORT`. */
export function parseEndpoint(address: string, forBind: boolean): Endpoint {
  if (typeof address !== 'string') {
    throw new ZmqError('EINVAL', `endpoint must be a string like "tcp://127.0.0.1:5555", got ${typeof address}`);
  }
  const sep = address.indexOf('://');
  if (sep <= 0) {
    throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: expected "protocol://address"`, { address });
  }
  const protocol = address.slice(0, sep);
  const rest = address.slice(sep + 3);
  switch (protocol) {
    case 'tcp':
      return parseTcp(address, rest, forBind);
    case 'ipc':
      return parseIpc(address, rest, forBind);
    case 'inproc':
      if (rest.length === 0) throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: inproc name is empty`, { address });
      return { protocol: 'inproc', name: rest };
    default:
      throw new ZmqError(
        'EPROTONOSUPPORT',
        `unsupported protocol ${JSON.stringify(protocol)} in ${JSON.stringify(address)}: expected tcp, ipc or inproc`,
        { address },
      );
  }
}

function parseTcp(address: string, rest: string, forBind: boolean): Endpoint {
  // Strip an optional libzmq source address ("src;dest") — not supported.
  if (rest.includes(';')) {
    throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: source addresses ("src;dest") are not supported`, { address });
  }
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') {
      throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: expected "tcp://[ipv6]:port"`, { address });
    }
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) {
      throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: expected "tcp://host:port"`, { address });
    }
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
  }
  if (host.length === 0) throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: empty host`, { address });
  if (host === '*' && !forBind) {
    throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: "*" is only valid for bind`, { address });
  }
  let port: number;
  if (portText === '*' || portText === '0') {
    if (!forBind) throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: a wildcard port is only valid for bind`, { address });
    port = 0;
  } else {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) {
      throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: expected a port 1-65535 or "*", got ${JSON.stringify(portText)}`, {
        address,
      });
    }
  }
  return { protocol: 'tcp', host, port };
}

function parseIpc(address: string, rest: string, forBind: boolean): Endpoint {
  if (rest.length === 0) throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: empty IPC path`, { address });
  if (rest === '*') {
    if (!forBind) throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: "ipc://*" is only valid for bind`, { address });
    return { protocol: 'ipc', path: join(tmpdir(), `monocoque-${randomBytes(6).toString('hex')}.sock`) };
  }
  if (rest.startsWith('@')) {
    if (rest.length === 1) throw new ZmqError('EINVAL', `invalid endpoint ${JSON.stringify(address)}: empty abstract socket name`, { address });
    return { protocol: 'ipc', path: `\0${rest.slice(1)}` };
  }
  return { protocol: 'ipc', path: rest };
}

/** Format an endpoint back into its string form (abstract IPC names as `ipc://@name`). */
export function formatEndpoint(endpoint: Endpoint): string {
  switch (endpoint.protocol) {
    case 'tcp':
      return `tcp://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port === 0 ? '*' : endpoint.port}`;
    case 'ipc':
      return endpoint.path.startsWith('\0') ? `ipc://@${endpoint.path.slice(1)}` : `ipc://${endpoint.path}`;
    case 'inproc':
      return `inproc://${endpoint.name}`;
  }
}
