/**
 * @monocoque/proxy — zmq_proxy / zmq_proxy_steerable for Monocoque sockets, with
 * zeromq.js v6's `Proxy` API: a shared queue (ROUTER/DEALER), a forwarder (XSUB/XPUB) or a
 * streamer (PULL/PUSH) in one call, with pause/resume/terminate and an optional capture
 * socket.
 */
export { Proxy, type ProxyOptions } from './proxy.js';
