/**
 * libzmq's in-process ZAP endpoint (RFC 27 §"Transport"): a socket bound at
 * `inproc://zeromq.zap.01` is the process's ZAP handler. zeromq.js applications that
 * authenticate this way bind a `Router` (or `Reply`) there and answer requests themselves.
 *
 * Monocoque's servers ask ZAP through core's handler slot (`installZapHandler`), so binding
 * that endpoint installs a handler that forwards each request to the bound socket over
 * inproc, as libzmq's ZAP client does: `['', '1.0', requestId, domain, address, identity,
 * mechanism, ...credentials]`, and reads the reply `['', '1.0', requestId, status, text,
 * userId, metadata]`. Unbinding or closing the socket uninstalls it.
 */
import { type ZapReply, type ZapRequest, ZmqError, installZapHandler } from '@monocoque/core';
import { Dealer } from '@monocoque/dealer';

/** The endpoint libzmq sends ZAP requests to. */
export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/** Serve ZAP requests from the socket bound at {@link ZAP_ENDPOINT}; returns the undo. */
export function serveZapEndpoint(): () => void {
  const client = new Dealer({ linger: 0 });
  const waiting = new Map<string, { resolve: (reply: ZapReply) => void; reject: (error: Error) => void }>();
  let uninstall: (() => void) | undefined;
  try {
    uninstall = installZapHandler(
      (request: ZapRequest) =>
        new Promise<ZapReply>((resolve, reject) => {
          if (client.closed) {
            reject(new ZmqError('ETERM', 'the ZAP endpoint socket was closed'));
            return;
          }
          waiting.set(request.requestId, { resolve, reject });
          client.send(['', request.version, request.requestId, request.domain, request.address, request.identity, request.mechanism, ...request.credentials]).catch(reject);
        }),
    );
  } catch (error) {
    client.close();
    throw error;
  }
  client.connect(ZAP_ENDPOINT);
  void (async () => {
    for await (const frames of client) {
      // ['', version, requestId, status, text, userId, metadata]
      const [, version, requestId, status, text, userId, metadata] = frames;
      const id = requestId?.toString('utf8') ?? '';
      const pending = waiting.get(id);
      if (pending === undefined) continue; // not ours (or answered twice): libzmq drops it too
      waiting.delete(id);
      pending.resolve({
        version: version?.toString('utf8') ?? '',
        requestId: id,
        statusCode: (status?.toString('utf8') ?? '') as ZapReply['statusCode'],
        statusText: text?.toString('utf8') ?? '',
        userId: userId?.toString('utf8') ?? '',
        ...(metadata === undefined || metadata.length === 0 ? {} : { metadata }),
      });
    }
  })();
  return () => {
    uninstall?.();
    uninstall = undefined;
    client.close();
    // Unanswered requests fail (core counts a failing handler as status 500).
    for (const { reject } of waiting.values()) reject(new ZmqError('ETERM', 'the ZAP endpoint socket was closed before answering'));
    waiting.clear();
  };
}
